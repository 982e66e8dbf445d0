// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Reading a query: its iterator's records (EAGAIN-safe), decoded into rows or printed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "map_syscall.h"
#include "output.h"
#include "read_ahead.h"
#include "rows.h"
#include "util.h"

struct row_ctx {
	struct bpfdump_query *q;
	struct bd_printer *pr;
	FILE *out;
	enum bpfdump_format format;
	struct bd_rows *dec;		/* records -> typed cells (rows.c) */
	bpfdump_row_fn fn;		/* bpfdump_query__rows: cells to the caller */
	void *fn_ctx;
	bool number_text;		/* fn wants the text of integer cells too */
	char **cellp;
	size_t *lens;
	bool *numeric;
	long rows;
};

static int handle_record(struct row_ctx *rc, const __u8 *rec, __u32 len)
{
	const struct bpfdump_cell *cells;
	int i, n = rc->q->plan.col_cnt, err;

	if (rc->format == BPFDUMP_FMT_RECORDS) {
		if (fwrite(rec, 1, len, rc->out) != len)
			return -EIO;
		rc->rows++;
		return 0;
	}
	err = bd_rows_decode(rc->dec, rec, len, &cells);
	if (err)
		return bd_err(rc->q->d, err, "record %ld: malformed", rc->rows);
	rc->rows++;
	if (rc->fn) {
		err = rc->fn(rc->fn_ctx, cells, n);
		return err > 0 ? BD_ROWS_STOP : err;
	}
	for (i = 0; i < n; i++) {
		rc->cellp[i] = (char *)cells[i].text;
		rc->lens[i] = cells[i].text_len;
		rc->numeric[i] = cells[i].numeric;
	}
	return bd_printer__row(rc->pr, rc->cellp, rc->lens, rc->numeric);
}

static int map_record(void *ctx, const __u8 *rec, __u32 len)
{
	return handle_record(ctx, rec, len);
}

/* A record's length, checked against what the plan's records can be. */
static long record_len(struct bpfdump_query *q, const __u8 *hdr, __u32 *len)
{
	memcpy(len, hdr, 4);
	if (*len < q->plan.fixed_size || *len > q->plan.fixed_size + BD_MAX_PATHS * BD_PATH_MAX)
		return bd_err(q->d, -EBADMSG, "target '%s': bad record length %u",
			      q->plan.target->name, *len);
	return 0;
}

/* sb_puts, telling whether the bytes fit */
static int carry_put(struct bd_strbuf *carry, const __u8 *p, size_t n)
{
	size_t before = carry->len;

	sb_puts(carry, (const char *)p, n);
	return carry->len == before + n ? 0 : -ENOMEM;
}

/*
 * One chunk of the stream: finish the record carried over from the last chunk, hand
 * on every whole record, and carry the tail (a record cut by the chunk's end).
 */
static long split_chunk(struct bpfdump_query *q, struct row_ctx *rc, const __u8 *p, size_t n,
			struct bd_strbuf *carry)
{
	const __u8 *end = p + n;
	__u32 len;
	long err;

	if (carry->len) {
		size_t take;

		if (carry->len < 8) {
			take = 8 - carry->len < n ? 8 - carry->len : n;
			if (carry_put(carry, p, take))
				return -ENOMEM;
			p += take;
			if (carry->len < 8)
				return 0;
		}
		err = record_len(q, (const __u8 *)carry->s, &len);
		if (err)
			return err;
		take = len - carry->len < (size_t)(end - p) ? len - carry->len : (size_t)(end - p);
		if (carry_put(carry, p, take))
			return -ENOMEM;
		p += take;
		if (carry->len < len)
			return 0;
		err = handle_record(rc, (const __u8 *)carry->s, len);
		carry->len = 0;
		if (err)
			return err;
	}
	while (end - p >= 8) {
		err = record_len(q, p, &len);
		if (err)
			return err;
		if ((size_t)(end - p) < len)
			break;
		err = handle_record(rc, p, len);
		if (err)
			return err;
		p += len;
	}
	if (p < end && carry_put(carry, p, end - p))
		return -ENOMEM;
	return 0;
}

/*
 * Read an iterator fd to its end, splitting the stream into records. A thread reads
 * ahead (read_ahead.c) so the kernel's side of the next chunk runs while this one is
 * decoded and printed.
 */
static long read_records(struct bpfdump_query *q, int iter_fd, struct row_ctx *rc)
{
	struct bd_strbuf carry = {};
	struct bd_read_ahead *ra;
	long err;

	err = bd_read_ahead_start(iter_fd, &ra);
	if (err)
		return bd_err(q->d, err, "target '%s': cannot start the reader: %s",
			      q->plan.target->name, strerror(-err));
	for (;;) {
		const __u8 *chunk;
		ssize_t n = bd_read_ahead_next(ra, &chunk);

		if (n < 0) {
			err = bd_err(q->d, n, "target '%s': read failed: %s",
				     q->plan.target->name, strerror(-n));
			break;
		}
		if (n == 0)
			break;
		err = split_chunk(q, rc, chunk, n, &carry);
		if (err)
			break;
	}
	bd_read_ahead_stop(ra);
	if (!err && carry.len)
		err = bd_err(q->d, -EBADMSG, "target '%s': %zu bytes of a truncated record",
			     q->plan.target->name, carry.len);
	sb_free(&carry);
	return err;
}

/* Read iter_fd (or the map syscalls) to the end: rows to rc's printer or callback. */
static long read_rows(struct bpfdump_query *q, int iter_fd, struct row_ctx *rc, bool hide_kaddr)
{
	long err;

	if (rc->format != BPFDUMP_FMT_RECORDS) {
		rc->dec = bd_rows_new(q, hide_kaddr, rc->fn ? rc->number_text : true);
		if (!rc->dec)
			return -ENOMEM;
	}
	err = q->map_syscalls ? bd_map_syscall_read(q, map_record, rc)
			      : read_records(q, iter_fd, rc);
	if (err == BD_ROWS_STOP)	/* the caller had enough rows */
		err = 0;
	bd_rows_free(rc->dec);
	rc->dec = NULL;
	return err;
}

long bd_query_read(struct bpfdump_query *q, int iter_fd, FILE *out,
		   const struct bpfdump_print_opts *opts)
{
	const struct bd_plan *p = &q->plan;
	struct row_ctx rc = { .q = q, .out = out };
	const char **names = NULL, **headers = NULL;
	bool *right = NULL;
	long err;
	int i;

	if (!OPTS_OK(opts, bpfdump_print_opts))
		return -EINVAL;
	rc.format = opts ? opts->format : BPFDUMP_FMT_TABLE;
	names = calloc(p->col_cnt, sizeof(*names));
	headers = calloc(p->col_cnt, sizeof(*headers));
	right = calloc(p->col_cnt, sizeof(*right));
	rc.cellp = calloc(p->col_cnt, sizeof(*rc.cellp));
	rc.lens = calloc(p->col_cnt, sizeof(*rc.lens));
	rc.numeric = calloc(p->col_cnt, sizeof(*rc.numeric));
	if (!names || !headers || !right || !rc.cellp || !rc.lens || !rc.numeric) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p->col_cnt; i++) {
		names[i] = p->cols[i].name;
		headers[i] = p->cols[i].header;
		right[i] = p->cols[i].right_align;
	}
	if (rc.format != BPFDUMP_FMT_RECORDS) {
		rc.pr = bd_printer__new(out, p->col_cnt, names, headers, right, opts);
		if (!rc.pr) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = read_rows(q, iter_fd, &rc, rc.format != BPFDUMP_FMT_RECORDS &&
			bd_print_hides_kaddr(opts));
	if (!err && rc.pr)
		err = bd_printer__finish(rc.pr);
	if (!err)
		err = rc.rows;
out:
	bd_printer__free(rc.pr);
	free(rc.cellp);
	free(rc.lens);
	free(rc.numeric);
	free(names);
	free(headers);
	free(right);
	return err;
}

/* Attach (in the query's namespaces), and read the iterator with rc. */
static long run_query(struct bpfdump_query *q, struct row_ctx *rc, FILE *out,
		      const struct bpfdump_print_opts *opts, bool hide_kaddr)
{
	struct bd_scope_run run;
	int link_fd;
	long ret;

	if (q->map_syscalls)	/* no program, no iterator */
		return rc ? read_rows(q, -1, rc, hide_kaddr) ?: rc->rows
			  : bd_query_read(q, -1, out, opts);
	link_fd = bpfdump_query__attach(q);
	if (link_fd < 0)
		return link_fd;
	ret = bd_scope_start(q->d, &q->scope, link_fd, &run);
	if (ret) {
		char why[BD_ERRMSG_MAX];

		snprintf(why, sizeof(why), "%s", bd_errmsg());
		bd_err(q->d, ret, "target '%s': %s", q->plan.target->name, why);
		close(link_fd);
		return ret;
	}
	if (rc) {
		ret = read_rows(q, run.fd, rc, hide_kaddr);
		if (!ret)
			ret = rc->rows;
	} else {
		ret = bd_query_read(q, run.fd, out, opts);
	}
	ret = bd_scope_end(q->d, &run, ret < 0 ? ret : 0) ?: ret;
	close(link_fd);
	return ret;
}

long bpfdump_query__rows(struct bpfdump_query *q, bpfdump_row_fn fn, void *ctx,
			 const struct bpfdump_rows_opts *opts)
{
	BPFDUMP_OPTS(bpfdump_print_opts, po);
	struct row_ctx rc = { .q = q, .fn = fn, .fn_ctx = ctx };

	if (!q || !fn || !OPTS_OK(opts, bpfdump_rows_opts))
		return -EINVAL;
	po.kaddrs = opts ? opts->kaddrs : BPFDUMP_KADDR_AUTO;
	rc.number_text = !OPTS_GET(opts, no_number_text, false);
	return run_query(q, &rc, NULL, NULL, bd_print_hides_kaddr(&po));
}

long bpfdump_query__print(struct bpfdump_query *q, FILE *out,
			  const struct bpfdump_print_opts *opts)
{
	return run_query(q, NULL, out, opts, false);
}
