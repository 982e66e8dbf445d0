// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// FUZZ_SRCS: src/lib/context.c src/lib/load.c src/lib/read.c src/lib/read_ahead.c src/lib/path_cache.c src/lib/btf.c src/lib/plan.c src/lib/names.c src/lib/formats.c src/lib/format.c src/lib/strbuf.c src/lib/util.c src/lib/output.c src/lib/targets.c src/lib/log.c src/lib/query.c src/lib/scope.c src/lib/codegen.c src/lib/codegen_text.c src/lib/insn.c src/lib/rows.c src/lib/map_syscall.c
// FUZZ_LIBS: -lbpf -lelf -lz -lpthread
/*
 * libFuzzer harness for the record decoder. LLVMFuzzerInitialize opens a real
 * bpfdump handle on the kernel's BTF and plans real queries (each target's
 * default columns, and -o lists for strings, paths, addresses, ports, enums,
 * bitfields, arrays, pointers, signed values, nspid()), without loading any
 * program. Per input: the first byte picks a plan, the rest is one record as
 * the kernel would write it (its length header is set; a record shorter than
 * the plan's fixed part is zero-padded, as read_records() in read.c never passes
 * a shorter one). Every column goes through bd_format_column, the row through
 * the JSON, table and raw table printers; the checks: cells NUL-terminated at
 * their length, numbers look like numbers, a JSON row is one object of
 * "key":value pairs with escaped strings, table rows carry no control bytes.
 * The record buffer has exactly the record's size, so ASan reports any read
 * past rec_len.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "output.h"

#define check(cond)                  \
	do {                         \
		if (!(cond))         \
			abort();     \
	} while (0)

#define MAX_CELL (1 << 20)

#include "record_queries.h"

#define QUERY_CNT ((int)(sizeof(queries) / sizeof(queries[0])))

static struct bpfdump *d;
static struct bd_plan plans[QUERY_CNT];
static int plan_cnt;

static void quiet(enum bpfdump_log_level level, const char *msg, void *ctx)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	BPFDUMP_OPTS(bpfdump_opts, o, .log = quiet);
	int i;

	d = bpfdump__new(&o);
	if (!d) {
		fprintf(stderr, "record_fuzz: cannot open the kernel's BTF: %s\n", strerror(errno));
		exit(1);
	}
	for (i = 0; i < QUERY_CNT; i++) {
		struct bd_plan *p = &plans[i];
		const char *cols = queries[i].columns;

		p->map.fd = -1;
		p->pidns_level = 1;	/* nspid(): both sides of "level >= 1" */
		p->target = bd_target_find(d, queries[i].target);
		if (!p->target)
			continue;	/* not in this kernel: inputs for it are skipped */
		if (!cols)
			cols = bd_target_preset(queries[i].target);
		if (bd_plan_build(d, p, cols, NULL)) {
			fprintf(stderr, "record_fuzz: %s -o '%s': %s\n", queries[i].target, cols,
				bpfdump__errmsg(d));
			p->target = NULL;
			continue;
		}
		plan_cnt++;
	}
	if (!plan_cnt) {
		fprintf(stderr, "record_fuzz: no plan could be built\n");
		exit(1);
	}
	return 0;
}

/* A cell: NUL at its length, no longer than a record could make it. */
static void check_cell(const struct bd_strbuf *b, bool numeric)
{
	size_t i;

	check(b->len <= MAX_CELL);
	check(!b->s || b->s[b->len] == '\0');
	if (!numeric)
		return;
	check(b->s && b->len);
	for (i = 0; i < b->len; i++)
		check((b->s[i] >= '0' && b->s[i] <= '9') || (i == 0 && b->s[i] == '-' && b->len > 1));
}

/* A JSON string at *p: no raw control bytes, known escapes. */
static const char *json_string(const char *p, const char *end)
{
	check(p < end && *p == '"');
	for (p++; p < end && *p != '"'; p++) {
		check((unsigned char)*p >= 0x20 && *p != 0x7f);
		if (*p != '\\')
			continue;
		p++;
		check(p < end && strchr("\"\\/bfnrtu", *p));
		if (*p == 'u') {
			int k;

			for (k = 1; k <= 4; k++)
				check(p + k < end && strchr("0123456789abcdefABCDEF", p[k]));
			p += 4;
		}
	}
	check(p < end);
	return p + 1;
}

/* One line: {"k":v,...}\n with string or integer values, ncols pairs. */
static void check_json_row(const char *s, size_t n, int ncols)
{
	const char *p = s, *end = s + n;
	int pairs = 0;

	check(n >= 3 && p[0] == '{' && end[-1] == '\n' && end[-2] == '}');
	check(!memchr(s, '\0', n));
	end -= 2;	/* the closing brace */
	p++;
	while (p < end) {
		if (pairs)
			check(*p++ == ',');
		p = json_string(p, end);
		check(p < end && *p++ == ':');
		if (*p == '"') {
			p = json_string(p, end);
		} else {
			if (*p == '-')
				p++;
			check(p < end && *p >= '0' && *p <= '9');
			while (p < end && *p >= '0' && *p <= '9')
				p++;
		}
		pairs++;
	}
	check(p == end && pairs == ncols);
}

/* Table output: printable lines (UTF-8 allowed), each ended by a newline. */
static void check_table(const char *s, size_t n, int lines)
{
	size_t i;
	int nl = 0;

	for (i = 0; i < n; i++) {
		check((unsigned char)s[i] >= 0x20 || s[i] == '\n');
		check(s[i] != 0x7f);
		nl += s[i] == '\n';
	}
	check(nl == lines && (!n || s[n - 1] == '\n'));
}

static void print_row(const struct bd_plan *p, char **cells, const size_t *lens,
		      const bool *numeric, enum bpfdump_format fmt, bool raw)
{
	BPFDUMP_OPTS(bpfdump_print_opts, po, .format = fmt, .raw = raw);
	const char *names[64], *headers[64];
	bool right[64];
	struct bd_printer *pr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	for (i = 0; i < p->col_cnt; i++) {
		names[i] = p->cols[i].name;
		headers[i] = p->cols[i].header;
		right[i] = p->cols[i].right_align;
	}
	f = open_memstream(&buf, &len);
	check(f);
	pr = bd_printer__new(f, p->col_cnt, names, headers, right, &po);
	check(pr);
	check(!bd_printer__row(pr, cells, lens, numeric));
	check(!bd_printer__finish(pr));
	bd_printer__free(pr);
	check(!fclose(f));
	if (fmt == BPFDUMP_FMT_JSON)
		check_json_row(buf, len, p->col_cnt);
	else
		check_table(buf, len, 2);
	free(buf);
}

static struct bd_path_cache *pcache;
static int pcache_uses;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bd_strbuf cells[64] = {};
	char *cellp[64];
	size_t lens[64];
	bool numeric[64];
	const struct bd_plan *p;
	__u32 rec_len, max_len;
	__u8 *rec;
	int i, err, bad = 0;

	if (!size)
		return 0;
	p = &plans[data[0] % QUERY_CNT];
	if (!p->target)
		return 0;
	check(p->col_cnt <= 64);
	data++;
	size--;
	/* what read_records() accepts: fixed part .. fixed part + every path */
	max_len = p->fixed_size + BD_MAX_PATHS * BD_PATH_MAX;
	rec_len = size < p->fixed_size ? p->fixed_size : size > max_len ? max_len : size;
	rec = calloc(1, rec_len);
	if (!rec)
		return 0;
	memcpy(rec, data, size < rec_len ? size : rec_len);
	if (rec_len >= 4)
		memcpy(rec, &rec_len, 4);

	/* a reader's path cache, kept over inputs as over the records of one read,
	 * so cached-path records meet both known and unknown keys */
	if (!pcache || ++pcache_uses > 256) {
		bd_path_cache_free(pcache);
		pcache = bd_path_cache_new();
		pcache_uses = 0;
	}
	for (i = 0; i < p->col_cnt; i++) {
		err = bd_format_cell(d, p, &p->cols[i], rec, rec_len, pcache, &cells[i],
				     &numeric[i]);
		check(err == 0 || err == -EINVAL || err == -ENOMEM);
		if (err) {
			bad = 1;
			continue;
		}
		check_cell(&cells[i], numeric[i]);
		if (!cells[i].s)
			sb_puts(&cells[i], "", 0);
		cellp[i] = cells[i].s ? cells[i].s : (char *)"";
		lens[i] = cells[i].s ? cells[i].len : 0;
	}
	if (!bad) {
		print_row(p, cellp, lens, numeric, BPFDUMP_FMT_JSON, false);
		print_row(p, cellp, lens, numeric, BPFDUMP_FMT_TABLE, false);
		print_row(p, cellp, lens, numeric, BPFDUMP_FMT_TABLE, true);
	}
	for (i = 0; i < p->col_cnt; i++)
		sb_free(&cells[i]);
	free(rec);
	return 0;
}
