/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free page bitmap extension of virtio-balloon: the wire format.
 *
 * This is the guest's copy of the contract in impl/PROTOCOL.md; QEMU keeps
 * its own copy in include/standard-headers/linux/virtio_balloon.h.  Anything
 * changed here must be changed there and in PROTOCOL.md.  All fields are
 * little-endian whatever the transport (the feature exists only for the
 * modern, VIRTIO_F_VERSION_1 layout of the device).
 */
#ifndef PVMIG_FPB_PROTO_H
#define PVMIG_FPB_PROTO_H

#include <linux/types.h>
#include <linux/build_bug.h>

/* Feature bit; unused by QEMU 7.2 and Linux 6.1. */
#define VIRTIO_BALLOON_F_FREE_PAGE_BITMAP	6

/*
 * Virtqueue indexes with the feature negotiated.  The stock queues keep their
 * numbers; the stats queue is always instantiated when this feature is on so
 * that the free page queues land on 3 and 4 (QEMU always creates queue 2).
 * FREE_PAGE_HINT and REPORTING (which would also claim 3 and 4) are never
 * negotiated by this driver and QEMU refuses them together with this one.
 */
enum pvb_vq_index {
	PVB_VQ_INFLATE,		/* driver -> device: PFNs given up */
	PVB_VQ_DEFLATE,		/* driver -> device: PFNs taken back */
	PVB_VQ_STATS,		/* driver -> device: struct virtio_balloon_stat[] */
	PVB_VQ_FPB_CMD,		/* device -> driver: struct virtio_balloon_fpb_cmd */
	PVB_VQ_FPB_REPORT,	/* driver -> device: struct virtio_balloon_fpb_report */
	PVB_VQ_MAX
};

/* Ranges are in 4 KiB guest frames whatever the guest's PAGE_SIZE. */
#define VIRTIO_BALLOON_FPB_FRAME_SHIFT		12

/*
 * Queue 3: the driver keeps one 16-byte device-writable buffer posted.  The
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
 * Queue 4: one or more device-readable buffers answer a request.  A buffer
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
