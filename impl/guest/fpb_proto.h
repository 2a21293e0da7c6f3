/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free page bitmap extension of virtio-balloon: the wire format.
 *
 * This is the guest's copy of the contract in impl/PROTOCOL.md; QEMU keeps
 * its own copy in include/hw/virtio/virtio-balloon-fpb.h.  Anything
 * changed here must be changed there and in PROTOCOL.md.  All fields are
 * little-endian whatever the transport.
 */
#ifndef PVMIG_FPB_PROTO_H
#define PVMIG_FPB_PROTO_H

#include <linux/types.h>
#include <linux/build_bug.h>

/*
 * Feature bit.  Not 6: the next free balloon bits are where the virtio
 * specification allocates new features (6 is proposed twice already).  23
 * is the last device-specific bit below the transport range (24-41), so no
 * sequential allocation reaches it soon, and the legacy transport, which has
 * 32 feature bits, can still offer it.
 */
#define VIRTIO_BALLOON_F_FREE_PAGE_BITMAP	23

/*
 * Virtqueues.  Linux and QEMU number a balloon's queues densely over the ones
 * that exist: inflate 0, deflate 1, stats 2 (QEMU always creates it), then
 * free_page_vq if the device offers FREE_PAGE_HINT, then reporting_vq if it
 * offers REPORTING, then our two queues.  So fpb-cmd is
 * virtio_balloon_fpb_first_vq(offered features) and fpb-report the one after
 * it.  The rule depends on what the device offers, not on what was
 * negotiated: QEMU creates queues when the device is realized, before any
 * negotiation.
 */
static inline unsigned int virtio_balloon_fpb_first_vq(u64 device_features)
{
	return 3 + !!(device_features & (1ULL << 3)) +	/* FREE_PAGE_HINT */
		   !!(device_features & (1ULL << 5));	/* REPORTING */
}

/*
 * Limits of one answer, enforced by the device (anything beyond is rejected
 * without being read): a buffer carries at most 4095 ranges (64 KiB), an
 * answer at most 2^20 ranges (16 MiB of hints, which covers 4 TiB of guest
 * memory in 4 MiB buddy blocks).
 */
#define VIRTIO_BALLOON_FPB_MAX_BUF_RANGES	4095
#define VIRTIO_BALLOON_FPB_MAX_ANSWER_RANGES	(1u << 20)

/* Ranges are in 4 KiB guest frames whatever the guest's PAGE_SIZE. */
#define VIRTIO_BALLOON_FPB_FRAME_SHIFT		12

/*
 * fpb-cmd: the driver keeps one 16-byte device-writable buffer posted.  The
 * device fills in a fresh, non-zero cmd_id and returns it (used length 16)
 * when it wants the free pages, i.e. once dirty logging is on and the first
 * migration bitmap sync is done.
 */
struct virtio_balloon_fpb_cmd {
	__le32 cmd_id;		/* non-zero, new for every request */
	__le32 flags;		/* reserved, 0 */
	__le64 reserved;
};

/* virtio_balloon_fpb_report.flags */
#define VIRTIO_BALLOON_FPB_F_LAST		(1u << 0)

struct virtio_balloon_fpb_range {
	__le64 pfn;		/* first 4 KiB frame */
	__le64 nr_pages;	/* number of 4 KiB frames, non-zero */
};

/*
 * fpb-report: one or more device-readable buffers answer a request.  A buffer
 * is exactly sizeof(header) + nr_ranges * sizeof(range) bytes long; the
 * final one carries VIRTIO_BALLOON_FPB_F_LAST and the collection time.  A
 * LAST buffer with no ranges is a valid answer ("nothing to hint").
 */
struct virtio_balloon_fpb_report {
	__le32 cmd_id;		/* the request this answers */
	__le32 flags;		/* VIRTIO_BALLOON_FPB_F_* */
	__le32 nr_ranges;
	__le32 collect_us;	/* LAST buffer: driver's collection time, µs */
	struct virtio_balloon_fpb_range ranges[];
};

static_assert(sizeof(struct virtio_balloon_fpb_cmd) == 16);
static_assert(sizeof(struct virtio_balloon_fpb_range) == 16);
static_assert(sizeof(struct virtio_balloon_fpb_report) == 16);

#endif /* PVMIG_FPB_PROTO_H */
