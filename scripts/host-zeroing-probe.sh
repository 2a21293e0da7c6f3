#!/bin/bash
# How fast does this host fault in fresh transparent huge pages, and does it
# depend on whether the host's own free memory was handed back to the
# hypervisor underneath it?  A destination QEMU without preallocation takes
# every page of guest RAM it receives in a 2 MiB fault that zeroes it; in the
# committed runs that costs about 5.8 ms per fault (0.35 GB/s), slow for a
# bare-metal host.  When this machine is itself a VM whose kernel reports free
# pages to its hypervisor (virtio-balloon free page reporting), memory freed
# for a few seconds may be gone from the hypervisor too, and touching it
# again then costs a second fault and a second zeroing one level down.
#
# The probe maps SIZE_MIB of anonymous memory with MADV_HUGEPAGE, as QEMU maps
# guest RAM, writes one byte per 4 KiB and frees it, three times:
#   after-idle  after REPORT_WAIT_S seconds with the memory free,
#   at-once     right after the previous round freed it (before the
#               reporting delay of about 2 s has passed),
#   after-idle  again.
# Then the zero-page check's reads: every byte of fresh memory read, after
# idle and at once, and once more with huge pages advised against.  A
# kernel that maps its shared zero page on a read fault leaves nothing
# resident; one that allocates leaves the whole size.
# Run it on an idle machine.
#
#   scripts/host-zeroing-probe.sh   -> results/host-zeroing/<date>/summary.txt
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-2048}
REPORT_WAIT_S=${REPORT_WAIT_S:-10}
case "$SIZE_MIB" in '' | *[!0-9]*) echo "host-zeroing-probe: SIZE_MIB must be a number of MiB" >&2; exit 2 ;; esac
case "$REPORT_WAIT_S" in '' | *[!0-9]*) echo "host-zeroing-probe: REPORT_WAIT_S must be a number of seconds" >&2; exit 2 ;; esac
avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
[ "$SIZE_MIB" -ge 64 ] && [ "$SIZE_MIB" -le $((avail / 2)) ] || {
	echo "host-zeroing-probe: SIZE_MIB=$SIZE_MIB must be 64 to half of the available $avail MiB" >&2
	exit 2
}
OUT=results/host-zeroing/$(date -u +%Y%m%d-%H%M%S)
[ -e "$OUT" ] && { echo "host-zeroing-probe: $OUT exists" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/touch.c" <<'EOF'
/* Fault in size MiB of fresh THP-advised memory, one write per 4 KiB, and
 * print what it cost: wall and CPU time, minor faults, huge pages, steal. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#define HUGE (2UL << 20)

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double cpu_ms(const struct rusage *r)
{
	return (r->ru_utime.tv_sec + r->ru_stime.tv_sec) * 1e3 +
	       (r->ru_utime.tv_usec + r->ru_stime.tv_usec) / 1e3;
}

/* Summed over all CPUs, in USER_HZ ticks: time the hypervisor ran
 * something else while this machine's vCPUs wanted to run. */
static long long steal_ticks(void)
{
	long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	if (!f || fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld",
			 &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		v[7] = -1;
	if (f)
		fclose(f);
	return v[7];
}

/* One field of the process's /proc/self/smaps_rollup, in kB (-1 when it
 * cannot be read).  Rss: a read fault that maps the shared zero page adds
 * nothing to it, one that allocates adds its page.  AnonHugePages: how much
 * of that is huge pages. */
static long smaps_kb(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Read every byte of each 4 KiB page as the migration thread's zero-page
 * check does (buffer_is_zero), and count the pages that were not zero. */
static unsigned long scan_zero(const char *p, unsigned long size)
{
	unsigned long nonzero = 0;

	for (unsigned long off = 0; off < size; off += 4096) {
		const volatile unsigned long *w = (const volatile unsigned long *)(p + off);
		unsigned long acc = 0;

		for (int i = 0; i < 4096 / 8; i++)
			acc |= w[i];
		nonzero += acc != 0;
	}
	return nonzero;
}

int main(int argc, char **argv)
{
	unsigned long size = argc > 1 ? strtoul(argv[1], NULL, 10) << 20 : 0;
	/* read: as QEMU maps guest RAM (huge pages advised); read-4k: with
	 * huge pages advised against, so only 4 KiB faults happen. */
	int small = argc > 2 && !strcmp(argv[2], "read-4k");
	int reading = small || (argc > 2 && !strcmp(argv[2], "read"));
	struct rusage r0, r1;
	long long s0, s1;
	double t0, t1;
	char *map, *p;
	long huge;
	unsigned long nonzero = 0;

	if (!size || (argc > 2 && !reading && strcmp(argv[2], "write"))) {
		fprintf(stderr, "usage: touch <MiB> [write|read|read-4k]\n");
		return 2;
	}
	/* One extra huge page of room, so the range can start on a 2 MiB
	 * boundary and every piece of it can be a huge page. */
	map = mmap(NULL, size + HUGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	p = (char *)(((unsigned long)map + HUGE - 1) & ~(HUGE - 1));
	if (madvise(p, size, small ? MADV_NOHUGEPAGE : MADV_HUGEPAGE))
		perror("madvise");
	getrusage(RUSAGE_SELF, &r0);
	s0 = steal_ticks();
	t0 = now_ms();
	if (reading)
		nonzero = scan_zero(p, size);
	else
		for (unsigned long off = 0; off < size; off += 4096)
			p[off] = 1;
	t1 = now_ms();
	s1 = steal_ticks();
	getrusage(RUSAGE_SELF, &r1);
	huge = smaps_kb("AnonHugePages");
	printf("wall_ms %.1f cpu_ms %.1f minflt %ld huge_mib %ld steal_ticks %lld "
	       "gb_per_s %.2f ms_per_2mib %.2f",
	       t1 - t0, cpu_ms(&r1) - cpu_ms(&r0), r1.ru_minflt - r0.ru_minflt,
	       huge < 0 ? -1 : huge >> 10, s0 < 0 ? -1 : s1 - s0,
	       size / 1e9 / ((t1 - t0) / 1e3), (t1 - t0) / (size / HUGE));
	if (reading) {
		/* The same scan over memory that is there now: what the check
		 * costs without a fault, the zero-page scan on its own. */
		double t2 = now_ms();

		nonzero += scan_zero(p, size);
		printf(" nonzero_pages %lu rescan_ms_per_2mib %.3f rss_mib %ld", nonzero,
		       (now_ms() - t2) / (size / HUGE), smaps_kb("Rss") >> 10);
	}
	printf("\n");
	munmap(map, size + HUGE);
	return 0;
}
EOF
gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$WORK/touch" "$WORK/touch.c"

# Does this machine's kernel report free pages to a hypervisor?  Feature
# bit 5 of a virtio-balloon device (id 5) is VIRTIO_BALLOON_F_REPORTING.
reporting="no virtio-balloon device"
for d in /sys/bus/virtio/devices/*; do
	[ -r "$d/device" ] && [ "$(cat "$d/device")" = 0x0005 ] || continue
	f=$(cat "$d/features" 2>/dev/null || echo)
	if [ "${f:5:1}" = 1 ]; then
		reporting="virtio-balloon $(basename "$d") negotiated free page reporting"
	else
		reporting="virtio-balloon $(basename "$d") without free page reporting"
	fi
done

# The summary is written aside and moved into results/ only when every round
# ran: a half-written one would stop make report.
S=$WORK/summary.txt
{
	echo "host-zeroing-probe $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "tree: $(git describe --always --dirty)"
	echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs, kernel $(uname -r)"
	echo "thp: enabled $(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled), defrag $(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/defrag)"
	echo "free page reporting to the hypervisor: $reporting"
	echo "size: $SIZE_MIB MiB, THP-advised, one write per 4 KiB (read- rounds: every byte read); wait before the after-idle rounds: $REPORT_WAIT_S s"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "huge zero page allocations so far (vmstat thp_zero_page_alloc): $(awk '$1 == "thp_zero_page_alloc" { print $2 }' /proc/vmstat)"
} > "$S"
round() {	# name [read]
	local r

	r=$("$WORK/touch" "$SIZE_MIB" "${2:-write}")
	printf '%-10s %s\n' "$1" "$r" >> "$S"
}
sleep "$REPORT_WAIT_S"
round after-idle
round at-once
sleep "$REPORT_WAIT_S"
round after-idle
# The zero-page check's reads of memory nobody wrote: do they allocate?
sleep "$REPORT_WAIT_S"
round read-after-idle read
round read-at-once read
round read-4k-at-once read-4k
mkdir -p "$OUT"
mv "$S" "$OUT/summary.txt"
cat "$OUT/summary.txt"
