/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvmig_balloon: what differs between the kernels the driver is built for,
 * Debian bookworm's 6.1 and 6.12 (impl/guest/README.md, "Kernels").  The
 * driver is written against the newer interfaces; this file maps them onto
 * the older ones.  A feature test (a macro the change itself introduced, or
 * the size of the structure that changed) is used where one exists, the
 * version only where the change left nothing to test for.
 */
#ifndef PVMIG_COMPAT_H
#define PVMIG_COMPAT_H

#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/stddef.h>
#include <linux/version.h>
#include <linux/virtio_config.h>

/*
 * 6.0 gave free pages their own list member (page->buddy_list, a union
 * with lru) and 6.1 is the oldest kernel this driver has been tested on.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "pvmig_balloon needs Linux 6.1 or later"
#endif

/*
 * The number of buddy orders, i.e. of zone->free_area[] entries.  The
 * macro that names it changed meaning twice: up to 6.3 MAX_ORDER was one
 * past the largest order (free_area[MAX_ORDER]); 6.4 made it the largest
 * order itself (free_area[MAX_ORDER + 1]); 6.8 renamed that to
 * MAX_PAGE_ORDER and added NR_PAGE_ORDERS for the count.  A kernel with a
 * MAX_ORDER of either meaning compiles the same code, so the count is
 * taken from the array the walk indexes, which cannot be misread, and
 * checked against the macro of its era.
 */
#define PVB_NR_ORDERS \
	(sizeof_field(struct zone, free_area) / sizeof(struct free_area))

#if defined(NR_PAGE_ORDERS)
static_assert(PVB_NR_ORDERS == NR_PAGE_ORDERS);
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
static_assert(PVB_NR_ORDERS == MAX_ORDER + 1);
#else
static_assert(PVB_NR_ORDERS == MAX_ORDER);
#endif

/*
 * The order of a free buddy block, which the allocator keeps in the head
 * page's private field (mm/internal.h's buddy_order(), not visible to
 * modules).  Meaningful only for a PageBuddy() page under zone->lock.
 */
static inline unsigned int pvb_buddy_order(struct page *page)
{
	return page_private(page);
}

/*
 * 6.11 replaced virtio_find_vqs()'s parallel arrays of callbacks and names
 * with one array of struct virtqueue_info.  The driver fills the new
 * structure; on older kernels it is declared here and split back into the
 * two arrays.  A slot without a name is skipped by the transport and takes
 * no queue number, in both interfaces.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
struct virtqueue_info {
	const char *name;
	vq_callback_t *callback;
	bool ctx;
};

static inline int pvb_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			       struct virtqueue *vqs[],
			       struct virtqueue_info vqs_info[])
{
	vq_callback_t *callbacks[8];
	const char *names[8];
	unsigned int i;

	if (WARN_ON(nvqs > ARRAY_SIZE(names)))
		return -EINVAL;
	for (i = 0; i < nvqs; i++) {
		names[i] = vqs_info[i].name;
		callbacks[i] = vqs_info[i].callback;
	}
	return virtio_find_vqs(vdev, nvqs, vqs, callbacks, names, NULL);
}
#else
static inline int pvb_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			       struct virtqueue *vqs[],
			       struct virtqueue_info vqs_info[])
{
	return virtio_find_vqs(vdev, nvqs, vqs, vqs_info, NULL);
}
#endif

#endif /* PVMIG_COMPAT_H */
