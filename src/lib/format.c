// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Record decoding: a column's bytes, typed by BTF, become text. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats.h"
#include "internal.h"
#include "names.h"
#include "output.h"
#include "util.h"

/* Decimal without printf: called for most cells of most rows. */
static void put_u64(struct bd_strbuf *b, unsigned long long v, bool neg)
{
	char buf[24], *e = buf + sizeof(buf), *p = e;

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	if (neg)
		*--p = '-';
	sb_puts(b, p, e - p);
}

static void put_s64(struct bd_strbuf *b, long long v)
{
	put_u64(b, v < 0 ? -(unsigned long long)v : (unsigned long long)v, v < 0);
}

/* Text up to the first NUL; bytes outside printable ASCII/UTF-8 are kept as is:
 * the table and JSON writers escape what they must. */
static void put_cstr(struct bd_strbuf *out, const __u8 *s, size_t max)
{
	size_t n = strnlen((const char *)s, max);

	sb_puts(out, (const char *)s, n);
}

static unsigned long long load_uint(const __u8 *p, __u32 size)
{
	__u8 v1;
	__u16 v2;
	__u32 v4;
	__u64 v8;

	switch (size) {
	case 1: memcpy(&v1, p, 1); return v1;
	case 2: memcpy(&v2, p, 2); return v2;
	case 4: memcpy(&v4, p, 4); return v4;
	default: memcpy(&v8, p, 8); return v8;
	}
}

/* dotted quad without inet_ntop (glibc's goes through sprintf) */
static void put_ip4(struct bd_strbuf *out, const __u8 *p)
{
	char buf[INET_ADDRSTRLEN], *s = buf;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned int v = p[i];

		if (v >= 100)
			*s++ = '0' + v / 100;
		if (v >= 10)
			*s++ = '0' + v / 10 % 10;
		*s++ = '0' + v % 10;
		*s++ = '.';
	}
	sb_puts(out, buf, s - buf - 1);
}

static void put_ip6(struct bd_strbuf *out, const __u8 *p)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, p, buf, sizeof(buf));
	sb_puts(out, buf, strlen(buf));
}

static int dump_data(const struct btf *btf, __u32 id, const void *data, size_t size,
		     struct bd_strbuf *out, bool multiline, bool zeroes)
{
	LIBBPF_OPTS(btf_dump_type_data_opts, opts, .compact = !multiline, .emit_zeroes = zeroes);
	struct btf_dump *dd = btf_dump__new(btf, sb_vprintf, out, NULL);
	int err;

	if (!dd)
		return -errno;
	err = btf_dump__dump_type_data(dd, id, data, size, &opts);
	btf_dump__free(dd);
	return err < 0 ? err : 0;
}

static void put_hex_bytes(struct bd_strbuf *out, const __u8 *p, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		sb_printf(out, "%s%02x", i ? " " : "", p[i]);
}

/* The name enum type t gives value v (its bytes as loaded), or NULL. */
static const char *enumerator_name(const struct btf *btf, const struct btf_type *t,
				   unsigned long long v)
{
	int i;

	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);

		for (i = 0; i < btf_vlen(t); i++, e++)
			if ((__u32)e->val == (__u32)v)
				return btf__name_by_offset(btf, e->name_off);
	} else if (btf_is_enum64(t)) {
		const struct btf_enum64 *e = btf_enum64(t);

		for (i = 0; i < btf_vlen(t); i++, e++)
			if (btf_enum64_value(e) == v)
				return btf__name_by_offset(btf, e->name_off);
	}
	return NULL;
}

/* Format a value typed by BTF; *numeric when it is a plain number. */
static void put_typed(const struct btf *btf, __u32 id, const __u8 *p, __u32 size, bool addr_hint,
		      struct bd_strbuf *out, bool *numeric, const struct bd_plan *pl)
{
	__u32 rid;
	const struct btf_type *t = bd_skip_mods(btf, id, &rid);
	int be = bd_net_order_bits(btf, id) / 8;
	unsigned long long v;

	*numeric = false;
	if (!t)
		return;
	if (btf_is_int(t) && size <= 8) {
		__u8 enc = btf_int_encoding(t);

		v = load_uint(p, size);
		if (be == 4 && addr_hint) {
			put_ip4(out, p);
			return;
		}
		if (be == 2)
			v = ntohs((__u16)v);
		else if (be == 4)
			v = ntohl((__u32)v);
		else if (be == 8)
			v = be64toh(v);
		if (enc & BTF_INT_BOOL) {
			sb_printf(out, "%s", v ? "true" : "false");
			return;
		}
		if (size == 1 && ((enc & BTF_INT_CHAR) ||
				  !strcmp(btf__name_by_offset(btf, t->name_off), "char"))) {
			if (v >= 0x20 && v < 0x7f)
				sb_putc(out, (char)v);
			else
				sb_printf(out, "\\x%02llx", v);
			return;
		}
		*numeric = true;
		if (enc & BTF_INT_SIGNED)
			put_s64(out, bd_sign_extend(v, size));
		else
			put_u64(out, v, false);
		return;
	}
	if (btf_is_enum(t) || btf_is_enum64(t)) {
		const char *en;

		v = load_uint(p, size);
		en = enumerator_name(btf, t, v);
		if (en) {
			sb_puts(out, en, strlen(en));
			return;
		}
		*numeric = true;
		if (btf_kflag(t))
			put_s64(out, bd_sign_extend(v, size));
		else
			put_u64(out, v, false);
		return;
	}
	if (btf_is_ptr(t)) {
		sb_printf(out, "0x%llx", load_uint(p, 8));
		return;
	}
	if (btf_is_array(t)) {
		const struct btf_type *et = bd_skip_mods(btf, btf_array(t)->type, NULL);

		if (et && btf_is_int(et) && et->size == 1) {
			put_cstr(out, p, size);
			return;
		}
	}
	if (btf_is_struct(t) && !strcmp(btf__name_by_offset(btf, t->name_off), "in6_addr") &&
	    size == 16) {
		put_ip6(out, p);
		return;
	}
	if (dump_data(btf, rid, p, size, out, pl->dump_multiline, pl->dump_zeroes)) {
		sb_reset(out);
		put_hex_bytes(out, p, size);
	}
}

void bd_column_classify(struct bd_column *c)
{
	const struct bd_access *a = &c->acc[0];
	const struct btf_type *t, *et;
	int be;

	c->fast = BD_FAST_NONE;
	if ((c->fmt != BD_FMT_AUTO && c->fmt != BD_FMT_PATH && c->fmt != BD_FMT_CSTR &&
	     c->fmt != BD_FMT_USTR) || a->full_size > a->size || !a->btf ||
	    (a->fetch != BD_FETCH_SCALAR && a->fetch != BD_FETCH_BYTES))
		return;
	t = bd_skip_mods(a->btf, a->type_id, NULL);
	if (!t)
		return;
	be = bd_net_order_bits(a->btf, a->type_id) / 8;
	if (btf_is_int(t) && a->size <= 8) {
		__u8 enc = btf_int_encoding(t);

		c->fast_be = be;
		if (be == 4 && c->addr_hint)
			c->fast = BD_FAST_IP4;
		else if (enc & BTF_INT_BOOL)
			c->fast = BD_FAST_BOOL;
		else if (a->size == 1 && ((enc & BTF_INT_CHAR) ||
					  !strcmp(btf__name_by_offset(a->btf, t->name_off), "char")))
			c->fast = BD_FAST_CHAR;
		else
			c->fast = enc & BTF_INT_SIGNED ? BD_FAST_SINT : BD_FAST_UINT;
	} else if (btf_is_ptr(t)) {
		c->fast = BD_FAST_PTR;
	} else if (btf_is_array(t)) {
		et = bd_skip_mods(a->btf, btf_array(t)->type, NULL);
		if (et && btf_is_int(et) && et->size == 1)
			c->fast = BD_FAST_CSTR;
	}
}

/* An enum-typed column's type (modifiers and typedefs skipped), or NULL. */
static const struct btf_type *column_enum(const struct bd_column *c)
{
	const struct bd_access *a = &c->acc[0];
	const struct btf_type *t;

	if (c->acc_cnt != 1 || c->fmt != BD_FMT_AUTO || a->fetch != BD_FETCH_SCALAR ||
	    !a->btf || !a->size || a->size > 8 || a->full_size > a->size)
		return NULL;
	t = bd_skip_mods(a->btf, a->type_id, NULL);
	return t && (btf_is_enum(t) || btf_is_enum64(t)) ? t : NULL;
}

bool bd_column_int(const struct bd_column *c, const __u8 *rec, __u32 len, long long *v)
{
	const struct bd_access *a = &c->acc[0];
	const struct btf_type *et = column_enum(c);
	__u32 size = et ? a->size : a->slot_size;
	bool sg = et ? btf_kflag(et) : c->fast == BD_FAST_SINT;
	__u64 u = 0;

	if (!et && (c->acc_cnt != 1 || (c->fast != BD_FAST_UINT && c->fast != BD_FAST_SINT &&
					 c->fast != BD_FAST_BOOL)))
		return false;
	if (!size || size > 8 || a->slot_off + a->slot_size > len || size > a->slot_size)
		return false;
	memcpy(&u, rec + a->slot_off, size);	/* little-endian */
	if (sg && size < 8 && (u >> (8 * size - 1)) & 1)
		u |= ~0ULL << (8 * size);
	*v = (long long)u;
	return true;
}

bool bd_column_enum_name(const struct bd_column *c, long long v, struct bd_strbuf *out)
{
	const struct btf_type *t = column_enum(c);
	const char *en = t ? enumerator_name(c->acc[0].btf, t, v) : NULL;

	if (!en)
		return false;
	sb_puts(out, en, strlen(en));
	return true;
}

/* put_typed's output for a column bd_column_classify decided on. */
static void put_fast(const struct bd_column *c, const __u8 *p, __u32 size, struct bd_strbuf *out,
		     bool *numeric)
{
	unsigned long long v;

	*numeric = false;
	switch (c->fast) {
	case BD_FAST_IP4:
		put_ip4(out, p);
		return;
	case BD_FAST_PTR:
		sb_printf(out, "0x%llx", load_uint(p, 8));
		return;
	case BD_FAST_CSTR:
		put_cstr(out, p, size);
		return;
	default:
		break;
	}
	v = load_uint(p, size);
	if (c->fast_be == 2)
		v = ntohs((__u16)v);
	else if (c->fast_be == 4)
		v = ntohl((__u32)v);
	else if (c->fast_be == 8)
		v = be64toh(v);
	switch (c->fast) {
	case BD_FAST_BOOL:
		sb_puts(out, v ? "true" : "false", v ? 4 : 5);
		return;
	case BD_FAST_CHAR:
		if (v >= 0x20 && v < 0x7f)
			sb_putc(out, (char)v);
		else
			sb_printf(out, "\\x%02llx", v);
		return;
	case BD_FAST_SINT:
		*numeric = true;
		put_s64(out, bd_sign_extend(v, size));
		return;
	default:
		*numeric = true;
		put_u64(out, v, false);
		return;
	}
}

static const __u8 *path_bytes(const struct bd_plan *p, const __u8 *rec, __u32 rec_len, int idx,
			      __s32 *len)
{
	__u32 off = p->fixed_size;
	int k;

	for (k = 0; k <= idx; k++) {
		__s32 r;

		memcpy(&r, rec + p->path_res_off[k], 4);
		if (r > BD_PATH_MAX)
			r = BD_PATH_MAX;
		if (k == idx) {
			*len = r;
			if (r > 0 && off + r > rec_len)
				return NULL;
			return rec + off;
		}
		if (r > 0)
			off += r;
	}
	return NULL;
}

/* The map iterator's value: the ctx member named value (not the key). */
static bool is_map_value(const struct bd_plan *p, const struct bd_access *a)
{
	int i;

	for (i = 0; p->target && i < p->target->member_cnt; i++)
		if (p->target->members[i].off == a->ctx_off)
			return !strcmp(p->target->members[i].name, "value");
	return false;
}

/* A per-CPU map's value, one per possible CPU as bpftool shows them: "cpu0: V; cpu1: V",
 * each decoded by the map's BTF value type, or hex bytes. The kernel lays them out
 * 8-byte aligned, for the iterator and the lookup syscalls alike. */
static void put_percpu(const struct bd_plan *p, const __u8 *v, __u32 size, struct bd_strbuf *out)
{
	__u32 vs = p->map.value_size, stride = (vs + 7) & ~7u, cpu;
	struct bd_strbuf one = {};

	for (cpu = 0; stride && (cpu + 1) * stride <= size; cpu++) {
		sb_printf(out, "%scpu%u: ", cpu ? "; " : "", cpu);
		sb_reset(&one);
		if (!p->map.value_type_id || !p->map.btf ||
		    dump_data(p->map.btf, p->map.value_type_id, v + cpu * stride, vs, &one, false,
			      false)) {
			sb_reset(&one);
			put_hex_bytes(&one, v + cpu * stride, vs);
		}
		if (one.s)
			sb_puts(out, one.s, one.len);
	}
	sb_free(&one);
}

int bd_format_column(struct bpfdump *d, const struct bd_plan *p, const struct bd_column *c,
		     const __u8 *rec, __u32 rec_len, struct bd_strbuf *out, bool *numeric)
{
	return bd_format_cell(d, p, c, rec, rec_len, NULL, out, numeric);
}

int bd_format_cell(struct bpfdump *d, const struct bd_plan *p, const struct bd_column *c,
		   const __u8 *rec, __u32 rec_len, struct bd_path_cache *pcache,
		   struct bd_strbuf *out, bool *numeric)
{
	const struct bd_access *a = &c->acc[0];
	const __u8 *v = rec + a->slot_off;
	struct bd_cell_in x;
	unsigned long long u;

	*numeric = false;
	sb_reset(out);
	if (a->slot_off + a->slot_size > rec_len)
		return -EINVAL;
	if (a->fetch == BD_FETCH_DPATH) {
		__s32 len = 0;
		const __u8 *s = path_bytes(p, rec, rec_len, a->path_idx, &len);
		const __u8 *key = v + BD_PATH_KEY_OFF + 8;	/* mount, dentry */

		if (len == BD_PATH_CACHED) {
			/* resolved by an earlier record of this read */
			if (!a->cached || !pcache || !bd_path_cache_get(pcache, key, &s, &len))
				return -EINVAL;
		} else if (len < -4095) {
			return -EINVAL;	/* bpf_d_path fails with -errno: not its result */
		} else if (a->cached && pcache && (len < 0 || s)) {
			int err = bd_path_cache_put(pcache, key, s, len);

			if (err)
				return err;
		}
		if (len < 0) {
			sb_printf(out, "(%s)", strerror(-len));
			return 0;
		}
		if (!s)
			return len == 0 ? 0 : -EINVAL;
		put_cstr(out, s, len);
		return 0;
	}
	if (a->fetch == BD_FETCH_CSTR) {
		put_cstr(out, v, a->slot_size);
		return 0;
	}
	if (a->fetch == BD_FETCH_DWALK) {
		__u32 levels, i;

		memcpy(&levels, v, 4);
		if (levels > BD_DWALK_DEPTH) {
			sb_puts(out, "...", 3);	/* deeper than the walk goes */
			levels = BD_DWALK_DEPTH;
		}
		for (i = levels; i-- > 0;) {
			const __u8 *name = v + BD_DWALK_HDR + i * BD_DWALK_COMP;

			if (!name[0])
				continue;	/* a mount crossing */
			sb_putc(out, '/');
			put_cstr(out, name, BD_DWALK_COMP);
		}
		if (levels && !out->len)
			sb_putc(out, '/');
		if (levels && !load_uint(v + 4, 4))
			sb_puts(out, " (deleted)", 10);
		return 0;
	}
	if (a->fetch == BD_FETCH_BITFIELD) {
		u = load_uint(v, 8);
		if (c->fmt == BD_FMT_HEX) {
			sb_printf(out, "0x%llx", u);
		} else {
			put_u64(out, u, false);
		}
		*numeric = c->fmt != BD_FMT_HEX;
		return 0;
	}

	if (a->full_size > a->size) {
		/* a struct cut at the copy limit: members past it read as zero,
		 * and zeros are not shown */
		__u8 *full = calloc(1, a->full_size);

		if (!full)
			return -ENOMEM;
		memcpy(full, v, a->size);
		put_typed(a->btf, a->type_id, full, a->full_size, false, out, numeric, p);
		sb_printf(out, " ...(%u of %u bytes)", a->size, a->full_size);
		free(full);
		return 0;
	}
	if (c->fast) {
		put_fast(c, v, a->size, out, numeric);
		return 0;
	}
	if ((unsigned int)c->fmt >= BD_FMT_CNT)
		return -EINVAL;
	x = (struct bd_cell_in){ .p = p, .c = c, .rec = rec, .rec_len = rec_len, .v = v };
	return bd_formats[c->fmt].put(&x, out, numeric);
}

/* The forms of the table of formats (formats.c); the user-space side. */

int fmt_put_typed(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	const struct bd_access *a = &x->c->acc[0];

	put_typed(a->btf, a->type_id, x->v, a->size, x->c->addr_hint, out, numeric, x->p);
	return 0;
}

int fmt_put_hex(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	const struct bd_access *a = &x->c->acc[0];
	const struct btf_type *t = bd_skip_mods(a->btf, a->type_id, NULL);
	__u32 i;

	if (a->size <= 8 && !(t && btf_is_array(t))) {
		sb_printf(out, "0x%llx", load_uint(x->v, a->size));
		return 0;
	}
	for (i = 0; i < a->size; i++)	/* bytes in memory order, like bpftool's tag */
		sb_printf(out, "%02x", x->v[i]);
	return 0;
}

int fmt_put_ip(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	if (x->c->acc[0].size == 4)
		put_ip4(out, x->v);
	else
		put_ip6(out, x->v);
	return 0;
}

int fmt_put_vmflags(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	char f[5];

	bd_vm_perms(load_uint(x->v, x->c->acc[0].size), f);
	sb_puts(out, f, 4);
	return 0;
}

/* A name from t, or the number. */
static int put_name(const struct bd_names *t, unsigned long long u, struct bd_strbuf *out)
{
	const char *name = bd_name_of(t, u);

	if (name)
		sb_puts(out, name, strlen(name));
	else
		put_u64(out, u, false);
	return 0;
}

int fmt_put_tcpstate(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	return put_name(&bd_tcp_states, load_uint(x->v, x->c->acc[0].size), out);
}

int fmt_put_family(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	return put_name(&bd_families, load_uint(x->v, x->c->acc[0].size), out);
}

int fmt_put_socktype(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	const struct bd_access *fam = &x->c->acc[0], *type = &x->c->acc[1];

	return put_name(load_uint(x->v, fam->size) == 1 ? &bd_unix_types : &bd_sock_types,
			load_uint(x->rec + type->slot_off, type->size), out);
}

int fmt_put_nspid(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	/* 0 when the pid namespace at that level does not number the task */
	__u32 level = load_uint(x->v, 4);
	__s32 nr = (__s32)load_uint(x->rec + x->c->acc[1].slot_off, 4);

	put_s64(out, level >= (__u32)x->p->pidns_level ? nr : 0);
	*numeric = true;
	return 0;
}

int fmt_put_taskstate(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	const struct bd_name *st = bd_task_state(load_uint(x->v, 4),
						 load_uint(x->rec + x->c->acc[1].slot_off, 4));

	sb_puts(out, st->name, strlen(st->name));
	return 0;
}

int fmt_put_sockaddr(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	unsigned long long u = load_uint(x->v, 2);

	if (u == 2)
		put_ip4(out, x->rec + x->c->acc[1].slot_off);
	else if (u == 10)
		put_ip6(out, x->rec + x->c->acc[2].slot_off);
	return 0;
}

int fmt_put_sunpath(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	const struct bd_column *c = x->c;
	long n = (long)load_uint(x->v, 4) - 2;	/* minus sun_family */
	const __u8 *sp = x->rec + c->acc[1].slot_off;

	if (n <= 0)
		return 0;
	if (n > (long)c->acc[1].size)
		n = c->acc[1].size;
	if (sp[0]) {
		put_cstr(out, sp, n);
	} else {
		sb_putc(out, '@');	/* abstract, as ss and /proc/net/unix show it */
		sb_puts(out, (const char *)sp + 1, n - 1);
	}
	return 0;
}

int fmt_put_mapdata(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	const struct bd_plan *p = x->p;
	const struct bd_access *a = &x->c->acc[0];

	if (p->map.percpu && is_map_value(p, a)) {
		put_percpu(p, x->v, a->size, out);
		return 0;
	}
	if (x->c->map_type_id && p->map.btf &&
	    !dump_data(p->map.btf, x->c->map_type_id, x->v, a->size, out, false, false))
		return 0;
	sb_reset(out);
	put_hex_bytes(out, x->v, a->size);
	return 0;
}

/* fileoff(vma): vm_pgoff in bytes for a file mapping, 0 for an anonymous one (whose
 * vm_pgoff is its address in pages), as /proc/PID/maps shows the offset. */
int fmt_put_fileoff(const struct bd_cell_in *x, struct bd_strbuf *out, bool *numeric)
{
	const struct bd_access *pgoff = &x->c->acc[0], *file = &x->c->acc[1];
	unsigned long long off = 0;

	if (load_uint(x->rec + file->slot_off, file->size))
		off = load_uint(x->v, pgoff->size) * (unsigned long long)sysconf(_SC_PAGESIZE);
	sb_printf(out, "0x%llx", off);
	return 0;
}

/* Kernel addresses (see output.h) */

static bool kaddr_uint(const struct bd_access *a, const struct btf_type *t)
{
	__u8 enc;

	if (!btf_is_int(t) || a->size != 8)
		return false;
	enc = btf_int_encoding(t);
	return !(enc & (BTF_INT_SIGNED | BTF_INT_BOOL | BTF_INT_CHAR)) &&
	       !bd_net_order_bits(a->btf, a->type_id);
}

bool bd_column_may_be_kaddr(const struct bd_column *c)
{
	const struct bd_access *a = &c->acc[0];
	const struct btf_type *t;

	if (c->acc_cnt != 1 || a->fetch != BD_FETCH_SCALAR || a->size != 8 || a->full_size ||
	    !a->btf || (c->fmt != BD_FMT_AUTO && c->fmt != BD_FMT_HEX))
		return false;
	t = bd_skip_mods(a->btf, a->type_id, NULL);
	return t && (btf_is_ptr(t) || kaddr_uint(a, t));
}

/* An 8-byte value in the upper half of the address space: the kernel's on every
 * 64-bit architecture Linux runs on. All ones is a sentinel (RLIM_INFINITY, ~0UL),
 * not an address. */
bool bd_is_kaddr_value(unsigned long long v)
{
	return (v >> 63) && v != ~0ULL;
}

void bd_format_hide_kaddr(const struct bd_column *c, const unsigned char *rec,
			  unsigned int rec_len, struct bd_strbuf *out)
{
	const struct bd_access *a = &c->acc[0];
	const struct btf_type *t;
	unsigned long long v;

	if (!bd_column_may_be_kaddr(c) || a->slot_off + 8 > rec_len)
		return;
	t = bd_skip_mods(a->btf, a->type_id, NULL);
	v = load_uint(rec + a->slot_off, 8);
	if (!btf_is_ptr(t) && !bd_is_kaddr_value(v))
		return;
	sb_reset(out);
	if (btf_is_ptr(t) || c->fmt == BD_FMT_HEX)
		sb_puts(out, "0x0000000000000000", 18);
	else
		sb_putc(out, '0');
}

char *bd_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}
