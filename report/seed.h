/* The seed thread's published figures (8 GiB guest, 10GbE hosts), kept as
 * data so the report can put them beside ours. */
#ifndef REPORT_SEED_H
#define REPORT_SEED_H

#define SEED_LINK_GBIT 10.0
#define SEED_MEM_MIB 8192

struct seed_case {
	const char *case_name;
	double original_ms, original_kb;	/* stock QEMU */
	double pv_ms, pv_kb;			/* with the free page bitmap */
};

/* The seed's figures for a case, or NULL when the seed did not measure it. */
const struct seed_case *seed_for(const char *case_name);

#endif
