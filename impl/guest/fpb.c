// SPDX-License-Identifier: GPL-2.0
/*
 * pvmig_balloon: the free page bitmap feature
 * (VIRTIO_BALLOON_F_FREE_PAGE_BITMAP, bit 23).
 *
 * When migration starts, QEMU asks the guest which pages are free so that
 * the bulk stage can skip them.  Protocol (impl/PROTOCOL.md):
 *  - fpb-cmd, the queue after the standard ones the device has (3, 4 or 5:
 *    virtio_balloon_fpb_first_vq(), set up in balloon.c): we keep one
 *    16-byte device-writable buffer posted; the device returns it with a
 *    fresh non-zero cmd_id to make a request;
 *  - fpb-report, the queue after it: we answer with one or more
 *    device-readable buffers, each a header and (pfn, nr_pages) ranges in
 *    4 KiB frames, the final one flagged LAST and carrying the collection
 *    time.  The device rejects a buffer of more than 4095 ranges and
 *    ignores ranges beyond 2^20 per answer: our buffers are one page (255
 *    ranges with 4 KiB pages, 4095 with 64 KiB) and fpb_buffers is clamped
 *    so that all of them together stay within the answer limit.
 *
 * The command buffer is re-posted as soon as its cmd_id has been read, so a
 * new request (e.g. from a migration started after a cancelled one) can
 * arrive while an older answer is in progress; we then abandon the older
 * answer, which the device would reject by its cmd_id anyway.
 *
 * Collection: the free buddy blocks are read straight off the zone free
 * lists, under zone->lock, one (zone, order, migratetype) list per lock hold
 * and at most fpb_max_per_lock blocks per hold (the rest of a longer list
 * is not reported: hints are optional).  Orders are walked from the highest
 * down across all zones, so if the preallocated report buffers run out the
 * biggest blocks are the ones sent.  A page is reported only if it is a free
 * buddy block at the moment we look at it with the lock held; reuse after
 * that is caught by QEMU's dirty logging, which is on before it asks.
 * Pages on per-cpu lists and in the hugetlb pool are not reported, nor are
 * blocks that free page reporting (fpr.c) has isolated at that moment.
 *
 * Ranges: PFN-adjacent blocks are merged into one range, but a range never
 * crosses a memory section boundary and holds blocks of one zone only
 * (hence of one node).  DIMMs and NUMA nodes start on a section boundary
 * and QEMU's RAM regions follow them, so a range is inside one region.
 * The project's device clips a range at region boundaries, but a device
 * that only takes ranges wholly inside one region (the protocol allows it,
 * and the project's first series did) would drop such a range whole.
 *
 * Nodes and zones are reached through node_states and node_data, which are
 * exported on x86-64 NUMA kernels (first_online_pgdat/next_zone are not).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/page-flags.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include <linux/virtio_config.h>

#include "pvb.h"

/*
 * One page per report buffer: 255 ranges with 4 KiB pages, exactly the
 * device's limit of 4095 with 64 KiB pages.
 */
#define FPB_PAGE_RANGES							\
	((PAGE_SIZE - sizeof(struct virtio_balloon_fpb_report)) /	\
	 sizeof(struct virtio_balloon_fpb_range))
#define FPB_RANGES_PER_BUF						\
	(FPB_PAGE_RANGES < VIRTIO_BALLOON_FPB_MAX_BUF_RANGES ?		\
	 FPB_PAGE_RANGES : VIRTIO_BALLOON_FPB_MAX_BUF_RANGES)
/* Buffers whose ranges together stay within the device's answer limit. */
#define FPB_MAX_BUFFERS							\
	(VIRTIO_BALLOON_FPB_MAX_ANSWER_RANGES / FPB_RANGES_PER_BUF)
/* Guest pages -> protocol frames. */
#define FPB_FRAME_SHIFT	(PAGE_SHIFT - VIRTIO_BALLOON_FPB_FRAME_SHIFT)

static_assert(FPB_RANGES_PER_BUF <= VIRTIO_BALLOON_FPB_MAX_BUF_RANGES);
static_assert(FPB_MAX_BUFFERS * FPB_RANGES_PER_BUF <=
	      VIRTIO_BALLOON_FPB_MAX_ANSWER_RANGES);
/* A block of the largest order never crosses a section (fpb_record()). */
static_assert(PVB_NR_ORDERS - 1 <= PFN_SECTION_SHIFT);

/* --- parameters ---------------------------------------------------------- */

static unsigned int fpb_buffers = 256;
module_param(fpb_buffers, uint, 0444);
MODULE_PARM_DESC(fpb_buffers,
		 "Report buffers preallocated at probe, one page each (default 256: 65280 ranges with 4 KiB pages; at most 2^20 ranges in all: 4112 buffers)");

static unsigned int fpb_max_per_lock = 1024;
module_param(fpb_max_per_lock, uint, 0644);
MODULE_PARM_DESC(fpb_max_per_lock,
		 "Free blocks read per zone->lock hold; the rest of a longer free list is skipped (default 1024)");

static unsigned int fpb_min_order;
module_param(fpb_min_order, uint, 0644);
MODULE_PARM_DESC(fpb_min_order,
		 "Smallest buddy order reported (default 0: every free block)");

static unsigned int fpb_timeout_ms = 1000;
module_param(fpb_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fpb_timeout_ms,
		 "Wait at most this long for the device to take report buffers (default 1000)");

/* Fault injection for tests. */
static bool fpb_silent;
module_param(fpb_silent, bool, 0644);
MODULE_PARM_DESC(fpb_silent,
		 "Test: never answer requests (the command buffer is still re-posted)");

static unsigned int fpb_delay_ms;
module_param(fpb_delay_ms, uint, 0644);
MODULE_PARM_DESC(fpb_delay_ms,
		 "Test: wait this long before collecting; a newer request or unload cuts it short");

enum fpb_bogus_mode {
	FPB_BOGUS_OFF,
	FPB_BOGUS_OUTSIDE_RAM,	/* valid LAST buffer, every range invalid */
	FPB_BOGUS_TRUNCATED,	/* buffers shorter than their header says */
	FPB_BOGUS_STALE_ID,	/* real answer under a wrong cmd_id */
	FPB_BOGUS_AFTER_LAST,	/* real answer, then one more buffer */
	FPB_BOGUS_MAX = FPB_BOGUS_AFTER_LAST,
};

static unsigned int fpb_bogus;
module_param(fpb_bogus, uint, 0644);
MODULE_PARM_DESC(fpb_bogus,
		 "Test: send malformed answers: 0 off; "
		 "1 one LAST buffer whose ranges are all invalid (far beyond RAM, wrapping, empty): request completes, nothing hinted; "
		 "2 truncated: a LAST buffer shorter than its nr_ranges says and an 8-byte one: request times out; "
		 "3 the real answer under a stale/wrong cmd_id: request times out; "
		 "4 the real answer, then one extra empty buffer after LAST: request completes, one late buffer");

static bool fpb_dump;
module_param(fpb_dump, bool, 0644);
MODULE_PARM_DESC(fpb_dump,
		 "Test: log the ranges of every answer and dry run (\"fpb_dump <cmd_id> <frame> <frames>\", cmd_id 0 for a dry run), after they are sent");

/* --- counters (module-wide; one balloon device per guest) ---------------- */

static struct {
	u64 requests;			/* commands received */
	u64 answers;			/* answers sent (LAST queued) */
	u64 abandoned;			/* given up: newer request or unload */
	u64 ignored;			/* fpb_silent */
	u64 invalid;			/* commands with cmd_id 0 / short */
	u64 bogus_sent;			/* fpb_bogus answers */
	u64 truncated;			/* answers that ran out of buffers */
	u64 timeouts;			/* device slow to take buffers */
	u64 ranges;			/* ranges sent, total */
	u64 pages;			/* 4 KiB frames hinted, total */
	u64 lock_breaks;		/* walks resumed after dropping zone->lock */
	u64 lost_cursors;		/* walks that could not resume */
	u64 skipped;			/* list entries that were not buddy pages */
	u64 last_cmd_id;
	u64 last_collect_us;
	u64 last_ranges;
	u64 last_blocks;		/* buddy blocks before merging */
	u64 last_pages;
	u64 last_free_pages;		/* NR_FREE_PAGES when collecting */
	u64 last_buffers;
	u64 dry_runs;			/* fpb_dry_run collections */
} fpb_cnt;

#define FPB_CNT_ADD(field, n)	WRITE_ONCE(fpb_cnt.field, fpb_cnt.field + (n))
#define FPB_CNT_SET(field, v)	WRITE_ONCE(fpb_cnt.field, (v))

/*
 * The counters are read-only debugging figures, so they live in debugfs
 * (/sys/kernel/debug/pvmig_balloon/fpb_<name>, one value each, and
 * fpb_stats with all of them as "name value" lines), not among the module
 * parameters, which are the knobs and test switches.
 */
#define FPB_CNT_FILE(name)	{ #name, &fpb_cnt.name }

static const struct {
	const char *name;
	u64 *val;
} fpb_cnt_files[] = {
	FPB_CNT_FILE(requests),
	FPB_CNT_FILE(answers),
	FPB_CNT_FILE(abandoned),
	FPB_CNT_FILE(ignored),
	FPB_CNT_FILE(invalid),
	FPB_CNT_FILE(bogus_sent),
	FPB_CNT_FILE(truncated),
	FPB_CNT_FILE(timeouts),
	FPB_CNT_FILE(ranges),
	FPB_CNT_FILE(pages),
	FPB_CNT_FILE(lock_breaks),
	FPB_CNT_FILE(lost_cursors),
	FPB_CNT_FILE(skipped),
	FPB_CNT_FILE(last_cmd_id),
	FPB_CNT_FILE(last_collect_us),
	FPB_CNT_FILE(last_ranges),
	FPB_CNT_FILE(last_blocks),
	FPB_CNT_FILE(last_pages),
	FPB_CNT_FILE(last_free_pages),
	FPB_CNT_FILE(last_buffers),
	FPB_CNT_FILE(dry_runs),
};

/* fpb_stats: every counter in one read, "name value" lines. */
static int fpb_stats_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fpb_cnt_files); i++)
		seq_printf(m, "%s %llu\n", fpb_cnt_files[i].name,
			   READ_ONCE(*fpb_cnt_files[i].val));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fpb_stats);

/* At module load; debugfs failures are not errors (its API's design). */
void pvb_fpb_debugfs(struct dentry *dir)
{
	char name[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fpb_cnt_files); i++) {
		snprintf(name, sizeof(name), "fpb_%s", fpb_cnt_files[i].name);
		debugfs_create_u64(name, 0444, dir, fpb_cnt_files[i].val);
	}
	debugfs_create_file("fpb_stats", 0444, dir, NULL, &fpb_stats_fops);
}

/* --- state --------------------------------------------------------------- */

struct fpb_buf {
	struct virtio_balloon_fpb_report *rep;	/* one page */
	bool busy;				/* on the report queue */
};

struct pvb_fpb {
	struct pvb *vb;
	struct virtqueue *cmd_vq, *report_vq;
	struct workqueue_struct *wq;
	struct work_struct work;
	/* Woken by report buffers coming back, new commands and unload. */
	wait_queue_head_t wait;
	/* A command came back since the work last looked. */
	atomic_t cmd_pending;
	struct virtio_balloon_fpb_cmd *cmd;
	u32 prev_cmd_id;
	/*
	 * Report buffers.  Only the work touches them (and attach/detach,
	 * when the work cannot run).
	 */
	unsigned int nr_bufs, nr_busy;
	struct fpb_buf *bufs;
	struct fpb_buf **batch;		/* the answer being built */
};

/* One answer being collected. */
struct fpb_collect {
	struct pvb_fpb *f;
	unsigned int nr_batch;		/* buffers in f->batch[] */
	unsigned int scan;		/* next f->bufs[] index to try */
	struct virtio_balloon_fpb_report *rep;	/* batch[nr_batch - 1] */
	unsigned int nr;		/* ranges in rep */
	struct zone *zone;		/* of the blocks in rep's last range */
	u64 blocks, ranges, pages, lock_breaks, lost_cursors, skipped;
	bool full;			/* out of buffers */
};

static bool fpb_abandon(struct pvb_fpb *f)
{
	/* No vb: a dry run, which nothing cancels. */
	return atomic_read(&f->cmd_pending) || (f->vb && pvb_stopping(f->vb));
}

static unsigned long fpb_timeout(void)
{
	return msecs_to_jiffies(max(READ_ONCE(fpb_timeout_ms), 1u));
}

/* --- queues -------------------------------------------------------------- */

static int fpb_post_cmd(struct pvb_fpb *f)
{
	struct scatterlist sg;

	memset(f->cmd, 0, sizeof(*f->cmd));
	sg_init_one(&sg, f->cmd, sizeof(*f->cmd));
	return virtqueue_add_inbuf(f->cmd_vq, &sg, 1, f->cmd, GFP_KERNEL);
}

/*
 * Take the command the device returned, re-post the buffer at once and
 * return the cmd_id (0: nothing valid to answer).
 */
static u32 fpb_take_cmd(struct pvb_fpb *f)
{
	unsigned int len = 0, got = 0, l;
	u32 cmd_id;
	int err;

	/* Fully ordered: a command returned after this re-runs the work. */
	atomic_xchg(&f->cmd_pending, 0);

	while (virtqueue_get_buf(f->cmd_vq, &l)) {
		len = l;
		got++;
	}
	if (!got)
		return 0;

	cmd_id = le32_to_cpu(f->cmd->cmd_id);
	err = fpb_post_cmd(f);
	if (err)
		dev_warn(&f->vb->vdev->dev,
			 "cannot re-post the command buffer: %d\n", err);
	else
		virtqueue_kick(f->cmd_vq);

	FPB_CNT_ADD(requests, 1);
	if (len < sizeof(f->cmd->cmd_id) || !cmd_id) {
		FPB_CNT_ADD(invalid, 1);
		return 0;
	}
	FPB_CNT_SET(last_cmd_id, cmd_id);
	return cmd_id;
}

/* Take back what the device consumed; returns buffers still out. */
static unsigned int fpb_reclaim(struct pvb_fpb *f)
{
	struct fpb_buf *b;
	unsigned int len;

	while ((b = virtqueue_get_buf(f->report_vq, &len))) {
		b->busy = false;
		f->nr_busy--;
	}
	return f->nr_busy;
}

static int fpb_queue_buf(struct pvb_fpb *f, struct fpb_buf *b,
			 unsigned int len)
{
	struct scatterlist sg;
	unsigned int busy;
	int err;

	sg_init_one(&sg, b->rep, len);
	for (;;) {
		err = virtqueue_add_outbuf(f->report_vq, &sg, 1, b, GFP_KERNEL);
		if (err != -ENOSPC || !f->nr_busy)
			break;
		/* Ring full: let the device drain some of it. */
		virtqueue_kick(f->report_vq);
		busy = f->nr_busy;
		if (!wait_event_timeout(f->wait,
					fpb_reclaim(f) < busy || fpb_abandon(f),
					fpb_timeout())) {
			FPB_CNT_ADD(timeouts, 1);
			return -ETIMEDOUT;
		}
		if (fpb_abandon(f))
			return -ECANCELED;
	}
	if (!err) {
		b->busy = true;
		f->nr_busy++;
	}
	return err;
}

static void fpb_set_header(struct virtio_balloon_fpb_report *rep, u32 cmd_id,
			   u32 flags, u32 nr, u32 collect_us)
{
	rep->cmd_id = cpu_to_le32(cmd_id);
	rep->flags = cpu_to_le32(flags);
	rep->nr_ranges = cpu_to_le32(nr);
	rep->collect_us = cpu_to_le32(collect_us);
}

static unsigned int fpb_buf_len(unsigned int nr)
{
	return sizeof(struct virtio_balloon_fpb_report) +
	       nr * sizeof(struct virtio_balloon_fpb_range);
}

/* Bounded wait until the device has taken every buffer we gave it. */
static void fpb_wait_idle(struct pvb_fpb *f)
{
	if (!wait_event_timeout(f->wait, !fpb_reclaim(f) || fpb_abandon(f),
				fpb_timeout()))
		FPB_CNT_ADD(timeouts, 1);
}

/* --- collection ---------------------------------------------------------- */

/* Start the next report buffer of the answer; false if none is left. */
static bool fpb_next_buf(struct fpb_collect *c)
{
	struct pvb_fpb *f = c->f;
	struct fpb_buf *b;

	while (c->scan < f->nr_bufs && f->bufs[c->scan].busy)
		c->scan++;
	if (c->scan == f->nr_bufs)
		return false;
	b = &f->bufs[c->scan++];
	f->batch[c->nr_batch++] = b;
	c->rep = b->rep;
	c->nr = 0;
	return true;
}

/* Do guest pages @a and @b lie in the same memory section? */
static bool fpb_same_section(u64 a, u64 b)
{
	return pfn_to_section_nr(a) == pfn_to_section_nr(b);
}

/*
 * Record the free block of 2^order pages at @pfn in @zone.  A block that
 * touches the previous range (neighbouring blocks of the largest order
 * never merge in the buddy allocator, and boot frees them in sequence) extends it, if the
 * range's blocks are of the same zone and the result stays within one
 * memory section.  A range of several regions could be dropped whole by a
 * device that does not clip: zones and nodes may touch, and QEMU's RAM
 * regions (DIMMs, NUMA nodes' memory backends) begin on section
 * boundaries.  A block never crosses a section (its order is at most
 * PFN_SECTION_SHIFT, asserted above), so checking the
 * ends of the merged range is enough.  Runs under zone->lock: no
 * allocation, no sleeping.
 */
static bool fpb_record(struct fpb_collect *c, struct zone *zone,
		       unsigned long pfn, unsigned int order)
{
	u64 start = (u64)pfn << FPB_FRAME_SHIFT;
	u64 len = 1ULL << (order + FPB_FRAME_SHIFT);
	struct virtio_balloon_fpb_range *r;

	if (c->nr && c->zone == zone) {
		u64 rstart, rlen;

		r = &c->rep->ranges[c->nr - 1];
		rstart = le64_to_cpu(r->pfn);
		rlen = le64_to_cpu(r->nr_pages);
		/* In guest pages: the range [first, last] and the block's. */
		if (rstart + rlen == start &&
		    fpb_same_section(rstart >> FPB_FRAME_SHIFT,
				     pfn + (1UL << order) - 1)) {
			r->nr_pages = cpu_to_le64(rlen + len);
			goto counted;
		}
		if (start + len == rstart &&
		    fpb_same_section(pfn,
				     (rstart + rlen - 1) >> FPB_FRAME_SHIFT)) {
			r->pfn = cpu_to_le64(start);
			r->nr_pages = cpu_to_le64(rlen + len);
			goto counted;
		}
	}
	if (c->nr == FPB_RANGES_PER_BUF && !fpb_next_buf(c)) {
		c->full = true;
		return false;
	}
	r = &c->rep->ranges[c->nr++];
	r->pfn = cpu_to_le64(start);
	r->nr_pages = cpu_to_le64(len);
	c->zone = zone;
	c->ranges++;
counted:
	c->blocks++;
	c->pages += len;
	return true;
}

/* Is @pos one of the list heads of @area (rather than a page)? */
static bool fpb_is_list_head(struct free_area *area, struct list_head *pos)
{
	return (void *)pos >= (void *)&area->free_list[0] &&
	       (void *)pos < (void *)&area->free_list[MIGRATE_TYPES];
}

/*
 * Find the walk's cursor, the free block at @pfn, again after zone->lock
 * was dropped; NULL if it is no longer a free buddy block of @order in
 * @zone.  The walk keeps a PFN, not a struct page *, across the unlocked
 * window: memory hot-remove may offline the block's section meanwhile and
 * free the memmap such a pointer points into (mm/page_reporting.c does not
 * keep a page across its unlock either: it rotates the list and starts
 * again from the head).  pfn_to_online_page() gives NULL for a section
 * that is offline or gone.  Offlining takes every free block of its range
 * off the free lists under zone->lock, marks the section offline after
 * that, and the memmap is freed later still, when the memory is removed;
 * so a section we see online keeps its memmap for the few instructions we
 * look.  That rests on the order of offline and remove, not on a lock we
 * hold: the window every pfn_to_online_page() user lives with
 * (get_online_mems(), which would close it, is not exported).  The list
 * links are followed only from a block that is still a free buddy block of
 * this order in this zone.
 */
static struct page *fpb_find_cursor(struct zone *zone, unsigned long pfn,
				    unsigned int order)
{
	struct page *page;

	lockdep_assert_held(&zone->lock);
	page = pfn_to_online_page(pfn);
	if (!page || page_zone(page) != zone || !PageBuddy(page) ||
	    pvb_buddy_order(page) != order)
		return NULL;
	return page;
}

/*
 * Walk the free list of (zone, order, migratetype), at most @max blocks per
 * hold of zone->lock.  Between holds the walk remembers the PFN of the last
 * block it recorded and resumes after it if that block is still a free
 * buddy block of this order in this zone (fpb_find_cursor()).  Such a
 * block is on one of this area's free lists (maybe another migratetype's,
 * if its pageblock changed type), so following the links from it meets
 * only free blocks of this order until it reaches one of the area's list
 * heads, where the walk ends.  If the block was allocated meanwhile, the
 * rest of the list is not reported (a lost cursor).
 */
static void fpb_walk_list(struct fpb_collect *c, struct zone *zone,
			  unsigned int order, int mt, unsigned int max)
{
	struct free_area *area = &zone->free_area[order];
	unsigned long flags, budget, cursor = 0;
	struct list_head *pos;
	struct page *page;
	bool resume = false;
	unsigned int seen;

	/* Termination even if blocks keep being freed behind the cursor. */
	budget = 2 * data_race(area->nr_free) + max;

	for (;;) {
		spin_lock_irqsave(&zone->lock, flags);
		if (resume) {
			page = fpb_find_cursor(zone, cursor, order);
			if (!page) {
				c->lost_cursors++;
				goto unlock;
			}
			pos = page->buddy_list.next;
		} else {
			pos = area->free_list[mt].next;
		}
		for (seen = 0; !fpb_is_list_head(area, pos) && seen < max;
		     pos = pos->next, seen++) {
			page = list_entry(pos, struct page, buddy_list);
			/*
			 * Under zone->lock a page on a free list is the head of
			 * a free buddy block whose order is in page->private
			 * (pvb_buddy_order()).
			 * Check anyway: a page in use must never be reported,
			 * and this is not a safe place to resume from.
			 */
			if (unlikely(!PageBuddy(page) ||
				     pvb_buddy_order(page) != order)) {
				c->skipped++;
				goto unlock;
			}
			cursor = page_to_pfn(page);
			if (!fpb_record(c, zone, cursor, order))
				goto unlock;
		}
		spin_unlock_irqrestore(&zone->lock, flags);

		/* Not at a list head: seen == max, cursor was recorded. */
		if (fpb_is_list_head(area, pos))
			return;
		if (budget <= seen || fpb_abandon(c->f))
			return;
		budget -= seen;
		resume = true;
		c->lock_breaks++;
		cond_resched();
	}

unlock:
	spin_unlock_irqrestore(&zone->lock, flags);
}

/* false: abandoned (a newer request came, or unload). */
static bool fpb_collect(struct pvb_fpb *f, struct fpb_collect *c)
{
	unsigned int max = max(READ_ONCE(fpb_max_per_lock), 1u);
	int min_order = min_t(int, READ_ONCE(fpb_min_order), PVB_NR_ORDERS - 1);
	int order, nid, mt;

	for (order = PVB_NR_ORDERS - 1; order >= min_order; order--) {
		for_each_online_node(nid) {
			pg_data_t *pgdat = NODE_DATA(nid);
			struct zone *zone;

			for (zone = pgdat->node_zones;
			     zone < pgdat->node_zones + MAX_NR_ZONES; zone++) {
				if (!populated_zone(zone))
					continue;
				/* Racy peek: skip empty orders without the lock. */
				if (!data_race(zone->free_area[order].nr_free))
					continue;
				for (mt = 0; mt < MIGRATE_TYPES; mt++) {
					if (fpb_abandon(f))
						return false;
					fpb_walk_list(c, zone, order, mt, max);
					if (c->full)
						return true;
					cond_resched();
				}
			}
		}
	}
	return true;
}

static void fpb_count_collection(struct fpb_collect *c, u64 us,
				 unsigned long free_pages)
{
	FPB_CNT_ADD(lock_breaks, c->lock_breaks);
	FPB_CNT_ADD(lost_cursors, c->lost_cursors);
	FPB_CNT_ADD(skipped, c->skipped);
	if (c->full)
		FPB_CNT_ADD(truncated, 1);
	FPB_CNT_SET(last_collect_us, us);
	FPB_CNT_SET(last_ranges, c->ranges);
	FPB_CNT_SET(last_blocks, c->blocks);
	FPB_CNT_SET(last_pages, c->pages);
	FPB_CNT_SET(last_free_pages, (u64)free_pages << FPB_FRAME_SHIFT);
	FPB_CNT_SET(last_buffers, c->nr_batch);
}

/*
 * fpb_dump: the collected ranges to the kernel log, in 4 KiB frames, so that
 * a test can check them against the guest's memory layout.  Not under any
 * lock; the device only reads the buffers.
 */
static void fpb_dump_ranges(struct fpb_collect *c, u32 cmd_id)
{
	struct virtio_balloon_fpb_report *rep;
	unsigned int i, j, nr;

	if (!READ_ONCE(fpb_dump))
		return;
	for (i = 0; i < c->nr_batch; i++) {
		rep = c->f->batch[i]->rep;
		nr = i == c->nr_batch - 1 ? c->nr : FPB_RANGES_PER_BUF;
		for (j = 0; j < nr; j++)
			pr_info("fpb_dump %u %llu %llu\n", cmd_id,
				le64_to_cpu(rep->ranges[j].pfn),
				le64_to_cpu(rep->ranges[j].nr_pages));
	}
	pr_info("fpb_dump %u end %llu ranges %llu blocks\n", cmd_id,
		c->ranges, c->blocks);
}

/* --- answers ------------------------------------------------------------- */

/* Queue the collected answer under @cmd_id; false if not all went out. */
static bool fpb_send(struct pvb_fpb *f, struct fpb_collect *c, u32 cmd_id,
		     u32 collect_us)
{
	unsigned int i, nr;
	bool last;

	for (i = 0; i < c->nr_batch; i++) {
		last = i == c->nr_batch - 1;
		nr = last ? c->nr : FPB_RANGES_PER_BUF;
		fpb_set_header(f->batch[i]->rep, cmd_id,
			       last ? VIRTIO_BALLOON_FPB_F_LAST : 0, nr,
			       last ? collect_us : 0);
		if (fpb_abandon(f) || fpb_queue_buf(f, f->batch[i],
						    fpb_buf_len(nr))) {
			virtqueue_kick(f->report_vq);
			return false;
		}
	}
	virtqueue_kick(f->report_vq);
	return true;
}

/* The stale cmd_id for FPB_BOGUS_STALE_ID: the previous one, or another. */
static u32 fpb_wrong_id(struct pvb_fpb *f, u32 cmd_id)
{
	if (f->prev_cmd_id && f->prev_cmd_id != cmd_id)
		return f->prev_cmd_id;
	return cmd_id + 1 ? cmd_id + 1 : 1;
}

/* Synthetic malformed answers (modes 1 and 2). */
static void fpb_answer_synthetic(struct pvb_fpb *f, struct fpb_collect *c,
				 u32 cmd_id, unsigned int mode)
{
	/* Nothing here may name guest RAM: a lax device must not skip it. */
	static const u64 bad[][2] = {
		{ 1ULL << 40, 16 },	/* 4 PiB: beyond any guest's RAM */
		{ U64_MAX - 3, 8 },	/* wraps around */
		{ 1ULL << 41, 0 },	/* empty */
	};
	struct virtio_balloon_fpb_report *rep = c->rep;
	unsigned int i;

	if (mode == FPB_BOGUS_OUTSIDE_RAM) {
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			rep->ranges[i].pfn = cpu_to_le64(bad[i][0]);
			rep->ranges[i].nr_pages = cpu_to_le64(bad[i][1]);
		}
		fpb_set_header(rep, cmd_id, VIRTIO_BALLOON_FPB_F_LAST,
			       ARRAY_SIZE(bad), 0);
		fpb_queue_buf(f, f->batch[0], fpb_buf_len(ARRAY_SIZE(bad)));
	} else {
		/* Claims 4 ranges, carries 2. */
		for (i = 0; i < 4; i++) {
			rep->ranges[i].pfn = cpu_to_le64((1ULL << 40) + i * 16);
			rep->ranges[i].nr_pages = cpu_to_le64(16);
		}
		fpb_set_header(rep, cmd_id, VIRTIO_BALLOON_FPB_F_LAST, 4, 0);
		if (!fpb_queue_buf(f, f->batch[0], fpb_buf_len(2)) &&
		    fpb_next_buf(c)) {
			/* Shorter than the header: cmd_id and flags only. */
			fpb_set_header(c->rep, cmd_id,
				       VIRTIO_BALLOON_FPB_F_LAST, 0, 0);
			fpb_queue_buf(f, f->batch[1], 8);
		}
	}
	virtqueue_kick(f->report_vq);
}

static void fpb_answer(struct pvb_fpb *f, u32 cmd_id)
{
	unsigned int mode = min(READ_ONCE(fpb_bogus), (unsigned int)FPB_BOGUS_MAX);
	struct fpb_collect c = { .f = f };
	u32 answer_id = cmd_id;
	unsigned long free_pages;
	ktime_t t0;
	u64 us;

	/* Buffers of earlier answers the device has not returned stay out. */
	if (fpb_reclaim(f) == f->nr_bufs)
		fpb_wait_idle(f);
	if (fpb_abandon(f)) {
		FPB_CNT_ADD(abandoned, 1);
		return;
	}
	if (!fpb_next_buf(&c)) {
		dev_warn_ratelimited(&f->vb->vdev->dev,
				     "request %u: no report buffer free\n",
				     cmd_id);
		return;
	}

	if (mode == FPB_BOGUS_OUTSIDE_RAM || mode == FPB_BOGUS_TRUNCATED) {
		fpb_answer_synthetic(f, &c, cmd_id, mode);
		FPB_CNT_ADD(bogus_sent, 1);
		goto out;
	}

	free_pages = global_zone_page_state(NR_FREE_PAGES);
	t0 = ktime_get();
	if (!fpb_collect(f, &c)) {
		FPB_CNT_ADD(abandoned, 1);
		return;
	}
	us = min_t(u64, ktime_us_delta(ktime_get(), t0), U32_MAX);

	if (mode == FPB_BOGUS_STALE_ID) {
		answer_id = fpb_wrong_id(f, cmd_id);
		FPB_CNT_ADD(bogus_sent, 1);
	}
	if (!fpb_send(f, &c, answer_id, us)) {
		FPB_CNT_ADD(abandoned, 1);
		goto out;
	}
	if (mode == FPB_BOGUS_AFTER_LAST) {
		/* The answer's buffers are busy: this picks another one. */
		struct fpb_collect extra = { .f = f };

		if (fpb_next_buf(&extra)) {
			fpb_set_header(extra.rep, cmd_id, 0, 0, 0);
			if (!fpb_queue_buf(f, f->batch[extra.nr_batch - 1],
					   fpb_buf_len(0)))
				virtqueue_kick(f->report_vq);
		}
		FPB_CNT_ADD(bogus_sent, 1);
	}

	fpb_count_collection(&c, us, free_pages);
	fpb_dump_ranges(&c, answer_id);
	if (mode != FPB_BOGUS_STALE_ID) {
		FPB_CNT_ADD(answers, 1);
		FPB_CNT_ADD(ranges, c.ranges);
		FPB_CNT_ADD(pages, c.pages);
	}
out:
	/* So that the next request finds its buffers free. */
	fpb_wait_idle(f);
}

static void fpb_work_fn(struct work_struct *work)
{
	struct pvb_fpb *f = container_of(work, struct pvb_fpb, work);
	unsigned int delay;
	u32 cmd_id;

	cmd_id = fpb_take_cmd(f);
	if (!cmd_id)
		return;

	if (READ_ONCE(fpb_silent)) {
		FPB_CNT_ADD(ignored, 1);
		goto done;
	}

	delay = READ_ONCE(fpb_delay_ms);
	if (delay) {
		wait_event_timeout(f->wait, fpb_abandon(f),
				   msecs_to_jiffies(delay));
		if (fpb_abandon(f)) {
			FPB_CNT_ADD(abandoned, 1);
			goto done;
		}
	}

	fpb_answer(f, cmd_id);
done:
	f->prev_cmd_id = cmd_id;
}

/* --- callbacks and life cycle -------------------------------------------- */

void pvb_fpb_cmd_done(struct virtqueue *vq)
{
	struct pvb *vb = vq->vdev->priv;
	struct pvb_fpb *f = vb->fpb;
	unsigned long flags;

	spin_lock_irqsave(&vb->stop_lock, flags);
	if (!vb->stop) {
		atomic_set(&f->cmd_pending, 1);
		wake_up(&f->wait);	/* cut a delay or a wait short */
		queue_work(f->wq, &f->work);
	}
	spin_unlock_irqrestore(&vb->stop_lock, flags);
}

void pvb_fpb_report_done(struct virtqueue *vq)
{
	struct pvb *vb = vq->vdev->priv;

	wake_up(&vb->fpb->wait);
}

static void fpb_free(struct pvb_fpb *f)
{
	unsigned int i;

	if (f->wq)
		destroy_workqueue(f->wq);
	if (f->bufs)
		for (i = 0; i < f->nr_bufs; i++)
			free_page((unsigned long)f->bufs[i].rep);
	kfree(f->batch);
	kfree(f->bufs);
	kfree(f->cmd);
	kfree(f);
}

static struct pvb_fpb *fpb_alloc(void)
{
	struct pvb_fpb *f;
	unsigned int i;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return NULL;
	INIT_WORK(&f->work, fpb_work_fn);
	init_waitqueue_head(&f->wait);
	atomic_set(&f->cmd_pending, 0);

	f->nr_bufs = clamp_t(unsigned int, READ_ONCE(fpb_buffers), 1,
			     FPB_MAX_BUFFERS);
	f->cmd = kzalloc(sizeof(*f->cmd), GFP_KERNEL);
	f->bufs = kcalloc(f->nr_bufs, sizeof(*f->bufs), GFP_KERNEL);
	f->batch = kcalloc(f->nr_bufs, sizeof(*f->batch), GFP_KERNEL);
	if (!f->cmd || !f->bufs || !f->batch)
		goto err;
	for (i = 0; i < f->nr_bufs; i++) {
		f->bufs[i].rep = (void *)__get_free_page(GFP_KERNEL);
		if (!f->bufs[i].rep)
			goto err;
	}
	return f;

err:
	fpb_free(f);
	return NULL;
}

int pvb_fpb_create(struct pvb *vb)
{
	struct pvb_fpb *f = fpb_alloc();

	if (!f)
		return -ENOMEM;
	f->vb = vb;
	/*
	 * Our own queue: high priority, since migration waits for the answer
	 * even when the guest is busy; freezable, like the balloon's works.
	 */
	f->wq = alloc_ordered_workqueue("pvmig_fpb", WQ_FREEZABLE | WQ_HIGHPRI);
	if (!f->wq) {
		fpb_free(f);
		return -ENOMEM;
	}
	vb->fpb = f;
	return 0;
}

void pvb_fpb_destroy(struct pvb *vb)
{
	if (vb->fpb)
		fpb_free(vb->fpb);
	vb->fpb = NULL;
}

/* New queues (probe, restore): post the command buffer, not kicked yet. */
int pvb_fpb_attach(struct pvb *vb, struct virtqueue *cmd_vq,
		   struct virtqueue *report_vq)
{
	struct pvb_fpb *f = vb->fpb;

	f->cmd_vq = cmd_vq;
	f->report_vq = report_vq;
	return fpb_post_cmd(f);
}

void pvb_fpb_kick(struct pvb *vb)
{
	virtqueue_kick(vb->fpb->cmd_vq);
}

/* vb->stop is set: cut any wait short and wait for the work to finish. */
void pvb_fpb_stop(struct pvb *vb)
{
	struct pvb_fpb *f = vb->fpb;

	wake_up_all(&f->wait);
	cancel_work_sync(&f->work);
}

/* After the device reset: take every buffer back from the queues. */
void pvb_fpb_detach(struct pvb *vb)
{
	struct pvb_fpb *f = vb->fpb;
	struct fpb_buf *b;

	fpb_reclaim(f);
	while ((b = virtqueue_detach_unused_buf(f->report_vq))) {
		b->busy = false;
		f->nr_busy--;
	}
	WARN_ON(f->nr_busy);
	f->nr_busy = 0;
	while (virtqueue_detach_unused_buf(f->cmd_vq))
		;
}

/* --- measurement without a device ---------------------------------------- */

/*
 * fpb_dry_run: writing to it collects the free pages as for a request, into
 * a private set of buffers, and sends nothing.  It updates the last_*
 * counters, so the guest-side cost can be measured with any device (or none).
 */
static int fpb_dry_run_set(const char *val, const struct kernel_param *kp)
{
	struct fpb_collect c = {};
	unsigned long free_pages;
	ktime_t t0;
	u64 us;

	c.f = fpb_alloc();
	if (!c.f)
		return -ENOMEM;
	fpb_next_buf(&c);
	free_pages = global_zone_page_state(NR_FREE_PAGES);
	t0 = ktime_get();
	fpb_collect(c.f, &c);
	us = ktime_us_delta(ktime_get(), t0);
	fpb_count_collection(&c, us, free_pages);
	fpb_dump_ranges(&c, 0);
	FPB_CNT_ADD(dry_runs, 1);
	fpb_free(c.f);
	return 0;
}

static const struct kernel_param_ops fpb_dry_run_ops = {
	.set = fpb_dry_run_set,
};
module_param_cb(fpb_dry_run, &fpb_dry_run_ops, NULL, 0200);
MODULE_PARM_DESC(fpb_dry_run,
		 "Write anything: collect the free pages without sending them (updates the last_* counters)");
