/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Decoding a record's columns into text (format.c) and the paths a read caches
 * (path_cache.c). */
#ifndef BPFDUMP_FORMAT_H
#define BPFDUMP_FORMAT_H

#include "plan.h"

/* format.c */
/* s without leading and trailing white space (cut in place). */
char *bd_trim(char *s);

/* Format one column of a record as text; *numeric says whether it is a JSON number. */
int bd_format_column(struct bpfdump *d, const struct bd_plan *p, const struct bd_column *c,
		     const __u8 *rec, __u32 rec_len, struct bd_strbuf *out, bool *numeric);
/* A column of one integer or enum (an argument, 'return', a tracepoint's field) as
 * the number it holds, sign-extended when signed, in *v; false for other columns. */
bool bd_column_int(const struct bd_column *c, const __u8 *rec, __u32 len, long long *v);
/* The enumerator name an enum-typed column's type gives v, appended to out; false
 * (nothing appended) for other columns and values without a name. */
bool bd_column_enum_name(const struct bd_column *c, long long v, struct bd_strbuf *out);
/* as bd_format_column, for a reader with a path cache (NULL: none) */
struct bd_path_cache;
int bd_format_cell(struct bpfdump *d, const struct bd_plan *p, const struct bd_column *c,
		   const __u8 *rec, __u32 rec_len, struct bd_path_cache *pcache,
		   struct bd_strbuf *out, bool *numeric);

/* path_cache.c: one read's paths by (mount, dentry), for BD_PATH_CACHED records */
/* Does a column of p read a path through the cache (records may say BD_PATH_CACHED)? */
bool bd_plan_has_cached_path(const struct bd_plan *p);
struct bd_path_cache *bd_path_cache_new(void);
void bd_path_cache_free(struct bd_path_cache *pc);
int bd_path_cache_put(struct bd_path_cache *pc, const __u8 *key, const __u8 *path, __s32 len);
bool bd_path_cache_get(const struct bd_path_cache *pc, const __u8 *key, const __u8 **path,
		       __s32 *len);

/* An address family's name (AF_INET: "inet", like ss), or NULL if unknown. */
const char *bd_family_name(unsigned int family);

#endif
