// SPDX-License-Identifier: GPL-2.0
/*
 * status_file.c - JSON rendering and atomic replacement of the status file.
 */
#include "status_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct json_buf {
	char *buf;
	size_t size;
	size_t len;
	int overflow;
};

static void emit(struct json_buf *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emit(struct json_buf *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(j->buf + j->len, j->size - j->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= j->size - j->len) {
		j->overflow = 1;
		return;
	}
	j->len += (size_t)n;
}

/* Strings we print are our own or an errno text; escape anyway to stay valid JSON. */
static void emit_string(struct json_buf *j, const char *s)
{
	if (!s) {
		emit(j, "null");
		return;
	}
	emit(j, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			emit(j, "\\%c", ch);
		else if (ch < 0x20)
			emit(j, "\\u%04x", ch);
		else
			emit(j, "%c", ch);
	}
	emit(j, "\"");
}

static void emit_u64(struct json_buf *j, const char *key, uint64_t v, const char *sep)
{
	emit(j, "\"%s\": %llu%s", key, (unsigned long long)v, sep);
}

/* 64-bit patterns and addresses as hex strings: JSON numbers lose bits past 2^53. */
static void emit_hex(struct json_buf *j, const char *key, uint64_t v, const char *sep)
{
	emit(j, "\"%s\": \"0x%016llx\"%s", key, (unsigned long long)v, sep);
}

static void emit_config(struct json_buf *j, const struct status_config *c)
{
	emit(j, "  \"config\": {");
	emit_u64(j, "mem_mib", c->mem_mib, ", ");
	emit_u64(j, "chunk_kib", c->chunk_kib, ", ");
	emit_u64(j, "rate_mib_s", c->rate_mib_s, ", ");
	emit_u64(j, "seed", c->seed, ", ");
	emit_u64(j, "low_water_pct", c->low_water_pct, ", ");
	emit_u64(j, "reserve_mib", c->reserve_mib, ", ");
	emit(j, "\"test_corrupt\": ");
	emit_string(j, c->test_corrupt);
	emit(j, "},\n");
}

static void emit_mismatch_kinds(struct json_buf *j, const struct check_stats *s)
{
	int k;

	emit(j, "  \"mismatch_kinds\": {");
	for (k = PAGE_CONTENT_EXPECTED + 1; k < PAGE_CONTENT_KIND_COUNT; k++)
		emit_u64(j, page_content_kind_name(k), s->mismatches_by_kind[k],
			 k + 1 < PAGE_CONTENT_KIND_COUNT ? ", " : "");
	emit(j, "},\n");
}

static void emit_last_pass(struct json_buf *j, const struct check_stats *s)
{
	emit(j, "  \"last_full_pass\": ");
	if (!s->have_last_pass) {
		emit(j, "null,\n");
		return;
	}
	emit(j, "{");
	emit_u64(j, "pages", s->last_pass.pages, ", ");
	emit_u64(j, "mismatches", s->last_pass.mismatches, ", ");
	emit_u64(j, "duration_ms", s->last_pass.duration_ms, ", ");
	emit(j, "\"complete\": %s},\n", s->last_pass.complete ? "true" : "false");
}

static void emit_first_mismatch(struct json_buf *j, const struct check_stats *s)
{
	const struct mismatch_record *m = &s->first_mismatch;
	const struct page_mismatch *d = &m->detail;
	int intact = d->kind == PAGE_CONTENT_OLDER_GENERATION ||
		     d->kind == PAGE_CONTENT_NEWER_GENERATION ||
		     d->kind == PAGE_CONTENT_OTHER_PAGE ||
		     d->kind == PAGE_CONTENT_OTHER_RUN;

	emit(j, "  \"first_mismatch\": ");
	if (!s->have_first_mismatch) {
		emit(j, "null\n");
		return;
	}
	emit(j, "{");
	emit_u64(j, "chunk", m->chunk_id, ", ");
	emit_u64(j, "page", m->page_index, ", ");
	emit_u64(j, "offset", d->offset, ", ");
	emit_hex(j, "expected", d->expected_word, ", ");
	emit_hex(j, "found", d->found_word, ", ");
	emit(j, "\"kind\": ");
	emit_string(j, page_content_kind_name(d->kind));
	emit(j, ", \"detected_by\": ");
	emit_string(j, check_site_name(m->site));
	emit(j, ", ");
	emit_u64(j, "expected_generation", m->expected_generation, ", ");
	emit(j, "\"found_page\": ");
	if (intact) {
		emit(j, "{");
		emit_u64(j, "seed", d->found_key.seed, ", ");
		emit_u64(j, "chunk", d->found_key.chunk_id, ", ");
		emit_u64(j, "page", d->found_key.page_index, ", ");
		emit_u64(j, "generation", d->found_key.generation, "");
		emit(j, "}, ");
	} else {
		emit(j, "null, ");
	}
	emit_hex(j, "vaddr", m->vaddr, ", ");
	emit_u64(j, "uptime_ms", m->uptime_ms, "");
	emit(j, "}\n");
}

int status_render(const struct status_report *r, char *buf, size_t size)
{
	const struct check_stats *s = r->stats;
	struct json_buf j = { .buf = buf, .size = size };

	emit(&j, "{\n  \"tool\": \"%s\", \"version\": \"%s\",\n",
	     MEMCHECK_TOOL_NAME, MEMCHECK_VERSION);
	emit(&j, "  \"pid\": %ld,\n", r->pid);
	emit(&j, "  \"state\": ");
	emit_string(&j, r->state);
	emit(&j, ",\n  \"error\": ");
	emit_string(&j, r->error);
	emit(&j, ",\n");
	emit_config(&j, &r->config);
	emit(&j, "  "); emit_u64(&j, "uptime_ms", r->uptime_ms, ",\n");
	emit(&j, "  "); emit_u64(&j, "status_seq", r->seq, ",\n");
	emit(&j, "  "); emit_u64(&j, "held_mib", r->held_bytes >> 20, ",\n");
	emit(&j, "  "); emit_u64(&j, "held_pages", r->held_pages, ",\n");
	emit(&j, "  "); emit_u64(&j, "chunks_held", r->chunks_held, ",\n");
	emit(&j, "  "); emit_u64(&j, "pages_written", s->pages_written, ",\n");
	emit(&j, "  "); emit_u64(&j, "pages_verified", s->pages_verified, ",\n");
	emit(&j, "  "); emit_u64(&j, "mismatches", s->mismatches, ",\n");
	emit_mismatch_kinds(&j, s);
	emit(&j, "  "); emit_u64(&j, "allocs", s->allocs, ",\n");
	emit(&j, "  "); emit_u64(&j, "frees", s->frees, ",\n");
	emit(&j, "  "); emit_u64(&j, "alloc_deferrals", s->alloc_deferrals, ",\n");
	emit(&j, "  "); emit_u64(&j, "alloc_failures", s->alloc_failures, ",\n");
	emit(&j, "  \"write_mib_s\": %.1f,\n", r->write_mib_s);
	emit(&j, "  "); emit_u64(&j, "full_passes", s->full_passes, ",\n");
	emit_last_pass(&j, s);
	emit_first_mismatch(&j, s);
	emit(&j, "}\n");
	return j.overflow ? -1 : (int)j.len;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int status_file_write(const char *path, const struct status_report *report)
{
	char json[4096];
	char tmp[4096];
	int len, fd, err;

	len = status_render(report, json, sizeof(json));
	if (len < 0)
		return -EOVERFLOW;
	/* Same directory as the target, so rename() is atomic. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	err = write_all(fd, json, (size_t)len);
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
