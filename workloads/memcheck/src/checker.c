// SPDX-License-Identifier: GPL-2.0
/*
 * checker.c - the churn loop and the full verification pass.
 *
 * Churn runs in phases so that a lot of memory keeps flowing through the
 * guest's free lists (which is what free-page hinting looks at):
 *   GROW:   map a fresh chunk and fill it, first-touching its pages, until
 *           --mem is held (or MemAvailable nears the reserve);
 *   SHRINK: check a random chunk in full and munmap it, until the working
 *           set is down to --low-water-pct of --mem; then GROW again.
 * Every step also rewrites a few random pages (check, then new generation)
 * and spot-checks a few others, so held memory is both read and dirtied
 * throughout a migration, and chunks of every age are held at any time.
 */
#include "checker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_stats.h"
#include "meminfo.h"
#include "monotonic_clock.h"
#include "page_pattern.h"
#include "signals.h"
#include "status_file.h"
#include "stop_signal.h"
#include "working_set.h"
#include "write_pacer.h"

#define STATUS_INTERVAL_NS (200 * NSEC_PER_MSEC)
#define PACING_SLICE_NS (20 * NSEC_PER_MSEC)
#define MEMINFO_REFRESH_NS (100 * NSEC_PER_MSEC)
#define LOW_MEMORY_BACKOFF_NS (10 * NSEC_PER_MSEC)
/* Pages handled between looks at the clock, signals and the pacer. */
#define PAGES_PER_BATCH 16
#define SPOT_CHECKS_MAX 64

enum churn_phase { PHASE_GROW, PHASE_SHRINK };

struct checker {
	const struct checker_options *opt;
	struct check_stats stats;
	struct working_set ws;
	struct write_pacer pacer;
	enum churn_phase phase;
	struct chunk *filling;       /* chunk whose fill a signal interrupted */
	size_t low_water_bytes;
	size_t spot_checks;          /* rewrites and checks per step */
	uint64_t rng;
	const char *state;
	uint64_t status_seq;
	uint64_t last_status_ns;
	uint64_t last_status_pages_written;
	int64_t available_estimate;  /* MemAvailable minus what we mapped since reading it */
	uint64_t available_read_ns;
	int test_corruption_done;
};

/* xorshift64*: choice of pages and chunks only, not the page content. */
static uint64_t rng_next(struct checker *ck)
{
	ck->rng ^= ck->rng >> 12;
	ck->rng ^= ck->rng << 25;
	ck->rng ^= ck->rng >> 27;
	return ck->rng * 0x2545f4914f6cdd1dull;
}

static int publish_status(struct checker *ck, const char *error)
{
	struct status_report r;
	uint64_t now = monotonic_ns();
	uint64_t elapsed = now - ck->last_status_ns;
	uint64_t written = ck->stats.pages_written - ck->last_status_pages_written;

	memset(&r, 0, sizeof(r));
	r.state = ck->state;
	r.error = error;
	r.pid = (long)getpid();
	r.uptime_ms = check_stats_uptime_ms(&ck->stats);
	r.seq = ++ck->status_seq;
	r.config.mem_mib = ck->opt->mem_bytes >> 20;
	r.config.chunk_kib = ck->opt->chunk_bytes >> 10;
	r.config.rate_mib_s = ck->opt->rate_bytes_per_s >> 20;
	r.config.seed = ck->opt->seed;
	r.config.low_water_pct = ck->opt->low_water_pct;
	r.config.reserve_mib = ck->opt->reserve_bytes >> 20;
	r.config.test_corrupt = ck->opt->test_corrupt == TEST_CORRUPT_NONE ? NULL :
				test_corruption_name(ck->opt->test_corrupt);
	r.held_bytes = working_set_held_bytes(&ck->ws);
	r.held_pages = working_set_held_pages(&ck->ws);
	r.chunks_held = ck->ws.nheld;
	r.write_mib_s = elapsed ? (double)written * PAGE_PATTERN_SIZE / (1 << 20) *
				  ((double)NSEC_PER_SEC / (double)elapsed) : 0.0;
	r.stats = &ck->stats;

	ck->last_status_ns = now;
	ck->last_status_pages_written = ck->stats.pages_written;
	return status_file_write(ck->opt->status_path, &r);
}

/* Called often from every loop; writes the status file every ~200 ms. */
static void tick(struct checker *ck)
{
	if (monotonic_ns() - ck->last_status_ns >= STATUS_INTERVAL_NS)
		publish_status(ck, NULL);
}

/* Account @pages written, then wait as the pacer says, in short slices. */
static void pace_writes(struct checker *ck, size_t pages)
{
	uint64_t delay;

	write_pacer_account(&ck->pacer, (uint64_t)pages * PAGE_PATTERN_SIZE);
	while ((delay = write_pacer_delay_ns(&ck->pacer)) != 0 && !signals_pending()) {
		sleep_ns(delay < PACING_SLICE_NS ? delay : PACING_SLICE_NS);
		tick(ck);
	}
	tick(ck);
}

/* Fill the rest of @c, first touching its pages; a signal may cut it short. */
static void fill_chunk(struct checker *ck, struct chunk *c)
{
	ck->filling = c;
	while (c->filled_pages < ck->ws.chunk_pages) {
		size_t batch = 0;

		while (batch < PAGES_PER_BATCH && c->filled_pages < ck->ws.chunk_pages) {
			working_set_fill_next_page(&ck->ws, c);
			batch++;
		}
		pace_writes(ck, batch);
		if (signals_pending())
			return;
	}
	ck->filling = NULL;
}

/* Would mapping one more chunk push MemAvailable below the reserve? */
static int memory_is_short(struct checker *ck)
{
	uint64_t now = monotonic_ns();

	if (ck->opt->reserve_bytes == 0)
		return 0;
	if (now - ck->available_read_ns >= MEMINFO_REFRESH_NS) {
		ck->available_estimate = meminfo_available_bytes();
		ck->available_read_ns = now;
	}
	if (ck->available_estimate < 0) /* no /proc: rely on --mem alone */
		return 0;
	return ck->available_estimate - (int64_t)working_set_chunk_bytes(&ck->ws) <
	       (int64_t)ck->opt->reserve_bytes;
}

static void grow_step(struct checker *ck)
{
	struct chunk *c;

	if (ck->filling) {
		fill_chunk(ck, ck->filling);
		return;
	}
	if (ck->ws.nspare == 0) {
		ck->phase = PHASE_SHRINK;
		return;
	}
	if (memory_is_short(ck)) {
		ck->stats.alloc_deferrals++;
		if (working_set_held_bytes(&ck->ws) > ck->low_water_bytes)
			ck->phase = PHASE_SHRINK;
		else
			sleep_ns(LOW_MEMORY_BACKOFF_NS); /* wait for memory, keep checking */
		return;
	}
	c = working_set_map_chunk(&ck->ws);
	if (!c) { /* mmap refused: treat as full */
		if (ck->ws.nheld > 0)
			ck->phase = PHASE_SHRINK;
		else
			sleep_ns(LOW_MEMORY_BACKOFF_NS);
		return;
	}
	if (ck->available_estimate >= 0)
		ck->available_estimate -= (int64_t)working_set_chunk_bytes(&ck->ws);
	fill_chunk(ck, c);
}

static void shrink_step(struct checker *ck)
{
	size_t slot;

	if (working_set_held_bytes(&ck->ws) <= ck->low_water_bytes || ck->ws.nheld == 0) {
		ck->phase = PHASE_GROW;
		return;
	}
	slot = rng_next(ck) % ck->ws.nheld;
	if (ck->ws.held[slot] == ck->filling)
		ck->filling = NULL;
	working_set_release_chunk(&ck->ws, slot);
}

/* Pick a random filled page; returns NULL if nothing is filled yet. */
static struct chunk *random_page(struct checker *ck, size_t *page)
{
	struct chunk *c;

	if (ck->ws.nheld == 0)
		return NULL;
	c = ck->ws.held[rng_next(ck) % ck->ws.nheld];
	if (c->filled_pages == 0)
		return NULL;
	*page = rng_next(ck) % c->filled_pages;
	return c;
}

static void spot_checks(struct checker *ck)
{
	size_t i, page, rewritten = 0;
	struct chunk *c;

	for (i = 0; i < ck->spot_checks; i++) {
		c = random_page(ck, &page);
		if (c) {
			working_set_rewrite_page(&ck->ws, c, page);
			rewritten++;
		}
	}
	pace_writes(ck, rewritten);
	for (i = 0; i < ck->spot_checks; i++) {
		c = random_page(ck, &page);
		if (c)
			working_set_verify_page(&ck->ws, c, page, CHECK_SITE_RANDOM);
	}
}

static void churn_step(struct checker *ck)
{
	if (ck->phase == PHASE_GROW)
		grow_step(ck);
	else
		shrink_step(ck);
	if (!signals_pending())
		spot_checks(ck);
}

/* SIGUSR1: check every page held.  SIGTERM may cut it short. */
static void full_pass(struct checker *ck)
{
	struct full_pass_result result = { .complete = 1 };
	struct write_pacer breather;
	uint64_t start = monotonic_ns();
	uint64_t before = ck->stats.mismatches;
	size_t i, page;

	ck->state = "verifying";
	publish_status(ck, NULL);
	if (ck->opt->test_corrupt != TEST_CORRUPT_NONE && !ck->test_corruption_done) {
		test_corruption_apply(&ck->ws, ck->opt->test_corrupt);
		ck->test_corruption_done = 1;
	}

	/* Unthrottled pacer: only its periodic short pause, for the agent's sake. */
	write_pacer_init(&breather, 0);
	for (i = 0; i < ck->ws.nheld && result.complete; i++) {
		struct chunk *c = ck->ws.held[i];

		for (page = 0; page < c->filled_pages; page++) {
			working_set_verify_page(&ck->ws, c, page, CHECK_SITE_FULL_PASS);
			result.pages++;
			if (page % PAGES_PER_BATCH == 0) {
				uint64_t pause = write_pacer_delay_ns(&breather);

				if (pause)
					sleep_ns(pause);
				tick(ck);
				if (stop_signal_requested()) {
					result.complete = 0;
					break;
				}
			}
		}
	}
	result.mismatches = ck->stats.mismatches - before;
	result.duration_ms = (monotonic_ns() - start) / NSEC_PER_MSEC;
	ck->stats.full_passes++;
	ck->stats.last_pass = result;
	ck->stats.have_last_pass = 1;
	ck->state = "verified";
	publish_status(ck, NULL);
}

static void idle_while_verified(struct checker *ck)
{
	sleep_ns(STATUS_INTERVAL_NS);
	tick(ck);
}

static int setup(struct checker *ck, const struct checker_options *opt)
{
	size_t ceiling = opt->mem_bytes - opt->chunk_bytes;
	int err;

	memset(ck, 0, sizeof(*ck));
	ck->opt = opt;
	ck->state = "starting";
	ck->rng = opt->seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	if (ck->rng == 0)
		ck->rng = 1;
	check_stats_init(&ck->stats);
	ck->last_status_ns = monotonic_ns();
	ck->available_estimate = -1;
	/* Below --mem by at least one chunk, or a full set would never shrink. */
	ck->low_water_bytes = opt->mem_bytes / 100 * opt->low_water_pct;
	if (ck->low_water_bytes > ceiling)
		ck->low_water_bytes = ceiling;
	write_pacer_init(&ck->pacer, opt->rate_bytes_per_s);
	err = working_set_init(&ck->ws, opt->mem_bytes, opt->chunk_bytes, opt->seed,
			       &ck->stats);
	ck->spot_checks = ck->ws.chunk_pages / 4;
	if (ck->spot_checks == 0)
		ck->spot_checks = 1;
	if (ck->spot_checks > SPOT_CHECKS_MAX)
		ck->spot_checks = SPOT_CHECKS_MAX;
	return err;
}

int checker_run(const struct checker_options *opt)
{
	struct checker ck;
	int err;

	err = setup(&ck, opt);
	if (err) {
		ck.state = "error";
		publish_status(&ck, strerror(-err));
		fprintf(stderr, "pvmig-memcheck: cannot set up working set: %s\n",
			strerror(-err));
		return 1;
	}
	ck.state = "running";
	err = publish_status(&ck, NULL);
	if (err) {
		fprintf(stderr, "pvmig-memcheck: cannot write status file %s: %s\n",
			opt->status_path, strerror(-err));
		working_set_destroy(&ck.ws);
		return 2;
	}
	if (opt->on_started)
		opt->on_started(opt->on_started_arg);

	while (!stop_signal_requested()) {
		if (signals_take_verify_request()) {
			full_pass(&ck);
			continue;
		}
		if (signals_take_resume_request() && strcmp(ck.state, "verified") == 0) {
			ck.state = "running";
			write_pacer_init(&ck.pacer, opt->rate_bytes_per_s);
			publish_status(&ck, NULL);
			continue;
		}
		if (strcmp(ck.state, "verified") == 0)
			idle_while_verified(&ck);
		else
			churn_step(&ck);
	}

	ck.state = "stopped";
	publish_status(&ck, NULL);
	working_set_destroy(&ck.ws);
	return 0;
}
