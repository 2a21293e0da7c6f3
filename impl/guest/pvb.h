/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvmig_balloon: state shared by the balloon core (balloon.c), the memory
 * statistics queue (stats.c), free page reporting (fpr.c) and the free page
 * bitmap feature (fpb.c).
 */
#ifndef PVMIG_PVB_H
#define PVMIG_PVB_H

#include <linux/balloon_compaction.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/page_reporting.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "fpb_proto.h"

/* The balloon protocol speaks in 4 KiB frames, 32-bit PFNs. */
#define PVB_FRAMES_PER_PAGE	(PAGE_SIZE >> VIRTIO_BALLOON_PFN_SHIFT)
/* PFNs per inflate/deflate message: one message in flight at a time. */
#define PVB_MAX_PFNS		256

/* Room for every stats tag the kernel's uapi header knows (stats.c). */
#define PVB_NR_STATS		VIRTIO_BALLOON_S_NR

struct dentry;
struct pvb_fpb;

struct pvb {
	struct virtio_device *vdev;
	struct virtqueue *inflate_vq, *deflate_vq, *stats_vq;

	/* Balloon resizing, driven by config changes and by itself. */
	struct delayed_work size_work;
	/* Answers the host's stats requests. */
	struct work_struct stats_work;

	/* Set on remove: callbacks stop queueing work. */
	spinlock_t stop_lock;
	bool stop;

	/* Inflate/deflate acknowledgements. */
	wait_queue_head_t acked;

	/*
	 * balloon_lock serializes everything that touches the inflate and
	 * deflate queues, pfns[] and num_pages: resizing, OOM deflation and
	 * balloon page migration.
	 */
	struct mutex balloon_lock;
	unsigned int num_pages;		/* 4 KiB frames in the balloon */
	unsigned int num_pfns;
	__virtio32 pfns[PVB_MAX_PFNS];

	struct balloon_dev_info b_dev_info;
	struct notifier_block oom_nb;
	bool oom_registered;
	/* Ballooned pages are taken out of totalram (adjust_managed). */
	bool adjust_managed;

	/* Sent on the stats queue; only the stats work writes it. */
	struct virtio_balloon_stat stats[PVB_NR_STATS];

	/*
	 * Free page reporting (fpr.c): reporting_vq is NULL unless
	 * VIRTIO_BALLOON_F_REPORTING was negotiated; pr_registered while
	 * mm/page_reporting.c may call us.
	 */
	struct virtqueue *reporting_vq;
	struct page_reporting_dev_info pr_dev_info;
	bool pr_registered;

	/* NULL unless VIRTIO_BALLOON_F_FREE_PAGE_BITMAP was negotiated. */
	struct pvb_fpb *fpb;
};

static inline bool pvb_stopping(struct pvb *vb)
{
	return READ_ONCE(vb->stop);
}

/* stats.c */
void pvb_stats_work(struct work_struct *work);
void pvb_stats_request(struct virtqueue *vq);
int pvb_stats_post_first(struct pvb *vb);
void pvb_stats_kick(struct pvb *vb);

/* fpr.c */
void pvb_fpr_debugfs(struct dentry *dir);
void pvb_fpr_validate(struct virtio_device *vdev);
void pvb_fpr_start(struct pvb *vb);
void pvb_fpr_stop(struct pvb *vb);

/* fpb.c */
void pvb_fpb_debugfs(struct dentry *dir);
int pvb_fpb_create(struct pvb *vb);
void pvb_fpb_destroy(struct pvb *vb);
void pvb_fpb_cmd_done(struct virtqueue *vq);
void pvb_fpb_report_done(struct virtqueue *vq);
int pvb_fpb_attach(struct pvb *vb, struct virtqueue *cmd_vq,
		   struct virtqueue *report_vq);
void pvb_fpb_kick(struct pvb *vb);
void pvb_fpb_stop(struct pvb *vb);
void pvb_fpb_detach(struct pvb *vb);

#endif /* PVMIG_PVB_H */
