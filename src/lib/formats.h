/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One way to format a column: a table of formats (enum bd_fmt), each with its
 * user-space form (format.c: the text `dump` prints) and its kernel-side form
 * (codegen_text.c: bpf_seq_printf calls that write the same text for a pinned
 * dumper's `cat`). Columns fetched as a path or a string are text whatever their
 * format: both files handle those fetches before they look a format up.
 */
#ifndef BPFDUMP_FORMATS_H
#define BPFDUMP_FORMATS_H

#include <stdbool.h>
#include <linux/types.h>

#include "internal.h"

struct cg;

/* A cell as the user-space form sees it. */
struct bd_cell_in {
	const struct bd_plan *p;
	const struct bd_column *c;
	const __u8 *rec;	/* the record, rec_len bytes, slots checked */
	__u32 rec_len;
	const __u8 *v;		/* the first access's slot */
};

/* The cell's text into out (reset); *numeric when it is a JSON number. */
typedef int bd_fmt_put_fn(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric);
/* Code writing the cell's text; first: the row's first cell (no leading space). */
typedef int bd_fmt_emit_fn(struct cg *g, const struct bd_column *c, bool first);

struct bd_format {
	const char *name;	/* the field function that chooses it, "" for the BTF type's */
	bd_fmt_put_fn *put;
	bd_fmt_emit_fn *emit;
};

/* Indexed by enum bd_fmt (formats.c). */
extern const struct bd_format bd_formats[BD_FMT_CNT];

/* format.c */
bd_fmt_put_fn fmt_put_typed, fmt_put_hex, fmt_put_ip, fmt_put_taskstate, fmt_put_vmflags,
	fmt_put_tcpstate, fmt_put_sockaddr, fmt_put_family, fmt_put_mapdata, fmt_put_sunpath,
	fmt_put_nspid, fmt_put_socktype, fmt_put_fileoff;

/* codegen_text.c */
bd_fmt_emit_fn fmt_emit_typed, fmt_emit_hex, fmt_emit_ip, fmt_emit_taskstate, fmt_emit_vmflags,
	fmt_emit_tcpstate, fmt_emit_sockaddr, fmt_emit_family, fmt_emit_mapdata, fmt_emit_sunpath,
	fmt_emit_nspid, fmt_emit_socktype, fmt_emit_fileoff;

#endif
