/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Types, members and iterator targets found in the kernel's BTF (btf.c). */
#ifndef BPFDUMP_BTF_H
#define BPFDUMP_BTF_H

#include "context.h"

/* btf.c */
int bd_btf_load(struct bpfdump *d);
/* context.c: the kernel's BTF and iterator targets, parsed now if the handle was opened with
 * lazy_btf and nothing has needed them yet: 0 or -errno (message in d). */
int bd_btf_ready(struct bpfdump *d);
int bd_targets_discover(struct bpfdump *d);
/* btf__find_by_name_kind on d's BTF, remembered per context: libbpf's lookup
 * scans all the kernel's types (125k), and planning one query asks for the
 * same few structs dozens of times. Thread-safe; frees in bd_btf_memo_free. */
__s32 bd_btf_find(struct bpfdump *d, const char *name, __u32 kind);
void bd_btf_memo_free(struct bpfdump *d);
const struct bd_target *bd_target_find(const struct bpfdump *d, const char *name);
/* context.c: fallback columns, one per ctx member (malloc'd; NULL without any). */
char *bd_target_member_columns(const struct bd_target *t);
/* Skip typedefs and modifiers. */
const struct btf_type *bd_skip_mods(const struct btf *btf, __u32 id, __u32 *res_id);
/* Find a member by name, looking inside anonymous struct/union members.
 * Returns 0 and bit offset, member type and bitfield size, or -ENOENT. */
int bd_find_member(const struct btf *btf, __u32 struct_id, const char *name, __u32 *bit_off,
		   __u32 *type_id, __u32 *bitfield_size);
/* Up to 'max' member names nearest to 'name', comma-separated, into buf. */
void bd_suggest_members(const struct btf *btf, __u32 struct_id, const char *name, char *buf,
			size_t len);
/* A C declaration of type id (with optional name), e.g. "struct task_struct *task". */
int bd_type_decl(const struct btf *btf, __u32 id, const char *name, char *buf, size_t len);
/* 16/32/64 when the declared type goes through __be16/__be32/__be64, else 0. */
int bd_net_order_bits(const struct btf *btf, __u32 id);
/* Look an enumerator up by name in every enum of the BTF. */
int bd_find_enumerator(const struct btf *btf, const char *name, long long *val);
/* Levenshtein distance, bounded. */
int bd_edit_distance(const char *a, const char *b);

#endif
