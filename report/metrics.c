#include "metrics.h"

#include <stddef.h>

/* The first two labels are the seed's own wording ("total time(ms)",
 * "transferred ram(KB)") so the tables line up with the thread.  CPU labels
 * get the unit from the cpu_unit column appended where they are printed. */
const struct metric_def metric_defs[M_COUNT] = {
	[M_TOTAL_TIME]        = { "total_time_ms", "total time(ms)", "total_time", BETTER_LOWER, true, true },
	[M_PROJECTED]         = { NULL, "projected, a core per busy thread(ms)", "projected", BETTER_LOWER, true, false },
	[M_TRANSFERRED_KB]    = { "transferred_kb", "transferred ram(KB)", "transferred", BETTER_LOWER, true, true },
	[M_DOWNTIME]          = { "downtime_ms", "downtime(ms)", "downtime", BETTER_LOWER, true, true },
	[M_SETUP_TIME]        = { "setup_time_ms", "setup time(ms)", "setup_time", BETTER_LOWER, true, false },
	[M_PREP_TIME]         = { "prep_time_ms", "preparation time(ms)", "prep_time", BETTER_LOWER, true, false },
	[M_END_TO_END]        = { "end_to_end_ms", "end-to-end time(ms)", "end_to_end", BETTER_LOWER, true, true },
	[M_PROJECTED_E2E]     = { NULL, "projected end-to-end(ms)", "projected_e2e", BETTER_LOWER, true, false },
	[M_STOP_COPY]         = { "stop_copy_ms", "stop-and-copy(ms)", "stop_copy", BETTER_LOWER, true, false },
	[M_SRC_CPU]           = { "src_cpu", "source QEMU CPU", "src_cpu", BETTER_LOWER, true, true },
	[M_DST_CPU]           = { "dst_cpu", "destination QEMU CPU", "dst_cpu", BETTER_LOWER, true, true },
	[M_SRC_MIG_CPU]       = { "src_mig_cpu_ms", "source migration thread CPU(ms)", "src_mig_cpu", BETTER_LOWER, true, false },
	[M_SRC_MIG_WAIT]      = { "src_mig_wait_ms", "source migration thread wait for a CPU(ms)", "src_mig_wait", BETTER_LOWER, true, false },
	[M_SRC_VCPU_CPU]      = { "src_vcpu_cpu_ms", "source vCPU threads CPU(ms)", "src_vcpu_cpu", BETTER_NEITHER, true, false },
	[M_DST_MAIN_CPU]      = { "dst_main_cpu_ms", "destination main thread CPU(ms)", "dst_main_cpu", BETTER_LOWER, true, false },
	[M_DST_MAIN_WAIT]     = { "dst_main_wait_ms", "destination main thread wait for a CPU(ms)", "dst_main_wait", BETTER_LOWER, true, false },
	[M_SRC_SEND_MAX_CPU]  = { "src_send_max_cpu_ms", "multifd: busiest send channel CPU(ms)", "src_send_max_cpu", BETTER_LOWER, true, false },
	[M_DST_RECV_MAX_CPU]  = { "dst_recv_max_cpu_ms", "multifd: busiest receive channel CPU(ms)", "dst_recv_max_cpu", BETTER_LOWER, true, false },
	[M_SRC_MINFLT]        = { "src_minflt", "source minor faults", "src_minflt", BETTER_LOWER, false, false },
	[M_SRC_MAJFLT]        = { "src_majflt", "source major faults", "src_majflt", BETTER_LOWER, false, false },
	[M_DST_MINFLT]        = { "dst_minflt", "destination minor faults", "dst_minflt", BETTER_LOWER, true, false },
	[M_DST_MAJFLT]        = { "dst_majflt", "destination major faults", "dst_majflt", BETTER_LOWER, false, false },
	[M_GUEST_OPS_BEFORE]  = { "guest_ops_before", "guest ops before", "guest_ops_before", BETTER_HIGHER, true, false },
	[M_GUEST_OPS_DURING]  = { "guest_ops_during", "guest ops during", "guest_ops_during", BETTER_HIGHER, true, false },
	[M_GUEST_OPS_AFTER]   = { "guest_ops_after", "guest ops after", "guest_ops_after", BETTER_HIGHER, true, false },
	[M_HINT_LATENCY]      = { "hint_latency_ms", "hint latency(ms)", "hint_latency", BETTER_LOWER, true, false },
	[M_SKIPPED_PAGES]     = { "skipped_pages", "skipped pages", "skipped_pages", BETTER_NEITHER, true, false },
	[M_NORMAL_PAGES]      = { "normal_pages", "normal pages sent", "normal_pages", BETTER_LOWER, false, false },
	[M_ZERO_PAGES]        = { "zero_pages", "zero pages", "zero_pages", BETTER_NEITHER, false, false },
	[M_MEMCHECK_MISMATCHES] = { "memcheck_mismatches", "memcheck mismatches", "memcheck", BETTER_LOWER, false, false },
	[M_LINK_GBIT]         = { "link_gbit", "measured link(Gbit/s)", "link", BETTER_HIGHER, false, false },
	[M_POSITION]          = { "position", "position in its repeat", "position", BETTER_NEITHER, false, false },
	[M_DST_CACHED_KB]     = { "dst_cached_kb", "page cache held after migrating(KB)", "dst_cached", BETTER_NEITHER, true, false },
	[M_CACHE_REREAD]      = { "cache_reread_ms", "files read again after migrating(ms)", "cache_reread", BETTER_LOWER, true, false },
	[M_WIRE_MS]           = { NULL, "wire time(ms)", "wire", BETTER_LOWER, false, false },
	[M_WIRE_RATIO]        = { NULL, "total / wire time", "wire_ratio", BETTER_LOWER, false, false },
	[M_GUEST_DIP_PCT]     = { NULL, "guest ops during vs before(%)", "guest_dip", BETTER_HIGHER, false, false },
	[M_GUEST_RECOVERY_PCT] = { NULL, "guest ops after vs before(%)", "guest_recovery", BETTER_HIGHER, false, false },
	[M_DST_HUGE_MIB]      = { NULL, "destination huge pages after(MiB)", "dst_huge", BETTER_NEITHER, false, false },
	[M_BALLOON_MIB]       = { NULL, "memory in the balloon(MiB)", "balloon_mib", BETTER_NEITHER, false, false },
	[M_INFLATE_USER_MS]   = { NULL, "inflation: source QEMU user CPU(ms)", "inflate_user", BETTER_NEITHER, true, false },
	[M_INFLATE_SYS_MS]    = { NULL, "inflation: source QEMU kernel CPU(ms)", "inflate_sys", BETTER_NEITHER, true, false },
};

double wire_time_ms(double kb, double gbit)
{
	return kb * 1024.0 * 8.0 / (gbit * 1e9) * 1000.0;
}
