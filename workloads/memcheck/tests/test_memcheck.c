// SPDX-License-Identifier: GPL-2.0
/*
 * test_memcheck.c - host unit tests for the page pattern, the working set,
 * the test-only corruptions and the status rendering.
 *
 * Prints one PASS/FAIL line per check and "N passed, N failed" last; exits
 * non-zero if anything failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check_stats.h"
#include "page_pattern.h"
#include "status_file.h"
#include "test_corruption.h"
#include "working_set.h"

static int passed, failed;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

static _Alignas(4096) unsigned char page[PAGE_PATTERN_SIZE];
static _Alignas(4096) unsigned char other[PAGE_PATTERN_SIZE];

static const struct page_key base_key = {
	.seed = 12345, .chunk_id = 7, .page_index = 3, .generation = 5,
};

static size_t differing_words(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	size_t i, n = 0;

	for (i = 0; i < PAGE_PATTERN_WORDS; i++)
		n += x[i] != y[i];
	return n;
}

static void test_fill_then_verify(void)
{
	struct page_key key;
	unsigned long bad = 0, n = 0;

	for (key.seed = 1; key.seed <= 3; key.seed++)
		for (key.chunk_id = 1; key.chunk_id <= 10; key.chunk_id++)
			for (key.page_index = 0; key.page_index < 16; key.page_index++)
				for (key.generation = 1; key.generation <= 3; key.generation++) {
					page_fill(page, &key);
					bad += page_verify(page, &key, NULL);
					n++;
				}
	printf("  %lu pages written and verified\n", n);
	check(bad == 0, "written pages verify with 0 mismatches");
}

static void test_keys_give_unrelated_content(void)
{
	static const char *const field[] = { "seed", "chunk", "page", "generation" };
	int f, ok = 1;

	page_fill(page, &base_key);
	page_fill(other, &base_key);
	check(memcmp(page, other, sizeof(page)) == 0, "same key gives identical pages");

	for (f = 0; f < 4; f++) {
		struct page_key k = base_key;
		size_t diff;

		if (f == 0) k.seed++;
		if (f == 1) k.chunk_id++;
		if (f == 2) k.page_index++;
		if (f == 3) k.generation++;
		page_fill(other, &k);
		/* Header words that share the value may agree; the body must not. */
		diff = differing_words(page, other);
		if (diff < PAGE_PATTERN_WORDS - PAGE_WORD_FIRST_BODY) {
			printf("  key field %s changed only %zu words\n", field[f], diff);
			ok = 0;
		}
	}
	check(ok, "changing any key field changes every body word");
}

static void expect_mismatch(const char *what, const struct page_key *key,
			    enum page_content_kind kind, long offset)
{
	struct page_mismatch mm;
	char line[160];
	int detected = page_verify(page, key, &mm);

	snprintf(line, sizeof(line), "%s detected (kind %s, offset %zu)", what,
		 detected ? page_content_kind_name(mm.kind) : "-", detected ? mm.offset : 0);
	check(detected && mm.kind == kind && (offset < 0 || mm.offset == (size_t)offset),
	      line);
}

static void test_byte_corruption(void)
{
	static const size_t offsets[] = {
		0, 8 * PAGE_WORD_GENERATION + 7, 8 * PAGE_WORD_CHECKSUM, 8 * PAGE_WORD_FIRST_BODY,
		1234, 4095,
	};
	size_t i;
	char what[64];

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		page_fill(page, &base_key);
		page[offsets[i]] ^= 0x01; /* a single bit */
		snprintf(what, sizeof(what), "one flipped bit at offset %zu", offsets[i]);
		expect_mismatch(what, &base_key, PAGE_CONTENT_CORRUPT, (long)offsets[i]);
	}
}

static void test_swapped_words(void)
{
	uint64_t *w = (uint64_t *)page, t;

	page_fill(page, &base_key);
	t = w[100];
	w[100] = w[101];
	w[101] = t;
	expect_mismatch("two swapped body words", &base_key, PAGE_CONTENT_CORRUPT, -1);
}

static void test_reverted_pages(void)
{
	struct page_key k;

	memset(page, 0, sizeof(page));
	expect_mismatch("zeroed page", &base_key, PAGE_CONTENT_ZERO, 0);

	k = base_key;
	k.generation = base_key.generation - 1;
	page_fill(page, &k);
	expect_mismatch("previous generation of the page", &base_key,
			PAGE_CONTENT_OLDER_GENERATION, -1);

	k.generation = 1;
	page_fill(page, &k);
	expect_mismatch("first generation of the page", &base_key,
			PAGE_CONTENT_OLDER_GENERATION, -1);
	{
		struct page_mismatch mm;

		page_verify(page, &base_key, &mm);
		check(mm.found_key.generation == 1 && mm.found_key.chunk_id == base_key.chunk_id,
		      "classification reports the generation found");
	}

	k = base_key;
	k.generation++;
	page_fill(page, &k);
	expect_mismatch("newer generation than recorded", &base_key,
			PAGE_CONTENT_NEWER_GENERATION, -1);

	k = base_key;
	k.chunk_id = base_key.chunk_id - 1;
	page_fill(page, &k);
	expect_mismatch("page of an earlier owner (other chunk)", &base_key,
			PAGE_CONTENT_OTHER_PAGE, -1);

	k = base_key;
	k.page_index++;
	page_fill(page, &k);
	expect_mismatch("neighbouring page of the same chunk", &base_key,
			PAGE_CONTENT_OTHER_PAGE, -1);

	k = base_key;
	k.seed++;
	page_fill(page, &k);
	expect_mismatch("same page written by another run", &base_key,
			PAGE_CONTENT_OTHER_RUN, -1);

	memset(page, 0xa5, sizeof(page));
	expect_mismatch("foreign data", &base_key, PAGE_CONTENT_CORRUPT, 0);
}

/* A working set of 4 chunks of 16 pages, filled. */
static void filled_set(struct working_set *ws, struct check_stats *st)
{
	size_t i, p;

	check_stats_init(st);
	if (working_set_init(ws, 4 * 16 * 4096, 16 * 4096, 99, st) != 0) {
		fprintf(stderr, "working_set_init failed\n");
		exit(1);
	}
	for (i = 0; i < 4; i++) {
		struct chunk *c = working_set_map_chunk(ws);

		if (!c) {
			fprintf(stderr, "working_set_map_chunk failed\n");
			exit(1);
		}
		for (p = 0; p < 16; p++)
			working_set_fill_next_page(ws, c);
	}
}

static uint64_t verify_all(struct working_set *ws)
{
	uint64_t before = ws->stats->mismatches;
	size_t i, p;

	for (i = 0; i < ws->nheld; i++)
		for (p = 0; p < ws->held[i]->filled_pages; p++)
			working_set_verify_page(ws, ws->held[i], p, CHECK_SITE_FULL_PASS);
	return ws->stats->mismatches - before;
}

static void test_working_set(void)
{
	struct working_set ws;
	struct check_stats st;
	struct chunk *c;
	uint64_t n;

	filled_set(&ws, &st);
	check(working_set_map_chunk(&ws) == NULL && ws.nheld == 4,
	      "working set refuses to map beyond its ceiling");
	check(st.pages_written == 64 && working_set_held_pages(&ws) == 64,
	      "working set filled 64 pages");
	check(verify_all(&ws) == 0 && st.pages_verified == 64,
	      "clean working set verifies with 0 mismatches");

	/* Drop one page the way a skipped migration page comes back: zero. */
	c = ws.held[2];
	madvise(chunk_page(c, 5), 4096, MADV_DONTNEED);
	n = verify_all(&ws);
	check(n == 1 && st.mismatches_by_kind[PAGE_CONTENT_ZERO] == 1,
	      "dropped page (MADV_DONTNEED) found as one zero-page mismatch");
	check(st.have_first_mismatch && st.first_mismatch.chunk_id == c->id &&
	      st.first_mismatch.page_index == 5 && st.first_mismatch.detail.offset == 0,
	      "first mismatch names the chunk and page");
	check(verify_all(&ws) == 0, "a found page is repaired and not counted twice");

	/* Lose a rewrite: save the page, rewrite it, put the saved copy back. */
	c = ws.held[1];
	memcpy(page, chunk_page(c, 9), 4096);
	working_set_rewrite_page(&ws, c, 9);
	memcpy(chunk_page(c, 9), page, 4096);
	n = verify_all(&ws);
	check(n == 1 && st.mismatches_by_kind[PAGE_CONTENT_OLDER_GENERATION] == 1,
	      "lost rewrite found as older-generation mismatch");

	/* Content of a chunk that was freed, showing up at a held page. */
	c = ws.held[0];
	memcpy(page, chunk_page(ws.held[3], 4), 4096);
	working_set_release_chunk(&ws, 3);
	memcpy(chunk_page(c, 4), page, 4096);
	check(st.frees == 1 && ws.nheld == 3, "release unmaps one chunk");
	n = verify_all(&ws);
	check(n == 1 && st.mismatches_by_kind[PAGE_CONTENT_OTHER_PAGE] == 1,
	      "earlier owner's content found as other-page mismatch");

	/* Damage caught when a chunk is checked on its way out. */
	c = ws.held[0];
	chunk_page(c, 15)[77] ^= 0x80;
	n = st.mismatches;
	working_set_release_chunk(&ws, 0);
	check(st.mismatches == n + 1 && st.mismatches_by_kind[PAGE_CONTENT_CORRUPT] == 1,
	      "chunk is verified before munmap");
	working_set_destroy(&ws);
}

static void test_corruption_hooks(void)
{
	static const struct {
		enum test_corruption how;
		enum page_content_kind kind;
	} cases[] = {
		{ TEST_CORRUPT_BYTE, PAGE_CONTENT_CORRUPT },
		{ TEST_CORRUPT_ZERO, PAGE_CONTENT_ZERO },
		{ TEST_CORRUPT_STALE, PAGE_CONTENT_OLDER_GENERATION },
		{ TEST_CORRUPT_FOREIGN, PAGE_CONTENT_OTHER_PAGE },
	};
	size_t i;
	char what[96];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct working_set ws;
		struct check_stats st;
		uint64_t n;

		filled_set(&ws, &st);
		test_corruption_apply(&ws, cases[i].how);
		n = verify_all(&ws);
		snprintf(what, sizeof(what), "--test-corrupt %s gives 1 mismatch of kind %s",
			 test_corruption_name(cases[i].how), page_content_kind_name(cases[i].kind));
		check(n == 1 && st.mismatches_by_kind[cases[i].kind] == 1, what);
		working_set_destroy(&ws);
	}
}

static void test_status_json(void)
{
	struct status_report r;
	struct check_stats st;
	struct mismatch_record rec;
	char buf[4096];
	int len;

	check_stats_init(&st);
	memset(&r, 0, sizeof(r));
	r.state = "running";
	r.pid = 42;
	r.stats = &st;
	len = status_render(&r, buf, sizeof(buf));
	check(len > 0 && strstr(buf, "\"state\": \"running\"") &&
	      strstr(buf, "\"first_mismatch\": null") && strstr(buf, "\"mismatches\": 0,"),
	      "status JSON without mismatches");

	memset(&rec, 0, sizeof(rec));
	rec.chunk_id = 3;
	rec.page_index = 8;
	rec.detail.offset = 17;
	rec.detail.kind = PAGE_CONTENT_ZERO;
	rec.detail.expected_word = 0x0123456789abcdefull;
	check_stats_record_mismatch(&st, &rec);
	r.state = "verified";
	r.error = "quote \" and \\ survive";
	len = status_render(&r, buf, sizeof(buf));
	check(len > 0 && strstr(buf, "\"mismatches\": 1,") &&
	      strstr(buf, "\"chunk\": 3, \"page\": 8, \"offset\": 17") &&
	      strstr(buf, "\"expected\": \"0x0123456789abcdef\"") &&
	      strstr(buf, "\"kind\": \"zero\"") &&
	      strstr(buf, "\"error\": \"quote \\\" and \\\\ survive\""),
	      "status JSON with a mismatch and an escaped error");
	check(status_render(&r, buf, 64) == -1, "status rendering reports a too-small buffer");
}

int main(void)
{
	test_fill_then_verify();
	test_keys_give_unrelated_content();
	test_byte_corruption();
	test_swapped_words();
	test_reverted_pages();
	test_working_set();
	test_corruption_hooks();
	test_status_json();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
