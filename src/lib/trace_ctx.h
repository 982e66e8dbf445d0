/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Context values in a SPEC, the aggregation expression, the aggregates' printing. */
#ifndef BPFDUMP_TRACE_CTX_H
#define BPFDUMP_TRACE_CTX_H

#include "query.h"
#include "trace.h"
#include "trace_func.h"

struct bd_ksyms;
struct bd_usyms;

#define BD_TRACE_CTX_MAX 32

/* What a SPEC asks of the running task, taken out of its items. */
struct bd_trace_ctx {
	struct bd_ctx_pred preds[BD_TRACE_CTX_MAX];
	int pred_cnt;
	/* the SPEC's values in order: a context value (ctx >= 0) or a plan column */
	struct { int ctx; int col; } vals[BD_TRACE_CTX_MAX];
	int val_cnt;
	__u32 want;		/* 1 << enum bd_ctx_kind of the values */
	int item_total;		/* the SPEC's items, kept ones first */
};

/* Take the context predicates and values out of spec (an argument of the same
 * name wins); bd_trace_ctx_restore before q_trace_spec_free. */
int bd_trace_ctx_extract(struct bpfdump *d, const char *text, struct q_trace_spec *spec,
			 const struct bd_func *f, struct bd_trace_ctx *c);
void bd_trace_ctx_restore(struct q_trace_spec *spec, const struct bd_trace_ctx *c);
const char *bd_ctx_name(int k);
int bd_ctx_hdr_off(int k);
/* a context value of a record's header as text */
void bd_ctx_format(int k, const __u8 *rec, struct bd_strbuf *out);

struct bd_agg {
	enum bd_agg_fn fn;
	char *value;		/* V of fn(V), or NULL */
	char *keys;		/* after BY, or NULL */
	char *spec_text;	/* the SPEC with the keys and V (last) as items */
	char *buf;
};
int bd_agg_parse(struct bpfdump *d, const char *agg, const char *spec, struct bd_agg *a);
void bd_agg_free(struct bd_agg *a);
const char *bd_agg_name(enum bd_agg_fn fn);

/* One probe's aggregation map as printed. */
struct bd_agg_view {
	const char *name;
	enum bd_agg_fn fn;
	bool sg;			/* the value is signed */
	int map_fd;
	__u32 key_size;
	const struct bd_plan *plan;
	const struct bd_trace_ctx *ctx;
	/* keys in symbols, as the events print them: syscall:NAME's NAME (its
	 * arguments and 'return'), or NULL; the BTF of its enums and the SPEC's */
	const char *sys;
	const struct btf *btf;
	int val_item;			/* the value in ctx->vals, or -1 */
	int key_cnt;
	/* 'kstack', 'ustack' keys: the stack map their ids are in, its value size, the
	 * kernel's symbols, the processes' (a cache) */
	int stack_fd;
	__u32 stack_bytes;
	const struct bd_ksyms *ksyms;
	struct bd_usyms *usyms;
};
int bd_agg_print(struct bpfdump *d, FILE *out, bool json, const struct bd_agg_view *views,
		 int cnt, int top, __u64 not_counted, __u64 lost, struct bd_strbuf *cell);

#endif
