/*
 * kvm_guest: every protocol constant and every guest-physical address the
 * guest and kvm_dirty.py agree on.  The free page bitmap constants are
 * this guest's copy of impl/PROTOCOL.md / impl/guest/fpb_proto.h; change
 * them here only.  kvm_dirty.py parses the "#define KG_" lines of this
 * file, so keep them plain integer literals.
 */
#ifndef KVM_GUEST_LAYOUT_H
#define KVM_GUEST_LAYOUT_H

/* ---- free page bitmap protocol (impl/PROTOCOL.md) ---- */
/* Feature bit: 23 in the current series, 6 in the older one.  The guest
 * takes 23 if the device offers it, else 6. */
#define KG_FPB_FEATURE_BIT		23
#define KG_FPB_FEATURE_BIT_OLD		6
/* Queues are numbered densely: inflate 0, deflate 1, stats 2, then
 * free_page_vq if FREE_PAGE_HINT (bit 3) is offered, reporting_vq if
 * REPORTING (bit 5) is offered, then fpb-cmd and fpb-report. */
#define KG_FPB_FIRST_VQ_BASE		3
#define KG_F_FREE_PAGE_HINT		3
#define KG_F_REPORTING			5
#define KG_FPB_CMD_LEN			16
#define KG_FPB_F_LAST			1
#define KG_FPB_MAX_BUF_RANGES		4095

/* ---- legacy virtio-pci (I/O BAR 0), as impl/qemu/tests/vqdrv.py ---- */
#define KG_VIRTIO_VENDOR		0x1af4
#define KG_BALLOON_DEVICE		0x1002
#define KG_VP_HOST_FEATURES		0
#define KG_VP_GUEST_FEATURES		4
#define KG_VP_QUEUE_PFN			8
#define KG_VP_QUEUE_NUM			12
#define KG_VP_QUEUE_SEL			14
#define KG_VP_QUEUE_NOTIFY		16
#define KG_VP_STATUS			18
#define KG_VP_ISR			19
#define KG_VRING_ALIGN			4096
#define KG_DEBUGCON_PORT		0xe9

/* ---- guest-physical layout (the ELF is linked at 1 MiB) ---- */
/* Status words, one 4 KiB page: see struct kg_status in guest.c. */
#define KG_STATUS_ADDR			0x300000
#define KG_STATUS_MAGIC			0x4b47444b	/* "KDGK" */
/* Rings: 64 KiB each (QEMU 10.0 shows legacy drivers 1024 entries for
 * every queue, whatever size the device asked for: 7 pages). */
#define KG_CMDQ_ADDR			0x200000
#define KG_REPQ_ADDR			0x210000
#define KG_CMDBUF_ADDR			0x220000
/* Report buffers: KG_REPBUF_SLOTS slots of 64 KiB. */
#define KG_REPBUF_ADDR			0x230000
#define KG_REPBUF_SLOTS			4
/* W: written round-robin from boot.  H: never touched before the answer. */
#define KG_W_ADDR			0x400000	/* 4 MiB */
#define KG_W_PAGES_DEFAULT		1024
#define KG_H_ADDR			0x1000000	/* 16 MiB */
#define KG_H_PAGES_DEFAULT		4096
/* touch=N: from 64 MiB, at most up to 3 GiB (the pc machine's RAM below
 * the PCI hole when it has 3.5 GiB or more). */
#define KG_TOUCH_ADDR			0x4000000
#define KG_TOUCH_MAX_MIB		3008
/* touchhi=N: the page directory (PSE-36, 4 KiB). */
#define KG_PT_ADDR			0x2c0000
/* Page stamp: the first 16 bytes of each written page. */
#define KG_STAMP_W			0x57575757
#define KG_STAMP_H			0x48484848

#endif
