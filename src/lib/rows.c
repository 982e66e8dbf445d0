// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Typed rows: every consumer of records (the table and JSON printers, the SQL
 * tables, a library caller) takes its values from here. A column's bytes become a
 * typed value (signed, unsigned, text or bytes) and the text dump prints for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "output.h"
#include "rows.h"
#include "util.h"

struct bd_rows {
	struct bpfdump_query *q;
	int ncols;
	struct bpfdump_cell *cells;
	struct bd_strbuf *text;		/* per column: the cell's text */
	bool *kaddr;			/* per column: may show a kernel address */
	bool *ptr;			/* per column: a pointer-typed value */
	struct bd_path_cache *paths;	/* this read's paths, for BD_PATH_CACHED records */
	bool hide_kaddr;
	bool number_text;
};

void bd_rows_free(struct bd_rows *r)
{
	int i;

	if (!r)
		return;
	if (r->text)
		for (i = 0; i < r->ncols; i++)
			sb_free(&r->text[i]);
	free(r->text);
	free(r->cells);
	free(r->kaddr);
	free(r->ptr);
	bd_path_cache_free(r->paths);
	free(r);
}

struct bd_rows *bd_rows_new(struct bpfdump_query *q, bool hide_kaddr, bool number_text)
{
	const struct bd_plan *p = &q->plan;
	struct bd_rows *r = calloc(1, sizeof(*r));
	int i, n = p->col_cnt;

	if (!r)
		goto err_nomem;
	r->q = q;
	r->ncols = n;
	r->hide_kaddr = hide_kaddr;
	r->number_text = number_text;
	r->cells = calloc(n ?: 1, sizeof(*r->cells));
	r->text = calloc(n ?: 1, sizeof(*r->text));
	r->kaddr = calloc(n ?: 1, sizeof(*r->kaddr));
	r->ptr = calloc(n ?: 1, sizeof(*r->ptr));
	if (!r->cells || !r->text || !r->kaddr || !r->ptr)
		goto err_free;
	/* a pinned program may use the cache where this query did not load one */
	if (bd_plan_has_cached_path(p)) {
		r->paths = bd_path_cache_new();
		if (!r->paths)
			goto err_free;
	}
	for (i = 0; i < n; i++) {
		const struct bd_column *c = &p->cols[i];
		const struct btf_type *t;

		r->cells[i].name = c->name;
		r->kaddr[i] = bd_column_may_be_kaddr(c);
		t = c->acc[0].btf ? bd_skip_mods(c->acc[0].btf, c->acc[0].type_id, NULL) : NULL;
		r->ptr[i] = t && btf_is_ptr(t) && c->acc[0].fetch == BD_FETCH_SCALAR &&
			    c->acc[0].size == 8;
	}
	return r;

err_free:
	bd_rows_free(r);
err_nomem:
	errno = ENOMEM;
	return NULL;
}

static unsigned long long load_uint(const __u8 *p, __u32 size)
{
	__u8 v1;
	__u16 v2;
	__u32 v4;
	__u64 v8 = 0;

	switch (size) {
	case 1: memcpy(&v1, p, 1); return v1;
	case 2: memcpy(&v2, p, 2); return v2;
	case 4: memcpy(&v4, p, 4); return v4;
	case 8: memcpy(&v8, p, 8); return v8;
	default: return 0;
	}
}

static unsigned long long swap_be(unsigned long long v, int be)
{
	switch (be) {
	case 2: return __builtin_bswap16((__u16)v);
	case 4: return __builtin_bswap32((__u32)v);
	case 8: return __builtin_bswap64(v);
	default: return v;
	}
}

/* Decimal without printf: most cells of most rows are numbers. */
static void put_dec(struct bd_strbuf *b, unsigned long long v, bool neg)
{
	char buf[24], *e = buf + sizeof(buf), *s = e;

	do {
		*--s = '0' + v % 10;
		v /= 10;
	} while (v);
	if (neg)
		*--s = '-';
	sb_puts(b, s, e - s);
}

/* An integer column read straight from its bytes (what format.c's fast path prints). */
static void decode_int(const struct bd_column *c, const __u8 *v, struct bpfdump_cell *cell,
		       struct bd_strbuf *b, bool text)
{
	unsigned long long u = swap_be(load_uint(v, c->acc[0].size), c->fast_be);

	if (c->fast == BD_FAST_SINT) {
		long long s = bd_sign_extend(u, c->acc[0].size);

		cell->kind = BPFDUMP_CELL_INT;
		cell->v.i = s;
		if (text)
			put_dec(b, s < 0 ? -(unsigned long long)s : (unsigned long long)s, s < 0);
	} else {
		cell->kind = BPFDUMP_CELL_UINT;
		cell->v.u = u;
		if (text)
			put_dec(b, u, false);
	}
	cell->numeric = true;
}

/* The kind and value of a cell format.c wrote as text. */
static void type_text_cell(const struct bd_column *c, const __u8 *rec, bool numeric,
			   struct bpfdump_cell *cell, const struct bd_strbuf *b)
{
	const struct bd_access *a = &c->acc[0];
	const __u8 *v = rec + a->slot_off;
	const struct btf_type *t;

	if (numeric) {
		/* enumerators without a name, bitfields, nspid(): format.c's own
		 * decimal of an integer it read; back to the integer */
		if (b->len && b->s[0] == '-') {
			cell->kind = BPFDUMP_CELL_INT;
			cell->v.i = strtoll(b->s, NULL, 10);
		} else {
			cell->kind = BPFDUMP_CELL_UINT;
			cell->v.u = strtoull(b->s ?: "0", NULL, 10);
		}
		return;
	}
	t = a->btf ? bd_skip_mods(a->btf, a->type_id, NULL) : NULL;
	if (c->fast == BD_FAST_PTR || (a->fetch == BD_FETCH_BITFIELD && c->fmt == BD_FMT_HEX) ||
	    (c->fmt == BD_FMT_HEX && a->size <= 8 && !(t && btf_is_array(t)) &&
	     a->fetch != BD_FETCH_DPATH)) {
		cell->kind = BPFDUMP_CELL_UINT;	/* shown as 0x... */
		cell->v.u = load_uint(v, a->fetch == BD_FETCH_BITFIELD ? 8 : a->size);
		return;
	}
	if (c->fmt == BD_FMT_HEX || c->fmt == BD_FMT_MAPDATA) {
		/* hex(array), map keys and values: the bytes themselves */
		cell->kind = BPFDUMP_CELL_BYTES;
		cell->v.str.s = (const char *)v;
		cell->v.str.len = a->size;
		return;
	}
	cell->kind = BPFDUMP_CELL_STR;
	cell->v.str.s = b->s;
	cell->v.str.len = b->len;
}

static int decode_cell(struct bd_rows *r, int i, const __u8 *rec, __u32 len)
{
	const struct bd_plan *p = &r->q->plan;
	const struct bd_column *c = &p->cols[i];
	const struct bd_access *a = &c->acc[0];
	struct bpfdump_cell *cell = &r->cells[i];
	struct bd_strbuf *b = &r->text[i];
	bool numeric = false;
	int err;

	memset(&cell->v, 0, sizeof(cell->v));
	if (a->slot_off + a->slot_size > len)
		return -EINVAL;
	if ((c->fast == BD_FAST_UINT || c->fast == BD_FAST_SINT) && a->size <= 8) {
		sb_reset(b);
		decode_int(c, rec + a->slot_off, cell, b,
			   r->number_text || (r->hide_kaddr && r->kaddr[i]));
	} else {
		err = bd_format_cell(r->q->d, p, c, rec, len, r->paths, b, &numeric);
		if (err)
			return err;
		cell->numeric = numeric;
		type_text_cell(c, rec, numeric, cell, b);
	}
	if (r->hide_kaddr && r->kaddr[i]) {
		unsigned long long v = load_uint(rec + a->slot_off, 8);

		bd_format_hide_kaddr(c, rec, len, b);
		if (r->ptr[i] || bd_is_kaddr_value(v))
			cell->v.u = 0;
	}
	if (!b->s)
		sb_puts(b, "", 0);
	if (!b->s)
		return -ENOMEM;
	cell->text = b->s;
	cell->text_len = b->len;
	if (cell->kind == BPFDUMP_CELL_STR) {
		cell->v.str.s = b->s;
		cell->v.str.len = b->len;
	}
	return 0;
}

int bd_rows_decode(struct bd_rows *r, const __u8 *rec, __u32 len,
		   const struct bpfdump_cell **cells)
{
	int i, err;

	for (i = 0; i < r->ncols; i++) {
		err = decode_cell(r, i, rec, len);
		if (err)
			return err;
	}
	*cells = r->cells;
	return 0;
}

int bpfdump_query__column_cnt(const struct bpfdump_query *q)
{
	return q ? q->plan.col_cnt : -EINVAL;
}

const char *bpfdump_query__column_name(const struct bpfdump_query *q, int idx)
{
	return q && idx >= 0 && idx < q->plan.col_cnt ? q->plan.cols[idx].name : NULL;
}
