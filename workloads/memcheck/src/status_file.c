// SPDX-License-Identifier: GPL-2.0
/*
 * status_file.c - JSON rendering and atomic replacement of the status file.
 */
#include "status_file.h"

#include <errno.h>

#include "atomic_file.h"
#include "json_buf.h"

static void emit_u64(struct json_buf *j, const char *key, uint64_t v, const char *sep)
{
	json_buf_put(j, "\"%s\": %llu%s", key, (unsigned long long)v, sep);
}

/* 64-bit patterns and addresses as hex strings: JSON numbers lose bits past 2^53. */
static void emit_hex(struct json_buf *j, const char *key, uint64_t v, const char *sep)
{
	json_buf_put(j, "\"%s\": \"0x%016llx\"%s", key, (unsigned long long)v, sep);
}

static void emit_config(struct json_buf *j, const struct status_config *c)
{
	json_buf_put(j, "  \"config\": {");
	emit_u64(j, "mem_mib", c->mem_mib, ", ");
	emit_u64(j, "chunk_kib", c->chunk_kib, ", ");
	emit_u64(j, "rate_mib_s", c->rate_mib_s, ", ");
	emit_u64(j, "seed", c->seed, ", ");
	emit_u64(j, "low_water_pct", c->low_water_pct, ", ");
	emit_u64(j, "reserve_mib", c->reserve_mib, ", ");
	json_buf_put(j, "\"test_corrupt\": ");
	json_buf_string(j, c->test_corrupt);
	json_buf_put(j, "},\n");
}

static void emit_mismatch_kinds(struct json_buf *j, const struct check_stats *s)
{
	int k;

	json_buf_put(j, "  \"mismatch_kinds\": {");
	for (k = PAGE_CONTENT_EXPECTED + 1; k < PAGE_CONTENT_KIND_COUNT; k++)
		emit_u64(j, page_content_kind_name(k), s->mismatches_by_kind[k],
			 k + 1 < PAGE_CONTENT_KIND_COUNT ? ", " : "");
	json_buf_put(j, "},\n");
}

static void emit_last_pass(struct json_buf *j, const struct check_stats *s)
{
	json_buf_put(j, "  \"last_full_pass\": ");
	if (!s->have_last_pass) {
		json_buf_put(j, "null,\n");
		return;
	}
	json_buf_put(j, "{");
	emit_u64(j, "pages", s->last_pass.pages, ", ");
	emit_u64(j, "mismatches", s->last_pass.mismatches, ", ");
	emit_u64(j, "duration_ms", s->last_pass.duration_ms, ", ");
	json_buf_put(j, "\"complete\": %s},\n", s->last_pass.complete ? "true" : "false");
}

static void emit_first_mismatch(struct json_buf *j, const struct check_stats *s)
{
	const struct mismatch_record *m = &s->first_mismatch;
	const struct page_mismatch *d = &m->detail;
	int intact = d->kind == PAGE_CONTENT_OLDER_GENERATION ||
		     d->kind == PAGE_CONTENT_NEWER_GENERATION ||
		     d->kind == PAGE_CONTENT_OTHER_PAGE ||
		     d->kind == PAGE_CONTENT_OTHER_RUN;

	json_buf_put(j, "  \"first_mismatch\": ");
	if (!s->have_first_mismatch) {
		json_buf_put(j, "null\n");
		return;
	}
	json_buf_put(j, "{");
	emit_u64(j, "chunk", m->chunk_id, ", ");
	emit_u64(j, "page", m->page_index, ", ");
	emit_u64(j, "offset", d->offset, ", ");
	emit_hex(j, "expected", d->expected_word, ", ");
	emit_hex(j, "found", d->found_word, ", ");
	json_buf_put(j, "\"kind\": ");
	json_buf_string(j, page_content_kind_name(d->kind));
	json_buf_put(j, ", \"detected_by\": ");
	json_buf_string(j, check_site_name(m->site));
	json_buf_put(j, ", ");
	emit_u64(j, "expected_generation", m->expected_generation, ", ");
	json_buf_put(j, "\"found_page\": ");
	if (intact) {
		json_buf_put(j, "{");
		emit_u64(j, "seed", d->found_key.seed, ", ");
		emit_u64(j, "chunk", d->found_key.chunk_id, ", ");
		emit_u64(j, "page", d->found_key.page_index, ", ");
		emit_u64(j, "generation", d->found_key.generation, "");
		json_buf_put(j, "}, ");
	} else {
		json_buf_put(j, "null, ");
	}
	emit_hex(j, "vaddr", m->vaddr, ", ");
	emit_u64(j, "uptime_ms", m->uptime_ms, "");
	json_buf_put(j, "}\n");
}

int status_render(const struct status_report *r, char *buf, size_t size)
{
	const struct check_stats *s = r->stats;
	struct json_buf j;

	json_buf_init(&j, buf, size);
	json_buf_put(&j, "{\n  \"tool\": \"%s\", \"version\": \"%s\",\n",
		     MEMCHECK_TOOL_NAME, MEMCHECK_VERSION);
	json_buf_put(&j, "  \"pid\": %ld,\n", r->pid);
	json_buf_put(&j, "  \"state\": ");
	json_buf_string(&j, r->state);
	json_buf_put(&j, ",\n  \"error\": ");
	json_buf_string(&j, r->error);
	json_buf_put(&j, ",\n");
	emit_config(&j, &r->config);
	json_buf_put(&j, "  "); emit_u64(&j, "uptime_ms", r->uptime_ms, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "status_seq", r->seq, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "held_mib", r->held_bytes >> 20, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "held_pages", r->held_pages, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "chunks_held", r->chunks_held, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "pages_written", s->pages_written, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "pages_verified", s->pages_verified, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "mismatches", s->mismatches, ",\n");
	emit_mismatch_kinds(&j, s);
	json_buf_put(&j, "  "); emit_u64(&j, "allocs", s->allocs, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "frees", s->frees, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "alloc_deferrals", s->alloc_deferrals, ",\n");
	json_buf_put(&j, "  "); emit_u64(&j, "alloc_failures", s->alloc_failures, ",\n");
	json_buf_put(&j, "  \"write_mib_s\": %.1f,\n", r->write_mib_s);
	json_buf_put(&j, "  "); emit_u64(&j, "full_passes", s->full_passes, ",\n");
	emit_last_pass(&j, s);
	emit_first_mismatch(&j, s);
	json_buf_put(&j, "}\n");
	return json_buf_result(&j);
}

int status_file_write(const char *path, const struct status_report *report)
{
	char json[4096];
	int len;

	len = status_render(report, json, sizeof(json));
	if (len < 0)
		return -EOVERFLOW;
	return atomic_file_write(path, json, (size_t)len);
}
