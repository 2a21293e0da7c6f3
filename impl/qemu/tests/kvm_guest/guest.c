/*
 * kvm_guest: a guest of a few instructions that writes memory while it is
 * migrated, and answers the free page bitmap request of virtio-balloon.
 *
 * In the style of kvm-unit-tests: a multiboot ELF that QEMU loads with
 * -kernel, 32-bit protected mode, no paging, no interrupts, polling only.
 * What it does (addresses and constants in layout.h):
 *
 *   1. finds the virtio-balloon PCI function (legacy/transitional, I/O BAR),
 *      negotiates only the free page bitmap feature (bit 23 if offered, else
 *      the old bit 6), sets up the fpb-cmd and fpb-report split rings and
 *      keeps one 16-byte command buffer posted;
 *   2. loops forever: each pass writes a stamp (magic, generation, page
 *      index, loop count) into the next page of W, round-robin, and polls
 *      the fpb-cmd used ring;
 *   3. on a command it re-posts the buffer and at once answers with ranges
 *      covering all of H (never written so far) and the upper half of W,
 *      then from the next pass on also writes H round-robin.  Pages of H
 *      and W written after the answer reach the destination only through
 *      the dirty log after the hint.  Once every page of W, and of H, has
 *      been written after the answer, it says so on debugcon: from then on
 *      the memory holds no page whose content the guest gave up (a hinted
 *      page it did not write again), so all of it must arrive intact.
 *
 * Progress goes to the debugcon port (0xe9), one line per event, each
 * starting "kg: ".  The counters are also in struct kg_status at
 * KG_STATUS_ADDR, for whoever reads a memory dump.
 *
 * Command line (multiboot, -append): "nofpb" leaves the feature
 * unnegotiated (the driver-absent case), "w=N" / "h=N" set the sizes of W
 * and H in pages (0: do not write), "tick=N" prints a line every 2^N loops,
 * "touch=N" writes every page of N MiB from KG_TOUCH_ADDR once at boot,
 * "touchhi=N" every page of N MiB from 4 GiB (through PSE-36 paging).
 */
#include <stdint.h>
#include "layout.h"

#define barrier() __asm__ __volatile__("" ::: "memory")

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* gcc may emit calls to these even when freestanding */
void *memset(void *d, int c, uint32_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}
void *memcpy(void *d, const void *s, uint32_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

/* ---- debugcon ---- */
static void kputs(const char *s)
{
	while (*s)
		outb(KG_DEBUGCON_PORT, (uint8_t)*s++);
}
static void kputx(uint32_t v)
{
	char b[11];
	int i;

	b[0] = '0';
	b[1] = 'x';
	for (i = 0; i < 8; i++)
		b[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
	b[10] = 0;
	kputs(b);
}
static void kputu(uint32_t v)
{
	char b[11];
	int i = 10;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	kputs(b + i);
}

/* ---- state shared with a memory dump reader (kvm_dirty.py) ---- */
struct kg_status {
	uint32_t magic;		/* KG_STATUS_MAGIC once set up */
	uint32_t phase;		/* enum kg_phase */
	uint32_t fpb_bit;	/* negotiated feature bit, 0: none */
	uint32_t answers;	/* commands answered */
	uint32_t last_cmd_id;
	uint32_t h_pages_after;	/* distinct H pages written after the answer */
	uint32_t h_writes;	/* H page writes after the answer */
	uint32_t w_writes_after; /* W page writes after the answer */
	uint32_t w_gen;		/* W passes */
	uint32_t loops;
	uint32_t w_pages;
	uint32_t h_pages;
	uint32_t loops_at_answer;
};
enum kg_phase { KG_BOOT = 1, KG_RUNNING = 2, KG_ANSWERED = 3, KG_FAILED = 9 };

static volatile struct kg_status *const st =
	(volatile struct kg_status *)KG_STATUS_ADDR;

/* ---- PCI config space, mechanism #1 ---- */
static uint32_t pci_addr(uint32_t dev, uint32_t off)
{
	return 0x80000000u | (dev << 11) | (off & 0xfc);
}
static uint32_t pci_read32(uint32_t dev, uint32_t off)
{
	outl(0xcf8, pci_addr(dev, off));
	return inl(0xcfc);
}
static void pci_write32(uint32_t dev, uint32_t off, uint32_t v)
{
	outl(0xcf8, pci_addr(dev, off));
	outl(0xcfc, v);
}

/* ---- split virtqueue, legacy layout ---- */
struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VRING_DESC_F_WRITE 2

struct vq {
	uint16_t index, size;
	volatile struct vring_desc *desc;
	volatile uint16_t *avail;	/* flags, idx, ring[size], used_event */
	volatile uint16_t *used;	/* flags, idx, then {le32 id, le32 len}[] */
	uint16_t avail_idx, used_seen;
};

static uint16_t io;

static int vq_setup(struct vq *q, uint16_t index, uint32_t base)
{
	uint32_t avail_end;

	outw(io + KG_VP_QUEUE_SEL, index);
	q->index = index;
	q->size = inw(io + KG_VP_QUEUE_NUM);
	if (!q->size || q->size > 1024) {
		kputs("kg: queue ");
		kputu(index);
		kputs(" has size ");
		kputu(q->size);
		kputs("\n");
		return -1;
	}
	memset((void *)base, 0, 0x10000);
	q->desc = (volatile struct vring_desc *)base;
	q->avail = (volatile uint16_t *)(base + 16u * q->size);
	avail_end = base + 16u * q->size + 6 + 2u * q->size;
	q->used = (volatile uint16_t *)((avail_end + KG_VRING_ALIGN - 1) &
					~(uint32_t)(KG_VRING_ALIGN - 1));
	q->avail_idx = q->used_seen = 0;
	outl(io + KG_VP_QUEUE_PFN, base >> 12);
	return 0;
}

/* Post one buffer in descriptor @d; notify the device. */
static void vq_post(struct vq *q, uint16_t d, uint32_t addr, uint32_t len,
		    uint16_t flags)
{
	q->desc[d].addr = addr;
	q->desc[d].len = len;
	q->desc[d].flags = flags;
	q->desc[d].next = 0;
	q->avail[2 + q->avail_idx % q->size] = d;
	barrier();
	q->avail_idx++;
	q->avail[1] = q->avail_idx;
	barrier();
	outw(io + KG_VP_QUEUE_NOTIFY, q->index);
}

/* The next used element's length, or -1 when there is none. */
static int32_t vq_pop_used(struct vq *q)
{
	volatile uint32_t *e;

	if (q->used[1] == q->used_seen)
		return -1;
	barrier();
	e = (volatile uint32_t *)(q->used + 2) + 2 * (q->used_seen % q->size);
	q->used_seen++;
	return (int32_t)e[1];
}

/* ---- command line ---- */
static uint32_t w_pages = KG_W_PAGES_DEFAULT, h_pages = KG_H_PAGES_DEFAULT;
static uint32_t tick_shift = 17;
static int no_fpb;
static uint32_t touch_mib, touch_hi_mib;

static int word_is(const char *p, const char *w)
{
	while (*w && *p == *w) {
		p++;
		w++;
	}
	return !*w && (*p == 0 || *p == ' ' || *p == '=');
}
static uint32_t word_val(const char *p)
{
	uint32_t v = 0;

	while (*p && *p != ' ' && *p != '=')
		p++;
	if (*p == '=')
		p++;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint32_t)(*p++ - '0');
	return v;
}
static void parse_cmdline(const char *p)
{
	while (*p) {
		while (*p == ' ')
			p++;
		if (word_is(p, "nofpb"))
			no_fpb = 1;
		else if (word_is(p, "w"))
			w_pages = word_val(p);
		else if (word_is(p, "h"))
			h_pages = word_val(p);
		else if (word_is(p, "tick"))
			tick_shift = word_val(p);
		else if (word_is(p, "touch"))
			touch_mib = word_val(p);
		else if (word_is(p, "touchhi"))
			touch_hi_mib = word_val(p);
		while (*p && *p != ' ')
			p++;
	}
}

static void die(const char *why)
{
	st->phase = KG_FAILED;
	kputs("kg: FAILED: ");
	kputs(why);
	kputs("\n");
	for (;;)
		__asm__ __volatile__("hlt");
}

/* ---- the free page bitmap driver ---- */
static struct vq cmdq, repq;
static uint32_t rep_posted;

static void stamp(uint32_t addr, uint32_t magic, uint32_t gen, uint32_t idx)
{
	volatile uint32_t *p = (volatile uint32_t *)addr;

	p[0] = magic;
	p[1] = gen;
	p[2] = idx;
	p[3] = st->loops;
	p[1023] = gen ^ idx;
}

/* Answer @cmd_id: H whole and the upper half of W, in one LAST buffer. */
static uint32_t answer(uint32_t cmd_id)
{
	uint32_t slot = rep_posted % KG_REPBUF_SLOTS;
	volatile uint32_t *b = (volatile uint32_t *)(KG_REPBUF_ADDR + slot * 0x10000);
	volatile uint32_t *r = b + 4;
	uint32_t n = 0;

	if ((uint16_t)(repq.avail_idx - repq.used[1]) >= KG_REPBUF_SLOTS)
		kputs("kg: warning: report buffers still in flight\n");
	if (h_pages) {
		r[0] = KG_H_ADDR >> 12; r[1] = 0;	/* le64 pfn */
		r[2] = h_pages; r[3] = 0;		/* le64 nr_pages */
		r += 4;
		n++;
	}
	if (w_pages >= 2) {
		r[0] = (KG_W_ADDR >> 12) + w_pages / 2; r[1] = 0;
		r[2] = w_pages - w_pages / 2; r[3] = 0;
		n++;
	}
	b[0] = cmd_id;
	b[1] = KG_FPB_F_LAST;
	b[2] = n;
	b[3] = 0;	/* collect_us: no clock here */
	vq_post(&repq, (uint16_t)(rep_posted % repq.size),
		(uint32_t)b, 16 + 16 * n, 0);
	rep_posted++;
	return n;
}

/* Find the balloon, negotiate; returns the negotiated fpb bit or 0. */
static uint32_t balloon_init(void)
{
	uint32_t dev, id = 0, bar, hf, gf = 0, bit = 0, first;

	for (dev = 0; dev < 32; dev++) {
		id = pci_read32(dev, 0);
		if ((id & 0xffff) == KG_VIRTIO_VENDOR && (id >> 16) == KG_BALLOON_DEVICE)
			break;
	}
	if (dev == 32)
		die("no virtio-balloon (1af4:1002) on PCI bus 0");
	bar = pci_read32(dev, 0x10);
	if (!(bar & 1))
		die("BAR0 is not an I/O BAR (not a legacy/transitional device?)");
	if (!(bar & ~3u)) {
		pci_write32(dev, 0x10, 0xc000);
		bar = pci_read32(dev, 0x10);
	}
	io = (uint16_t)(bar & ~3u);
	/* command register: I/O space, bus master */
	pci_write32(dev, 0x04, (pci_read32(dev, 0x04) & 0xffff) | 0x5);

	outb(io + KG_VP_STATUS, 0);		/* reset */
	outb(io + KG_VP_STATUS, 1 | 2);		/* ACKNOWLEDGE | DRIVER */
	hf = inl(io + KG_VP_HOST_FEATURES);
	kputs("kg: balloon at 00:");
	kputu(dev);
	kputs(".0 io ");
	kputx(io);
	kputs(" host_features ");
	kputx(hf);
	kputs("\n");

	if (no_fpb) {
		kputs("kg: fpb feature not negotiated (nofpb)\n");
	} else if (hf & (1u << KG_FPB_FEATURE_BIT)) {
		bit = KG_FPB_FEATURE_BIT;
		kputs("kg: fpb feature bit 23 (new layout)\n");
	} else if (hf & (1u << KG_FPB_FEATURE_BIT_OLD)) {
		bit = KG_FPB_FEATURE_BIT_OLD;
		kputs("kg: fpb feature bit 6 (old layout)\n");
	} else {
		kputs("kg: fpb feature not offered\n");
	}
	if (bit)
		gf = 1u << bit;
	outl(io + KG_VP_GUEST_FEATURES, gf);
	if (bit) {
		first = KG_FPB_FIRST_VQ_BASE + !!(hf & (1u << KG_F_FREE_PAGE_HINT)) +
			!!(hf & (1u << KG_F_REPORTING));
		if (vq_setup(&cmdq, (uint16_t)first, KG_CMDQ_ADDR) ||
		    vq_setup(&repq, (uint16_t)(first + 1), KG_REPQ_ADDR))
			die("fpb queues missing");
		kputs("kg: queues cmd ");
		kputu(cmdq.index);
		kputs(" (size ");
		kputu(cmdq.size);
		kputs(") report ");
		kputu(repq.index);
		kputs(" (size ");
		kputu(repq.size);
		kputs(")\n");
	}
	outb(io + KG_VP_STATUS, 1 | 2 | 4);	/* DRIVER_OK */
	if (bit)
		vq_post(&cmdq, 0, KG_CMDBUF_ADDR, KG_FPB_CMD_LEN, VRING_DESC_F_WRITE);
	return bit;
}

/*
 * touch=N: write one word into every 4 KiB page of N MiB from
 * KG_TOUCH_ADDR, so that KVM maps them (as a guest that has used its
 * memory has them mapped) before any migration.
 */
static void touch(void)
{
	uint32_t a, end = KG_TOUCH_ADDR + (touch_mib << 20);

	if (touch_mib > KG_TOUCH_MAX_MIB)
		die("touch= too large for a 32-bit guest without paging");
	kputs("kg: touching ");
	kputu(touch_mib);
	kputs(" MiB\n");
	for (a = KG_TOUCH_ADDR; a < end; a += 4096)
		*(volatile uint32_t *)a = a;
	kputs("kg: touched ");
	kputu(touch_mib);
	kputs(" MiB\n");
}

/*
 * touchhi=N: the same for N MiB from 4 GiB, which a 32-bit guest reaches
 * only through paging.  PSE-36 (4 MiB pages whose directory entries carry
 * physical address bits 32-39) needs one page directory and no PDPT: PAE
 * was tried first, and this nested KVM refused its PDPT (#GP on CR0.PG).
 * 0-3 GiB are identity-mapped; the top GiB of the address space is a
 * window moved over the high memory one GiB at a time.
 */
static void pse36_map(volatile uint32_t *pde, uint64_t phys, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++, phys += 0x400000)
		pde[i] = ((uint32_t)phys & 0xffc00000u) |
			 (((uint32_t)(phys >> 32) & 0xff) << 13) | 0x83; /* P RW PS */
}

static void touch_high(void)
{
	volatile uint32_t *pd = (volatile uint32_t *)KG_PT_ADDR;
	uint32_t gib, a, cr;
	uint64_t base = 0x100000000ull;

	kputs("kg: touching ");
	kputu(touch_hi_mib);
	kputs(" MiB from 4 GiB (PSE-36)\n");
	pse36_map(pd, 0, 1024);
	__asm__ __volatile__("mov %0, %%cr3" : : "r"((uint32_t)KG_PT_ADDR) : "memory");
	__asm__ __volatile__("mov %%cr4, %0" : "=r"(cr));
	__asm__ __volatile__("mov %0, %%cr4" : : "r"(cr | 0x10) : "memory");	/* PSE */
	__asm__ __volatile__("mov %%cr0, %0" : "=r"(cr));
	__asm__ __volatile__("mov %0, %%cr0" : : "r"(cr | 0x80000000u) : "memory"); /* PG */
	for (gib = 0; gib << 10 < touch_hi_mib; gib++) {
		uint32_t mib = touch_hi_mib - (gib << 10);

		pse36_map(pd + 768, base + ((uint64_t)gib << 30), 256);
		__asm__ __volatile__("mov %0, %%cr3" : : "r"((uint32_t)KG_PT_ADDR) : "memory");
		if (mib > 1024)
			mib = 1024;
		for (a = 0; a < mib << 20; a += 4096)
			*(volatile uint32_t *)(0xc0000000u + a) = a;
	}
	/* back to no paging: the rest of the guest never needed it */
	__asm__ __volatile__("mov %%cr0, %0" : "=r"(cr));
	__asm__ __volatile__("mov %0, %%cr0" : : "r"(cr & 0x7fffffffu) : "memory");
	kputs("kg: touched ");
	kputu(touch_hi_mib);
	kputs(" MiB from 4 GiB\n");
}

struct multiboot_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

void kg_main(uint32_t magic, struct multiboot_info *mbi);
void kg_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint32_t wi = 0, hi = 0, w_gen = 1, h_gen = 1, answered = 0;
	uint32_t loops = 0, tick_mask;

	memset((void *)KG_STATUS_ADDR, 0, 4096);
	st->phase = KG_BOOT;
	kputs("kg: boot");
	if (magic == 0x2badb002 && (mbi->flags & 1)) {
		kputs(" mem_upper ");
		kputu(mbi->mem_upper);
		kputs(" KiB");
	}
	if (magic == 0x2badb002 && (mbi->flags & 4)) {
		kputs(" cmdline '");
		kputs((const char *)mbi->cmdline);
		kputs("'");
		parse_cmdline((const char *)mbi->cmdline);
	}
	kputs("\n");
	tick_mask = tick_shift >= 31 ? 0x7fffffff : (1u << tick_shift) - 1;

	if (touch_mib)
		touch();
	if (touch_hi_mib)
		touch_high();
	st->fpb_bit = balloon_init();
	st->w_pages = w_pages;
	st->h_pages = h_pages;
	st->magic = KG_STATUS_MAGIC;
	st->phase = KG_RUNNING;
	kputs("kg: ready w ");
	kputx(KG_W_ADDR);
	kputs("+");
	kputu(w_pages);
	kputs(" h ");
	kputx(KG_H_ADDR);
	kputs("+");
	kputu(h_pages);
	kputs(" pages\n");

	for (;;) {
		loops++;
		st->loops = loops;
		if (w_pages) {
			stamp(KG_W_ADDR + wi * 4096, KG_STAMP_W, w_gen, wi);
			if (answered && ++st->w_writes_after == w_pages) {
				kputs("kg: W written through after the answer, loops ");
				kputu(loops);
				kputs("\n");
			}
			if (++wi == w_pages) {
				wi = 0;
				st->w_gen = ++w_gen;
			}
		}
		if (answered && h_pages) {
			stamp(KG_H_ADDR + hi * 4096, KG_STAMP_H, h_gen, hi);
			st->h_writes++;
			if (h_gen == 1)
				st->h_pages_after = hi + 1;
			if (++hi == h_pages) {
				hi = 0;
				if (h_gen++ == 1) {
					kputs("kg: H written through after the answer, loops ");
					kputu(loops);
					kputs("\n");
				}
			}
		}
		if (st->fpb_bit) {
			int32_t len = vq_pop_used(&cmdq);

			if (len >= 0) {
				uint32_t id = *(volatile uint32_t *)KG_CMDBUF_ADDR;
				uint32_t n = 0;

				/* re-post first, then answer (PROTOCOL.md) */
				vq_post(&cmdq, 0, KG_CMDBUF_ADDR, KG_FPB_CMD_LEN,
					VRING_DESC_F_WRITE);
				if (len == KG_FPB_CMD_LEN && id) {
					n = answer(id);
					if (!answered)
						st->loops_at_answer = loops;
					answered = 1;
					st->answers++;
					st->last_cmd_id = id;
					st->phase = KG_ANSWERED;
				}
				kputs("kg: cmd id ");
				kputu(id);
				kputs(" len ");
				kputu((uint32_t)len);
				kputs(n ? " answered ranges " : " not answered ");
				kputu(n);
				kputs(" loops ");
				kputu(loops);
				kputs("\n");
			}
		}
		if (!(loops & tick_mask)) {
			kputs("kg: tick loops ");
			kputu(loops);
			kputs(" w_gen ");
			kputu(w_gen);
			kputs(" h_after ");
			kputu(st->h_pages_after);
			kputs("\n");
		}
	}
}
