// SPDX-License-Identifier: GPL-2.0
/*
 * pvmig_balloon: free page reporting (VIRTIO_BALLOON_F_REPORTING, bit 5).
 *
 * The upstream feature (virtio spec 1.2, 5.5.6.7; QEMU >= 5.1
 * free-page-reporting=on), implemented here so that an operator who runs it
 * to overcommit memory can keep it together with the free page bitmap:
 *  - mm/page_reporting.c, once registered, walks the free lists from a work
 *    item (2 s after a free of a block of at least pageblock_order) and
 *    hands us up to PAGE_REPORTING_CAPACITY (32) such blocks, isolated from
 *    the free lists, as a scatterlist.
 *  - We add them to reporting_vq as one buffer and wait until the device
 *    returns it.  The buffer is device-writable, as upstream virtio_balloon
 *    has it: QEMU (virtio_balloon_handle_report()) looks only at the
 *    element's in_sg and discards that memory (MADV_DONTNEED), so the pages
 *    read as zero afterwards.  The blocks go back to the free lists, marked
 *    reported, only after the device returned the buffer: a discard after
 *    the guest reused a page would lose its data, which is also why the
 *    wait has no time limit.
 *  - The driver never negotiates PAGE_POISON.  Upstream's rule is that
 *    without it reporting is off when free pages must keep a content
 *    (page poisoning, init_on_free); pvb_fpr_validate() applies it.
 *
 * The queue's index is the one after free_page_vq if the device has it
 * (see balloon.c); the callback is balloon.c's, which wakes vb->acked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/page_reporting.h>
#include <linux/scatterlist.h>
#include <linux/virtio_config.h>

#include "pvb.h"

static bool fpr = true;
module_param(fpr, bool, 0444);
MODULE_PARM_DESC(fpr,
		 "Negotiate free page reporting (VIRTIO_BALLOON_F_REPORTING) when the device offers it (default 1)");

/* Counters, in debugfs (pvb_fpr_debugfs()). */
static u64 fpr_reports;	/* reports the device took, up to 32 blocks each */
static u64 fpr_pages;	/* 4 KiB frames reported free */

void pvb_fpr_debugfs(struct dentry *dir)
{
	debugfs_create_u64("fpr_reports", 0444, dir, &fpr_reports);
	debugfs_create_u64("fpr_pages", 0444, dir, &fpr_pages);
}

/* Called from pvb_validate(), features not yet final. */
void pvb_fpr_validate(struct virtio_device *vdev)
{
	if (!virtio_has_feature(vdev, VIRTIO_BALLOON_F_REPORTING))
		return;
	if (!fpr) {
		__virtio_clear_bit(vdev, VIRTIO_BALLOON_F_REPORTING);
		return;
	}
	/*
	 * A reported page comes back zeroed.  Upstream negotiates PAGE_POISON
	 * to tell the device what free pages must contain; we never do, so,
	 * as upstream does without PAGE_POISON, no reporting then.
	 */
	if (want_init_on_free() || page_poisoning_enabled_static()) {
		dev_info(&vdev->dev,
			 "page poisoning or init_on_free is on: free page reporting disabled\n");
		__virtio_clear_bit(vdev, VIRTIO_BALLOON_F_REPORTING);
	}
}

/*
 * mm/page_reporting.c's callback; it may sleep and never runs twice at once.
 * Returns 0 once the device has taken the pages, so they are marked
 * reported; an error puts them back on the free lists unmarked.
 */
static int pvb_fpr_report(struct page_reporting_dev_info *pr_dev_info,
			  struct scatterlist *sg, unsigned int nents)
{
	struct pvb *vb = container_of(pr_dev_info, struct pvb, pr_dev_info);
	struct virtqueue *vq = vb->reporting_vq;
	struct scatterlist *s;
	unsigned long long bytes = 0;
	unsigned int i, len;
	int err;

	/*
	 * The queue is empty (one report at a time) and was checked at start
	 * to hold PAGE_REPORTING_CAPACITY descriptors, so this only fails if
	 * something is badly wrong; no reclaim from here, as upstream.
	 */
	err = virtqueue_add_inbuf(vq, sg, nents, vb, GFP_NOWAIT | __GFP_NOWARN);
	if (WARN_ON_ONCE(err))
		return err;
	virtqueue_kick(vq);

	/* Unbounded: see the top of the file.  A broken device never returns. */
	while (!wait_event_timeout(vb->acked, virtqueue_get_buf(vq, &len), HZ))
		if (virtqueue_is_broken(vq))
			return -EIO;

	for_each_sg(sg, s, nents, i)
		bytes += s->length;
	WRITE_ONCE(fpr_reports, fpr_reports + 1);
	WRITE_ONCE(fpr_pages, fpr_pages + (bytes >> VIRTIO_BALLOON_PFN_SHIFT));
	return 0;
}

/* After DRIVER_OK (probe, restore): let mm/page_reporting.c call us. */
void pvb_fpr_start(struct pvb *vb)
{
	struct virtio_device *vdev = vb->vdev;
	unsigned int size;
	int err;

	if (!vb->reporting_vq)
		return;

	/* Without indirect descriptors a report takes one per block. */
	size = virtqueue_get_vring_size(vb->reporting_vq);
	if (size < PAGE_REPORTING_CAPACITY) {
		dev_warn(&vdev->dev,
			 "reporting queue has %u entries, %u needed: free page reporting off\n",
			 size, PAGE_REPORTING_CAPACITY);
		return;
	}

	/* order 0: mm's default, pageblock_order (2 MiB on x86-64). */
	vb->pr_dev_info.report = pvb_fpr_report;
	vb->pr_dev_info.order = 0;
	err = page_reporting_register(&vb->pr_dev_info);
	if (err) {
		/* -EBUSY: another device reports already (one per system). */
		dev_warn(&vdev->dev,
			 "page_reporting_register: %d: free page reporting off\n",
			 err);
		return;
	}
	vb->pr_registered = true;
}

/*
 * Before the device is reset (remove, freeze): waits for a report in
 * progress, which needs the device still running.
 */
void pvb_fpr_stop(struct pvb *vb)
{
	if (!vb->pr_registered)
		return;
	page_reporting_unregister(&vb->pr_dev_info);
	vb->pr_registered = false;
}
