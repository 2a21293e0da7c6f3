// SPDX-License-Identifier: GPL-2.0
/*
 * pvmig_balloon: the memory statistics queue (VIRTIO_BALLOON_F_STATS_VQ).
 *
 * Protocol: the driver keeps one device-readable buffer of
 * struct virtio_balloon_stat { __virtio16 tag; __virtio64 val; } (packed)
 * on queue 2.  The host asks for fresh figures by returning that buffer
 * (QEMU does so every guest-stats-polling-interval seconds); the driver
 * refills it and posts it again.  Memory figures are in bytes, event
 * counters are counts.  MEMORY_AVAILABLE is what the "balloon" migration
 * method sizes its inflation from.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/vmstat.h>
#include <linux/virtio_config.h>

#include "pvb.h"

static void pvb_stat_set(struct pvb *vb, unsigned int *idx, u16 tag, u64 val)
{
	struct virtio_balloon_stat *s = &vb->stats[(*idx)++];

	s->tag = cpu_to_virtio16(vb->vdev, tag);
	s->val = cpu_to_virtio64(vb->vdev, val);
}

static u64 pvb_pages_to_bytes(unsigned long pages)
{
	return (u64)pages << PAGE_SHIFT;
}

#ifdef VIRTIO_BALLOON_S_OOM_KILL
/*
 * The reclaim figures the specification added later (tags 10-15): a kernel
 * whose uapi header has them (6.12, not 6.1) reports them as upstream
 * virtio_balloon does; QEMU shows them as stat-oom-kills,
 * stat-alloc-stalls, stat-async-scans, ...
 */
static void pvb_stats_fill_reclaim(struct pvb *vb, unsigned int *n,
				   const unsigned long *events)
{
	unsigned long stall = 0;
	int zid;

	for (zid = 0; zid < MAX_NR_ZONES; zid++)
		stall += events[ALLOCSTALL_NORMAL - ZONE_NORMAL + zid];
	pvb_stat_set(vb, n, VIRTIO_BALLOON_S_OOM_KILL, events[OOM_KILL]);
	pvb_stat_set(vb, n, VIRTIO_BALLOON_S_ALLOC_STALL, stall);
	pvb_stat_set(vb, n, VIRTIO_BALLOON_S_ASYNC_SCAN,
		     pvb_pages_to_bytes(events[PGSCAN_KSWAPD]));
	pvb_stat_set(vb, n, VIRTIO_BALLOON_S_DIRECT_SCAN,
		     pvb_pages_to_bytes(events[PGSCAN_DIRECT]));
	pvb_stat_set(vb, n, VIRTIO_BALLOON_S_ASYNC_RECLAIM,
		     pvb_pages_to_bytes(events[PGSTEAL_KSWAPD]));
	pvb_stat_set(vb, n, VIRTIO_BALLOON_S_DIRECT_RECLAIM,
		     pvb_pages_to_bytes(events[PGSTEAL_DIRECT]));
}
#else
static void pvb_stats_fill_reclaim(struct pvb *vb, unsigned int *n,
				   const unsigned long *events)
{
}
#endif

/* Fill vb->stats; returns the number of entries. */
static unsigned int pvb_stats_fill(struct pvb *vb)
{
	unsigned long events[NR_VM_EVENT_ITEMS];
	struct sysinfo si;
	unsigned int n = 0;

	all_vm_events(events);
	si_meminfo(&si);

	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_SWAP_IN,
		     pvb_pages_to_bytes(events[PSWPIN]));
	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_SWAP_OUT,
		     pvb_pages_to_bytes(events[PSWPOUT]));
	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_MAJFLT, events[PGMAJFAULT]);
	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_MINFLT, events[PGFAULT]);
#ifdef CONFIG_HUGETLB_PAGE
	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_HTLB_PGALLOC,
		     events[HTLB_BUDDY_PGALLOC]);
	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_HTLB_PGFAIL,
		     events[HTLB_BUDDY_PGALLOC_FAIL]);
#endif
	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_MEMFREE,
		     pvb_pages_to_bytes(si.freeram));
	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_MEMTOT,
		     pvb_pages_to_bytes(si.totalram));
	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_AVAIL,
		     pvb_pages_to_bytes(si_mem_available()));
	pvb_stat_set(vb, &n, VIRTIO_BALLOON_S_CACHES,
		     pvb_pages_to_bytes(global_node_page_state(NR_FILE_PAGES)));
	pvb_stats_fill_reclaim(vb, &n, events);

	return n;
}

static int pvb_stats_post(struct pvb *vb)
{
	struct scatterlist sg;
	unsigned int n = pvb_stats_fill(vb);

	sg_init_one(&sg, vb->stats, sizeof(vb->stats[0]) * n);
	return virtqueue_add_outbuf(vb->stats_vq, &sg, 1, vb, GFP_KERNEL);
}

/* At probe/restore, before DRIVER_OK: the host finds it when it looks. */
int pvb_stats_post_first(struct pvb *vb)
{
	return pvb_stats_post(vb);
}

void pvb_stats_kick(struct pvb *vb)
{
	if (vb->stats_vq)
		virtqueue_kick(vb->stats_vq);
}

void pvb_stats_work(struct work_struct *work)
{
	struct pvb *vb = container_of(work, struct pvb, stats_work);
	unsigned int len;
	int err;

	/* Our buffer coming back is the host's request for fresh figures. */
	if (!virtqueue_get_buf(vb->stats_vq, &len))
		return;

	err = pvb_stats_post(vb);
	if (err) {
		dev_warn(&vb->vdev->dev, "cannot repost stats buffer: %d\n",
			 err);
		return;
	}
	virtqueue_kick(vb->stats_vq);
}

void pvb_stats_request(struct virtqueue *vq)
{
	struct pvb *vb = vq->vdev->priv;
	unsigned long flags;

	spin_lock_irqsave(&vb->stop_lock, flags);
	if (!vb->stop)
		queue_work(system_freezable_wq, &vb->stats_work);
	spin_unlock_irqrestore(&vb->stop_lock, flags);
}
