// SPDX-License-Identifier: GPL-2.0
/*
 * pvmig_balloon: a virtio-balloon driver with the "free page bitmap"
 * extension used to speed up precopy live migration.
 *
 * This file is the balloon itself: feature negotiation, virtqueue set-up,
 * inflation and deflation towards the host's target, deflate-on-OOM, balloon
 * page migration (compaction) and the device life cycle.  stats.c answers
 * the host's memory statistics requests, fpr.c does free page reporting and
 * fpb.c implements the free page bitmap feature.
 *
 * Protocol facts (virtio spec 1.2, section 5.5, and QEMU 10.0):
 *  - The balloon counts in 4 KiB frames and sends 32-bit frame numbers on
 *    the inflate (0) and deflate (1) queues.  Each message is one
 *    device-readable buffer; the device returns it when it has acted on it.
 *  - Config space is little-endian even for legacy devices: num_pages is the
 *    host's target size, actual is written by the driver after every change.
 *  - MUST_TELL_HOST: the driver must send a deflate message before reusing
 *    the pages.  This driver always tells the host first, negotiated or not.
 *  - DEFLATE_ON_OOM: the host allows the guest to shrink the balloon below
 *    the target when it runs out of memory.
 *  - STATS_VQ (queue 2): the driver posts a buffer of (tag, value) pairs; the
 *    host returns it whenever it wants fresh figures (stats.c).
 *  - REPORTING (bit 5): free blocks are handed to the device, which may
 *    discard their memory (fpr.c).
 *  - FREE_PAGE_BITMAP (bit 23, two queues after the standard ones): see
 *    fpb.c and PROTOCOL.md.
 *  - Queue numbers are dense over the queues the device has, in the order
 *    inflate, deflate, stats, free_page_vq, reporting_vq, fpb-cmd,
 *    fpb-report; see pvb_init_vqs().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/balloon_compaction.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/oom.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/vmstat.h>

#include "pvb.h"

/* Ahead of other OOM notifiers: ours frees memory without side effects. */
#define PVB_OOM_NOTIFY_PRIORITY	80
/* Back-off when the guest has no memory left to inflate with. */
#define PVB_STARVED_RETRY	msecs_to_jiffies(200)

static unsigned int oom_pages = 256;
module_param(oom_pages, uint, 0644);
MODULE_PARM_DESC(oom_pages,
		 "4 KiB frames to give back per OOM notification with deflate-on-oom (default 256)");

/*
 * Whether ballooned pages are taken out of totalram (MemTotal).
 *
 * Upstream virtio_balloon does so only when DEFLATE_ON_OOM is not
 * negotiated, and that is our default: with deflate-on-oom the memory is
 * only lent to the host, and shrinking totalram would make the overcommit
 * heuristic (__vm_enough_memory) refuse any mapping larger than the shrunk
 * totalram with ENOMEM before the guest ever gets to the OOM notifier, so
 * deflate-on-oom could not rescue it (seen in tests: stress-ng --vm-bytes
 * 600M in a 1 GiB guest with 768 MiB ballooned).
 */
static int adjust_managed = -1;
module_param(adjust_managed, int, 0444);
MODULE_PARM_DESC(adjust_managed,
		 "Take ballooned pages out of totalram/MemTotal: -1 (default) unless deflate-on-oom is negotiated, as upstream; 0 never; 1 always");

/*
 * Counters, module-wide (one balloon per guest), in debugfs: read-only
 * figures for tests and debugging, not knobs (pvb_init()).
 */
static u64 balloon_pages;	/* 4 KiB frames in the balloon now */
static u64 oom_deflated_pages;	/* 4 KiB frames given back on OOM since load */
static struct dentry *pvb_debugfs_dir;

static void pvb_balloon_ack(struct virtqueue *vq)
{
	struct pvb *vb = vq->vdev->priv;

	wake_up(&vb->acked);
}

/*
 * Send pfns[0..num_pfns) on @vq and wait for the host to take it.  Called
 * with balloon_lock held, so the queue holds at most this one buffer.
 */
static void pvb_tell_host(struct pvb *vb, struct virtqueue *vq)
{
	struct scatterlist sg;
	unsigned int len;
	int err;

	sg_init_one(&sg, vb->pfns, sizeof(vb->pfns[0]) * vb->num_pfns);
	err = virtqueue_add_outbuf(vq, &sg, 1, vb, GFP_KERNEL);
	if (WARN_ON_ONCE(err))
		return;
	virtqueue_kick(vq);
	wait_event(vb->acked, virtqueue_get_buf(vq, &len));
}

static void pvb_add_page_pfns(struct pvb *vb, struct page *page)
{
	unsigned long frame = page_to_pfn(page) *
			      PVB_FRAMES_PER_PAGE;
	unsigned int i;

	/* The protocol has 32-bit frame numbers: 16 TiB of guest memory. */
	for (i = 0; i < PVB_FRAMES_PER_PAGE; i++)
		vb->pfns[vb->num_pfns++] = cpu_to_virtio32(vb->vdev, frame + i);
}

static void pvb_publish_size(struct pvb *vb)
{
	WRITE_ONCE(balloon_pages, vb->num_pages);
}

/*
 * Inflate by up to @want frames (one message worth).  Returns the frames
 * added; fewer than asked (and *starved set) when the guest is short.
 */
static unsigned int pvb_fill(struct pvb *vb, unsigned long want,
			     bool *starved)
{
	LIST_HEAD(pages);
	struct page *page;
	unsigned int added, n;

	want = min_t(unsigned long, want, PVB_MAX_PFNS);
	*starved = false;

	/* Allocate outside the lock: this may reclaim and take a while. */
	for (n = 0; n + PVB_FRAMES_PER_PAGE <= want; n += PVB_FRAMES_PER_PAGE) {
		page = balloon_page_alloc();
		if (!page) {
			dev_info_ratelimited(&vb->vdev->dev,
					     "out of memory to inflate with (%u frames short)\n",
					     (unsigned int)(want - n));
			*starved = true;
			break;
		}
		balloon_page_push(&pages, page);
	}

	mutex_lock(&vb->balloon_lock);
	vb->num_pfns = 0;
	while ((page = balloon_page_pop(&pages))) {
		/* Makes the page the balloon's and movable by compaction. */
		balloon_page_enqueue(&vb->b_dev_info, page);
		pvb_add_page_pfns(vb, page);
		vb->num_pages += PVB_FRAMES_PER_PAGE;
		if (vb->adjust_managed)
			adjust_managed_page_count(page, -1);
	}
	added = vb->num_pfns;
	if (added)
		pvb_tell_host(vb, vb->inflate_vq);
	pvb_publish_size(vb);
	mutex_unlock(&vb->balloon_lock);

	return added;
}

/* Deflate by up to @want frames (one message worth); returns frames freed. */
static unsigned int pvb_leak(struct pvb *vb, unsigned long want)
{
	LIST_HEAD(pages);
	struct page *page, *next;
	unsigned int freed;

	mutex_lock(&vb->balloon_lock);
	want = min_t(unsigned long, want, PVB_MAX_PFNS);
	want = min_t(unsigned long, want, vb->num_pages);
	vb->num_pfns = 0;
	while (vb->num_pfns + PVB_FRAMES_PER_PAGE <= want) {
		/* NULL when the remaining pages are isolated for migration. */
		page = balloon_page_dequeue(&vb->b_dev_info);
		if (!page)
			break;
		pvb_add_page_pfns(vb, page);
		list_add(&page->lru, &pages);
		vb->num_pages -= PVB_FRAMES_PER_PAGE;
	}
	freed = vb->num_pfns;

	/* Tell the host before the pages go back (MUST_TELL_HOST). */
	if (freed)
		pvb_tell_host(vb, vb->deflate_vq);

	list_for_each_entry_safe(page, next, &pages, lru) {
		if (vb->adjust_managed)
			adjust_managed_page_count(page, 1);
		list_del(&page->lru);
		put_page(page);
	}
	pvb_publish_size(vb);
	mutex_unlock(&vb->balloon_lock);

	return freed;
}

/* Frames to add (> 0) or to give back (< 0) to reach the host's target. */
static long pvb_target_delta(struct pvb *vb)
{
	u32 num_pages;
	unsigned long target;

	virtio_cread_le(vb->vdev, struct virtio_balloon_config, num_pages,
			&num_pages);
	target = ALIGN_DOWN((unsigned long)num_pages, PVB_FRAMES_PER_PAGE);
	return (long)target - (long)READ_ONCE(vb->num_pages);
}

static void pvb_update_actual(struct pvb *vb)
{
	u32 actual = READ_ONCE(vb->num_pages);

	virtio_cwrite_le(vb->vdev, struct virtio_balloon_config, actual,
			 &actual);
}

static void pvb_size_work(struct work_struct *work)
{
	struct pvb *vb = container_of(to_delayed_work(work), struct pvb,
				      size_work);
	bool starved = false;
	long delta;

	if (pvb_stopping(vb))
		return;

	delta = pvb_target_delta(vb);
	if (delta > 0)
		delta -= pvb_fill(vb, delta, &starved);
	else if (delta < 0)
		delta += pvb_leak(vb, -delta);
	pvb_update_actual(vb);

	/* One message per run; come back for the rest. */
	if (delta)
		queue_delayed_work(system_freezable_wq, &vb->size_work,
				   starved ? PVB_STARVED_RETRY : 0);
}

static void pvb_config_changed(struct virtio_device *vdev)
{
	struct pvb *vb = vdev->priv;
	unsigned long flags;

	spin_lock_irqsave(&vb->stop_lock, flags);
	if (!vb->stop)
		mod_delayed_work(system_freezable_wq, &vb->size_work, 0);
	spin_unlock_irqrestore(&vb->stop_lock, flags);
}

/*
 * Deflate-on-OOM: the allocator is about to kill something; give it back
 * oom_pages frames instead.  The host's target is left as is, so the next
 * config change re-inflates.
 */
static int pvb_oom_notify(struct notifier_block *nb, unsigned long unused,
			  void *parm)
{
	struct pvb *vb = container_of(nb, struct pvb, oom_nb);
	unsigned long *freed = parm;
	unsigned long want = READ_ONCE(oom_pages), done = 0;
	unsigned int n;

	while (done < want) {
		n = pvb_leak(vb, want - done);
		if (!n)
			break;
		done += n;
	}
	pvb_update_actual(vb);

	*freed += done / PVB_FRAMES_PER_PAGE;
	WRITE_ONCE(oom_deflated_pages, oom_deflated_pages + done);
	return NOTIFY_OK;
}

#ifdef CONFIG_BALLOON_COMPACTION
/*
 * Compaction wants to move balloon page @page to @newpage.  Both are locked
 * and @page is isolated (off the balloon list).  The host must learn of the
 * swap: inflate newpage first, then deflate page, so the host never sees the
 * balloon shrink below what it holds.
 */
static int pvb_migratepage(struct balloon_dev_info *b_dev_info,
			   struct page *newpage, struct page *page,
			   enum migrate_mode mode)
{
	struct pvb *vb = container_of(b_dev_info, struct pvb, b_dev_info);
	unsigned long flags;

	/* Resizing in progress: let compaction try another time. */
	if (!mutex_trylock(&vb->balloon_lock))
		return -EAGAIN;

	get_page(newpage);	/* the balloon's reference */

	if (vb->adjust_managed && page_zone(page) != page_zone(newpage)) {
		adjust_managed_page_count(page, 1);
		adjust_managed_page_count(newpage, -1);
	}

	spin_lock_irqsave(&b_dev_info->pages_lock, flags);
	balloon_page_insert(b_dev_info, newpage);
	b_dev_info->isolated_pages--;
	__count_vm_event(BALLOON_MIGRATE);
	spin_unlock_irqrestore(&b_dev_info->pages_lock, flags);

	vb->num_pfns = 0;
	pvb_add_page_pfns(vb, newpage);
	pvb_tell_host(vb, vb->inflate_vq);

	vb->num_pfns = 0;
	pvb_add_page_pfns(vb, page);
	pvb_tell_host(vb, vb->deflate_vq);

	mutex_unlock(&vb->balloon_lock);

	balloon_page_finalize(page);
	put_page(page);		/* drop the balloon's reference */

	return MIGRATEPAGE_SUCCESS;
}
#endif

/*
 * Slots of the array handed to virtio_find_vqs() (pvb_find_vqs(),
 * compat.h).  They are not queue numbers: the transport numbers the queues
 * consecutively over the slots that have a name, skipping the others.
 */
enum pvb_vq_slot {
	PVB_VQ_INFLATE,		/* driver -> device: PFNs given up */
	PVB_VQ_DEFLATE,		/* driver -> device: PFNs taken back */
	PVB_VQ_STATS,		/* driver -> device: struct virtio_balloon_stat[] */
	PVB_VQ_FREE_PAGE,	/* upstream free page hinting: never used */
	PVB_VQ_REPORTING,	/* device-writable: free blocks (fpr.c) */
	PVB_VQ_FPB_CMD,		/* device -> driver: struct virtio_balloon_fpb_cmd */
	PVB_VQ_FPB_REPORT,	/* driver -> device: struct virtio_balloon_fpb_report */
	PVB_VQ_MAX
};

/* The queue number of @slot: named slots before it. */
static unsigned int pvb_vq_index(const struct virtqueue_info *info,
				 enum pvb_vq_slot slot)
{
	unsigned int i, n = 0;

	for (i = 0; i < slot; i++)
		n += !!info[i].name;
	return n;
}

/*
 * Create the queues and post the buffers the device expects to find (stats,
 * fpb command).  Nothing is kicked: that waits for DRIVER_OK.
 *
 * QEMU creates a balloon's queues when the device is realized, from the
 * features it offers, and numbers them densely: inflate 0, deflate 1, stats
 * 2 (always created), then free_page_vq if it offers FREE_PAGE_HINT, then
 * reporting_vq if it offers REPORTING, then fpb-cmd and fpb-report if it
 * offers FREE_PAGE_BITMAP.  A queue that exists in front of one we use must
 * therefore be named even if we do not use it (FREE_PAGE_HINT is never
 * negotiated; REPORTING may be offered but turned off by fpr=0 or page
 * poisoning), and the free page bitmap queues go by what the device
 * offers, not by what was negotiated (PROTOCOL.md,
 * virtio_balloon_fpb_first_vq()).  Queues behind the last one we use are
 * left unnamed, as upstream does.
 */
static int pvb_init_vqs(struct pvb *vb)
{
	struct virtio_device *vdev = vb->vdev;
	u64 offered = vdev->config->get_features(vdev);
	struct virtqueue *vqs[PVB_VQ_MAX] = {};
	struct virtqueue_info info[PVB_VQ_MAX] = {};
	bool stats = virtio_has_feature(vdev, VIRTIO_BALLOON_F_STATS_VQ);
	bool report = virtio_has_feature(vdev, VIRTIO_BALLOON_F_REPORTING);
	bool fpb = vb->fpb;
	unsigned int first;
	int err;

	info[PVB_VQ_INFLATE].name = "inflate";
	info[PVB_VQ_INFLATE].callback = pvb_balloon_ack;
	info[PVB_VQ_DEFLATE].name = "deflate";
	info[PVB_VQ_DEFLATE].callback = pvb_balloon_ack;
	/* With the free page bitmap the stats queue is named even if unused. */
	if (stats || fpb) {
		info[PVB_VQ_STATS].name = "stats";
		info[PVB_VQ_STATS].callback = stats ? pvb_stats_request : NULL;
	}
	if ((report || fpb) &&
	    (offered & BIT_ULL(VIRTIO_BALLOON_F_FREE_PAGE_HINT)))
		info[PVB_VQ_FREE_PAGE].name = "free_page_vq";
	if (report ||
	    (fpb && (offered & BIT_ULL(VIRTIO_BALLOON_F_REPORTING)))) {
		info[PVB_VQ_REPORTING].name = "reporting_vq";
		info[PVB_VQ_REPORTING].callback =
			report ? pvb_balloon_ack : NULL;
	}
	if (fpb) {
		info[PVB_VQ_FPB_CMD].name = "fpb-cmd";
		info[PVB_VQ_FPB_CMD].callback = pvb_fpb_cmd_done;
		info[PVB_VQ_FPB_REPORT].name = "fpb-report";
		info[PVB_VQ_FPB_REPORT].callback = pvb_fpb_report_done;

		/* The protocol's own statement of the rule must agree. */
		first = virtio_balloon_fpb_first_vq(offered);
		if (pvb_vq_index(info, PVB_VQ_FPB_CMD) != first) {
			dev_err(&vdev->dev,
				"fpb-cmd would be queue %u, the protocol says %u\n",
				pvb_vq_index(info, PVB_VQ_FPB_CMD), first);
			return -EINVAL;
		}
	}

	err = pvb_find_vqs(vdev, PVB_VQ_MAX, vqs, info);
	if (err)
		return err;

	vb->inflate_vq = vqs[PVB_VQ_INFLATE];
	vb->deflate_vq = vqs[PVB_VQ_DEFLATE];
	vb->stats_vq = stats ? vqs[PVB_VQ_STATS] : NULL;
	vb->reporting_vq = report ? vqs[PVB_VQ_REPORTING] : NULL;

	if (vb->stats_vq) {
		err = pvb_stats_post_first(vb);
		if (err)
			goto out_del;
	}
	if (fpb) {
		err = pvb_fpb_attach(vb, vqs[PVB_VQ_FPB_CMD],
				     vqs[PVB_VQ_FPB_REPORT]);
		if (err)
			goto out_del;
	}
	return 0;

out_del:
	vdev->config->del_vqs(vdev);
	return err;
}

static void pvb_kick_posted(struct pvb *vb)
{
	pvb_stats_kick(vb);
	if (vb->fpb)
		pvb_fpb_kick(vb);
}

/*
 * Give every page back, tell the host, reset the device and drop the
 * queues.  Works must already be stopped (remove) or frozen (freeze).
 */
static void pvb_teardown(struct pvb *vb)
{
	while (READ_ONCE(vb->num_pages)) {
		/* Zero while the last pages are isolated for migration. */
		if (!pvb_leak(vb, vb->num_pages))
			msleep(1);
	}
	pvb_update_actual(vb);

	virtio_reset_device(vb->vdev);
	if (vb->fpb)
		pvb_fpb_detach(vb);
	vb->vdev->config->del_vqs(vb->vdev);
}

static int pvb_validate(struct virtio_device *vdev)
{
	if (!vdev->config->get) {
		dev_err(&vdev->dev, "config space access not supported\n");
		return -EINVAL;
	}

	/*
	 * The balloon hands the host guest-physical frame numbers, which only
	 * mean something without an IOMMU in between.
	 */
	__virtio_clear_bit(vdev, VIRTIO_F_ACCESS_PLATFORM);

	/*
	 * A page skipped by migration arrives zeroed on the destination.  With
	 * page poisoning the allocator would then find a free page without its
	 * poison and report corruption, so do not offer hints.  (init_on_free
	 * is fine: it expects free pages to be zero.)
	 */
	if (page_poisoning_enabled_static() &&
	    virtio_has_feature(vdev, VIRTIO_BALLOON_F_FREE_PAGE_BITMAP)) {
		dev_info(&vdev->dev,
			 "page poisoning is on: free page bitmap disabled\n");
		__virtio_clear_bit(vdev, VIRTIO_BALLOON_F_FREE_PAGE_BITMAP);
	}
	pvb_fpr_validate(vdev);
	return 0;
}

static int pvb_probe(struct virtio_device *vdev)
{
	struct pvb *vb;
	int err;

	vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return -ENOMEM;
	vdev->priv = vb;
	vb->vdev = vdev;
	/* Fixed for the device's lifetime: every page must be counted back. */
	if (adjust_managed < 0)
		vb->adjust_managed = !virtio_has_feature(vdev,
						VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
	else
		vb->adjust_managed = adjust_managed;
	INIT_DELAYED_WORK(&vb->size_work, pvb_size_work);
	INIT_WORK(&vb->stats_work, pvb_stats_work);
	spin_lock_init(&vb->stop_lock);
	init_waitqueue_head(&vb->acked);
	mutex_init(&vb->balloon_lock);
	balloon_devinfo_init(&vb->b_dev_info);
#ifdef CONFIG_BALLOON_COMPACTION
	vb->b_dev_info.migratepage = pvb_migratepage;
#endif

	if (virtio_has_feature(vdev, VIRTIO_BALLOON_F_FREE_PAGE_BITMAP)) {
		err = pvb_fpb_create(vb);
		if (err)
			goto out_free;
	}

	err = pvb_init_vqs(vb);
	if (err)
		goto out_fpb;

	if (virtio_has_feature(vdev, VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) {
		vb->oom_nb.notifier_call = pvb_oom_notify;
		vb->oom_nb.priority = PVB_OOM_NOTIFY_PRIORITY;
		err = register_oom_notifier(&vb->oom_nb);
		if (err)
			goto out_vqs;
		vb->oom_registered = true;
	}

	virtio_device_ready(vdev);
	pvb_kick_posted(vb);
	pvb_fpr_start(vb);

	if (pvb_target_delta(vb))
		pvb_config_changed(vdev);

	dev_info(&vdev->dev,
		 "ready: stats %s, deflate-on-oom %s, free page bitmap %s, free page reporting %s, adjust_managed %d\n",
		 vb->stats_vq ? "on" : "off",
		 vb->oom_registered ? "on" : "off",
		 vb->fpb ? "on" : "off",
		 vb->pr_registered ? "on" : "off", vb->adjust_managed);
	return 0;

out_vqs:
	virtio_reset_device(vdev);
	if (vb->fpb)
		pvb_fpb_detach(vb);
	vdev->config->del_vqs(vdev);
out_fpb:
	pvb_fpb_destroy(vb);
out_free:
	kfree(vb);
	vdev->priv = NULL;
	return err;
}

static void pvb_remove(struct virtio_device *vdev)
{
	struct pvb *vb = vdev->priv;

	/* First, while the device still takes reports. */
	pvb_fpr_stop(vb);
	if (vb->oom_registered)
		unregister_oom_notifier(&vb->oom_nb);

	spin_lock_irq(&vb->stop_lock);
	vb->stop = true;
	spin_unlock_irq(&vb->stop_lock);

	cancel_delayed_work_sync(&vb->size_work);
	cancel_work_sync(&vb->stats_work);
	if (vb->fpb)
		pvb_fpb_stop(vb);

	pvb_teardown(vb);
	pvb_fpb_destroy(vb);
	WRITE_ONCE(balloon_pages, 0);
	kfree(vb);
}

#ifdef CONFIG_PM_SLEEP
static int pvb_freeze(struct virtio_device *vdev)
{
	struct pvb *vb = vdev->priv;

	/*
	 * Our works run on freezable workqueues, which the PM core froze
	 * before calling us: none is running.  Like upstream, the balloon is
	 * emptied: the host may not keep its side of it across the freeze.
	 * Page reporting runs on a work item that is not frozen: stop it
	 * first, while the device still takes reports.
	 */
	pvb_fpr_stop(vb);
	pvb_teardown(vb);
	return 0;
}

static int pvb_restore(struct virtio_device *vdev)
{
	struct pvb *vb = vdev->priv;
	int err;

	err = pvb_init_vqs(vb);
	if (err)
		return err;

	virtio_device_ready(vdev);
	pvb_kick_posted(vb);
	pvb_fpr_start(vb);

	if (pvb_target_delta(vb))
		pvb_config_changed(vdev);
	pvb_update_actual(vb);
	return 0;
}
#endif

static unsigned int pvb_features[] = {
	VIRTIO_BALLOON_F_MUST_TELL_HOST,
	VIRTIO_BALLOON_F_STATS_VQ,
	VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
	VIRTIO_BALLOON_F_REPORTING,		/* fpr.c; module parameter fpr */
	VIRTIO_BALLOON_F_FREE_PAGE_BITMAP,	/* 23; fpb.c */
	/*
	 * Not FREE_PAGE_HINT (3): the free page bitmap does its job, and its
	 * queue is only named, never used, if a device offers it.  Not
	 * PAGE_POISON (4): with page poisoning neither reporting nor the
	 * bitmap is used, with init_on_free no reporting, as upstream without
	 * PAGE_POISON (pvb_validate(), pvb_fpr_validate()).
	 */
};

static const struct virtio_device_id pvb_id_table[] = {
	{ VIRTIO_ID_BALLOON, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static struct virtio_driver pvb_driver = {
	.feature_table		= pvb_features,
	.feature_table_size	= ARRAY_SIZE(pvb_features),
	.driver.name		= KBUILD_MODNAME,
	.driver.owner		= THIS_MODULE,
	.id_table		= pvb_id_table,
	.validate		= pvb_validate,
	.probe			= pvb_probe,
	.remove			= pvb_remove,
	.config_changed		= pvb_config_changed,
#ifdef CONFIG_PM_SLEEP
	.freeze			= pvb_freeze,
	.restore		= pvb_restore,
#endif
};

/*
 * The counters' directory, /sys/kernel/debug/pvmig_balloon/, lives as long
 * as the module, so that they can be read with no device bound too (e.g.
 * fpb_dry_run's).  debugfs failures are not errors, by its API's design:
 * the driver works without the files.
 */
static int __init pvb_init(void)
{
	int err;

	pvb_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_u64("balloon_pages", 0444, pvb_debugfs_dir,
			   &balloon_pages);
	debugfs_create_u64("oom_deflated_pages", 0444, pvb_debugfs_dir,
			   &oom_deflated_pages);
	pvb_fpr_debugfs(pvb_debugfs_dir);
	pvb_fpb_debugfs(pvb_debugfs_dir);

	err = register_virtio_driver(&pvb_driver);
	if (err)
		debugfs_remove_recursive(pvb_debugfs_dir);
	return err;
}
module_init(pvb_init);

static void __exit pvb_exit(void)
{
	unregister_virtio_driver(&pvb_driver);
	debugfs_remove_recursive(pvb_debugfs_dir);
}
module_exit(pvb_exit);

MODULE_DEVICE_TABLE(virtio, pvb_id_table);
MODULE_DESCRIPTION("virtio-balloon with free page bitmap hints for live migration");
MODULE_LICENSE("GPL");
