// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The planner: resolve field paths against BTF into access plans, type-check
 * predicates, and lay out the record. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "names.h"
#include "output.h"

#define REC_HDR_SIZE 8	/* __u32 len; __u32 reserved */

struct plan_ctx {
	struct bpfdump *d;
	struct bd_plan *p;
	const char *src;	/* text being planned, for messages */
	const char *what;	/* "field" or "where" */
	bool in_where;		/* planning the predicate's values */
	bool missing;		/* the last error: a member or field this kernel lacks */
	bool in_alias;		/* planning a default column a name stood for */
	const char *alias_func;	/* its function, when the last value was such a name */
};

#define BD_QUOTE_MAX 100	/* bytes of the query an error message quotes */

/* "WHAT 'SRC': MSG (at column N)"; a long SRC is quoted around the column, so the message fits */
static int err_at(struct bpfdump *d, int err, const char *what, const char *src, int pos,
		  const char *msg)
{
	int len = strlen(src), start = 0, n;

	if (len > BD_QUOTE_MAX) {
		start = pos - BD_QUOTE_MAX / 2;
		if (start < 0)
			start = 0;
		if (start > len - BD_QUOTE_MAX)
			start = len - BD_QUOTE_MAX;
	}
	n = len - start < BD_QUOTE_MAX ? len - start : BD_QUOTE_MAX;
	return bd_err(d, err, "%s '%s%.*s%s': %s (at column %d)", what, start ? "..." : "", n,
		      src + start, start + n < len ? "..." : "", msg, pos + 1);
}

static int perr(struct plan_ctx *pc, int pos, const char *fmt, ...) __printf(3, 4);
static int perr(struct plan_ctx *pc, int pos, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_at(pc->d, -EINVAL, pc->what, pc->src, pos, msg);
}

static const struct bd_ctx_member *ctx_member(const struct bd_target *t, const char *name)
{
	int i;

	for (i = 0; i < t->member_cnt; i++)
		if (!strcmp(t->members[i].name, name))
			return &t->members[i];
	return NULL;
}

static void ctx_member_list(const struct bd_target *t, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < t->member_cnt; i++)
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s", i ? ", " : "",
				 t->members[i].name);
}

static bool is_struct_like(const struct btf_type *t)
{
	return t && (btf_is_struct(t) || btf_is_union(t));
}

static bool is_char_type(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = bd_skip_mods(btf, id, NULL);

	return t && btf_is_int(t) && t->size == 1;
}

static bool is_char_array(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = bd_skip_mods(btf, id, NULL);

	return t && btf_is_array(t) && is_char_type(btf, btf_array(t)->type);
}

/* A pointer whose pointee (after mods) is a struct or union: loads give BTF pointers. */
static bool ptr_to_struct(const struct btf *btf, const struct btf_type *t)
{
	return btf_is_ptr(t) && is_struct_like(bd_skip_mods(btf, t->type, NULL));
}

static const char *type_name(const struct btf *btf, __u32 id, char *buf, size_t len)
{
	if (bd_type_decl(btf, id, NULL, buf, len) || !buf[0])
		snprintf(buf, len, "type #%u", id);
	return buf;
}

/* Where a path stands while it is walked. */
struct walk {
	struct bd_access *acc;
	__u32 type_id;		/* type of the current value */
	__u32 off;		/* byte offset of the value from the current base */
	__u32 bit_size;		/* current value is a bitfield */
	__u32 bit_off;
	bool base_typed;	/* base is a BTF pointer the verifier tracks */
	__u32 cast_id;		/* cast(): the value is a pointer to this struct */
	bool cast_fullsk;	/* ... from a sock_common: full sockets only */
	__u32 cast_state_off;	/* ... the sock_common's skc_state */
};

static int walk_deref(struct plan_ctx *pc, struct walk *w, int pos, const char *for_what)
{
	const struct btf *btf = w->acc->btf;
	const struct btf_type *t = bd_skip_mods(btf, w->type_id, NULL);
	struct bd_access *a = w->acc;
	char tn[128];

	if (!w->cast_id && (!t || !btf_is_ptr(t)))
		return perr(pc, pos, "'%s' needs a pointer, but the value is %s", for_what,
			    type_name(btf, w->type_id, tn, sizeof(tn)));
	if (w->bit_size)
		return perr(pc, pos, "cannot follow a bitfield");
	if (a->deref_cnt >= BD_MAX_DEREFS)
		return perr(pc, pos, "path too deep (at most %d pointers)", BD_MAX_DEREFS);
	if (!w->base_typed && a->probe_from > a->deref_cnt)
		a->probe_from = a->deref_cnt;
	a->deref_off[a->deref_cnt++] = w->off;
	w->off = 0;
	if (w->cast_id) {
		/* the verifier knows the pointer as declared (or as a number): what
		 * follows is read as untyped memory */
		w->base_typed = false;
		w->type_id = w->cast_id;
		w->cast_id = 0;
		if (w->cast_fullsk && !a->fullsk_at) {
			a->fullsk_at = a->deref_cnt;
			a->fullsk_state_off = w->cast_state_off;
		}
		return 0;
	}
	w->base_typed = ptr_to_struct(btf, t) && w->base_typed;
	w->type_id = t->type;
	return 0;
}

static int member_off(struct bpfdump *d, const char *st, const char *m, __u32 *off);

/* The named structs (and unions) nearest an unknown name, for a hint. */
static void near_structs(const struct btf *btf, const char *name, char *buf, size_t len)
{
	struct { const char *name; int score; } best[3] = {};
	__u32 id, n = btf__type_cnt(btf);
	size_t used = 0;
	int k, limit = strlen(name) / 2 + 2;

	buf[0] = '\0';
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *tn;
		int sc;

		if (!is_struct_like(t) || !t->name_off)
			continue;
		tn = btf__name_by_offset(btf, t->name_off);
		sc = bd_edit_distance(name, tn);
		if (strstr(tn, name) && sc > 2)
			sc = 2;
		for (k = 0; k < 3; k++) {
			if (best[k].name && !strcmp(best[k].name, tn))
				break;
			if (!best[k].name || sc < best[k].score) {
				memmove(&best[k + 1], &best[k], (2 - k) * sizeof(best[0]));
				best[k].name = tn;
				best[k].score = sc;
				break;
			}
		}
	}
	for (k = 0; k < 3 && best[k].name && best[k].score <= limit; k++)
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s", k ? ", " : "",
				 best[k].name);
}

/* Whether struct id is, or starts with (first members, nested), a struct sock. */
static bool starts_with_sock(const struct btf *btf, __u32 id)
{
	int depth;

	for (depth = 0; depth < 8; depth++) {
		const struct btf_type *t = bd_skip_mods(btf, id, NULL);

		if (!t || !btf_is_struct(t))
			return false;
		if (!strcmp(btf__name_by_offset(btf, t->name_off), "sock"))
			return true;
		if (!btf_vlen(t) || btf_members(t)->offset)
			return false;
		id = btf_members(t)->type;
	}
	return false;
}

/*
 * cast(VALUE, struct NAME): VALUE (a pointer, or a 64-bit number) points to a
 * struct NAME; the next step follows it. A struct sock_common cast to a struct
 * sock (or one that starts with it) is NULL for TIME_WAIT and request sockets,
 * which have no struct sock behind them (as bpf_skc_to_tcp_sock).
 */
static int walk_cast(struct plan_ctx *pc, struct walk *w, const struct q_step *s)
{
	const struct btf *btf = w->acc->btf;
	const struct btf_type *t = bd_skip_mods(btf, w->type_id, NULL), *from;
	char tn[128], hint[256];
	long long tw = -1, syn = -1;
	__s32 id;

	if (w->bit_size)
		return perr(pc, s->pos, "cannot cast a bitfield");
	if (!w->cast_id && !(t && (btf_is_ptr(t) || (btf_is_int(t) && t->size == 8))))
		return perr(pc, s->pos, "cast() needs a pointer, but the value is %s",
			    type_name(btf, w->type_id, tn, sizeof(tn)));
	id = bd_btf_find(pc->d, s->name, BTF_KIND_STRUCT);
	if (id <= 0)
		id = bd_btf_find(pc->d, s->name, BTF_KIND_UNION);
	if (id <= 0) {
		pc->missing = true;
		near_structs(btf, s->name, hint, sizeof(hint));
		return perr(pc, s->pos, "no struct '%s' in this kernel's BTF%s%s", s->name,
			    hint[0] ? "; nearest: " : "", hint);
	}
	from = w->cast_id ? NULL : t && btf_is_ptr(t) ? bd_skip_mods(btf, t->type, NULL) : NULL;
	w->cast_fullsk = false;
	if (from && btf_is_struct(from) &&
	    !strcmp(btf__name_by_offset(btf, from->name_off), "sock_common") &&
	    starts_with_sock(btf, id) && !member_off(pc->d, "sock_common", "skc_state",
						     &w->cast_state_off) &&
	    !bd_find_enumerator(btf, "TCP_TIME_WAIT", &tw) &&
	    !bd_find_enumerator(btf, "TCP_NEW_SYN_RECV", &syn)) {
		w->cast_fullsk = true;
		w->acc->fullsk_bad[0] = tw;
		w->acc->fullsk_bad[1] = syn;
	}
	w->cast_id = id;
	return 0;
}

static int walk_member(struct plan_ctx *pc, struct walk *w, const char *name, int pos)
{
	const struct btf *btf = w->acc->btf;
	const struct btf_type *t = bd_skip_mods(btf, w->type_id, NULL);
	__u32 bit_off, mtype, bsz;
	char tn[128], hint[256];

	if (w->cast_id || (t && btf_is_ptr(t) && is_struct_like(bd_skip_mods(btf, t->type, NULL)))) {
		int err = walk_deref(pc, w, pos, name);

		if (err)
			return err;
		t = bd_skip_mods(btf, w->type_id, NULL);
	}
	if (!is_struct_like(t))
		return perr(pc, pos, "no member '%s': the value is %s, not a struct", name,
			    type_name(btf, w->type_id, tn, sizeof(tn)));
	if (bd_find_member(btf, w->type_id, name, &bit_off, &mtype, &bsz)) {
		pc->missing = true;
		bd_suggest_members(btf, w->type_id, name, hint, sizeof(hint));
		return perr(pc, pos, "%s has no member '%s'%s%s",
			    type_name(btf, w->type_id, tn, sizeof(tn)), name,
			    hint[0] ? "; nearest: " : "", hint);
	}
	w->type_id = mtype;
	if (bsz) {
		w->off += bit_off / 8;
		w->bit_off = bit_off % 8;
		w->bit_size = bsz;
	} else {
		w->off += bit_off / 8;
	}
	return 0;
}

static int walk_index(struct plan_ctx *pc, struct walk *w, long long idx, int pos)
{
	const struct btf *btf = w->acc->btf;
	const struct btf_type *t = bd_skip_mods(btf, w->type_id, NULL);
	char tn[128];
	__s64 esz;

	if (w->cast_id || (t && btf_is_ptr(t))) {
		int err = walk_deref(pc, w, pos, "[]");

		if (err)
			return err;
		esz = btf__resolve_size(btf, w->type_id);
		if (esz <= 0)
			return perr(pc, pos, "cannot index a pointer to %s",
				    type_name(btf, w->type_id, tn, sizeof(tn)));
		if (idx < 0 || idx > 65536)
			return perr(pc, pos, "index %lld out of range", idx);
		w->off += idx * esz;
		return 0;
	}
	if (!t || !btf_is_array(t))
		return perr(pc, pos, "cannot index %s", type_name(btf, w->type_id, tn, sizeof(tn)));
	if (idx < 0 || (btf_array(t)->nelems && idx >= btf_array(t)->nelems))
		return perr(pc, pos, "index %lld out of range [0, %u)", idx, btf_array(t)->nelems);
	esz = btf__resolve_size(btf, btf_array(t)->type);
	w->type_id = btf_array(t)->type;
	w->off += idx * esz;
	return 0;
}

/* Walk root + steps (+ extra member names) to a value; fills acc's path part. */
static int ident_value(struct plan_ctx *pc, const struct bd_access *a, const struct q_lit *l,
		       unsigned long long *val);

/* [NAME]: an enumerator or known constant as the index (rss_stat[MM_ANONPAGES]) */
static int walk_named_index(struct plan_ctx *pc, struct walk *w, const struct q_step *s)
{
	struct bd_access none = { .btf = pc->d->btf };
	struct q_lit l = { .kind = Q_LIT_IDENT, .str = s->name, .pos = s->pos };
	unsigned long long v;
	int err;

	err = ident_value(pc, &none, &l, &v);
	if (err)
		return err;
	if (v > INT_MAX)
		return perr(pc, s->pos, "array index %s (%llu) out of range", s->name, v);
	return walk_index(pc, w, (long long)v, s->pos);
}

static int walk_path(struct plan_ctx *pc, const struct q_path *path, const char *const *extra,
		     int extra_cnt, struct walk *w, struct bd_access *acc)
{
	const struct bd_target *tg = pc->p->target;
	const struct bd_ctx_member *m;
	const struct btf_type *mt;
	char list[256];
	int i, err;

	memset(acc, 0, sizeof(*acc));
	memset(w, 0, sizeof(*w));
	w->acc = acc;
	acc->btf = pc->p->btf ? pc->p->btf : pc->d->btf;
	acc->probe_from = pc->p->all_probe ? 1 : INT_MAX;
	acc->path_idx = -1;

	acc->is_return = !strcmp(path->root, "return");
	m = ctx_member(tg, path->root);
	if (!m) {
		const char *preset = bd_target_preset(tg->name), *c, *e;
		char cols[256] = "";
		size_t n = 0;

		/* and the default columns' names, which stand for their expressions */
		for (c = preset; c && *c && n + 1 < sizeof(cols); c = *e ? e + 1 : e) {
			e = c + strcspn(c, ",");
			n += snprintf(cols + n, sizeof(cols) - n, "%s%.*s", n ? ", " : "",
				      (int)strcspn(c, "="), c);
		}
		pc->missing = true;
		ctx_member_list(tg, list, sizeof(list));
		return perr(pc, path->pos, "target '%s' has no field '%s'; its fields: %s%s%s",
			    tg->name, path->root, list, cols[0] ? "; its columns: " : "", cols);
	}
	mt = bd_skip_mods(acc->btf, m->type_id, NULL);
	acc->ctx_off = m->off;
	w->type_id = m->type_id;
	w->off = m->off;
	w->base_typed = true;	/* the ctx itself */
	if (btf_is_ptr(mt)) {
		acc->root_nullable = true;
		if (!pc->p->tracing && !is_struct_like(bd_skip_mods(acc->btf, mt->type, NULL))) {
			/* iterator ctx void *key/value: bytes, sized by the map */
			acc->root = BD_ROOT_BUF;
		}
	} else {
		acc->root = BD_ROOT_SCALAR;
	}
	if (acc->root == BD_ROOT_BUF) {
		if (path->step_cnt || extra_cnt)
			return perr(pc, path->pos, "'%s' is raw map data: use it whole", path->root);
		return 0;
	}

	for (i = 0; i < path->step_cnt; i++) {
		const struct q_step *s = &path->steps[i];

		if (w->bit_size)
			return perr(pc, s->pos, "cannot go past a bitfield");
		if (s->kind == Q_STEP_CAST)
			err = walk_cast(pc, w, s);
		else if (s->kind == Q_STEP_INDEX && s->name)
			err = walk_named_index(pc, w, s);
		else if (s->kind == Q_STEP_INDEX)
			err = walk_index(pc, w, s->index, s->pos);
		else
			err = walk_member(pc, w, s->name, s->pos);
		if (err)
			return err;
	}
	for (i = 0; i < extra_cnt; i++) {
		/* "a.b.0.c": members, auto-dereferenced, and an index */
		char buf[128], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", extra[i]);
		for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
			if (isdigit((unsigned char)tok[0]))
				err = walk_index(pc, w, atoll(tok), path->pos);
			else
				err = walk_member(pc, w, tok, path->pos);
			if (err)
				return err;
		}
	}
	return 0;
}

static int member_off(struct bpfdump *d, const char *st, const char *m, __u32 *off)
{
	__s32 id = bd_btf_find(d, st, BTF_KIND_STRUCT);
	__u32 bit_off, type_id, bsz;

	if (id < 0 || bd_find_member(d->btf, id, m, &bit_off, &type_id, &bsz))
		return -ENOENT;
	*off = bit_off / 8;
	return 0;
}

static int dwalk_offsets(struct plan_ctx *pc)
{
	typeof(pc->p->dwalk) *w = &pc->p->dwalk;
	__u32 name_off;

	if (w->ok)
		return 0;
	if (member_off(pc->d, "path", "mnt", &w->path_mnt) ||
	    member_off(pc->d, "path", "dentry", &w->path_dentry) ||
	    member_off(pc->d, "vfsmount", "mnt_root", &w->vfsmnt_root) ||
	    member_off(pc->d, "mount", "mnt", &w->mount_mnt) ||
	    member_off(pc->d, "mount", "mnt_parent", &w->mount_parent) ||
	    member_off(pc->d, "mount", "mnt_mountpoint", &w->mount_mountpoint) ||
	    member_off(pc->d, "dentry", "d_parent", &w->dentry_parent) ||
	    member_off(pc->d, "dentry", "d_name", &w->dentry_name) ||
	    member_off(pc->d, "qstr", "name", &name_off) ||
	    member_off(pc->d, "dentry", "d_inode", &w->dentry_inode) ||
	    member_off(pc->d, "inode", "i_nlink", &w->inode_nlink) ||
	    member_off(pc->d, "task_struct", "fs", &w->task_fs) ||
	    member_off(pc->d, "fs_struct", "root", &w->fs_root))
		return -ENOENT;
	w->dentry_name += name_off;
	w->ok = true;
	return 0;
}

/*
 * Files as /proc/PID/maps shows them (the kernel's file_user_path/file_user_inode):
 * a backing file, a struct file inside a struct backing_file (FMODE_BACKING: what
 * overlayfs maps for a file of its layers), stands for the file its user opened,
 * backing_file->user_path. Kernels without user_path (6.1) map the layer's file
 * and show it, as f_inode and f_path do. FMODE_BACKING is a macro, not in BTF: bit
 * 25 until fsnotify's open-time modes (FMODE_NONOTIFY_HSM/_PERM) renumbered the fmode
 * bits, bit 24 since. That change is probed by what came with it: the functions
 * that set those modes (file_set_fsnotify_mode, later
 * fsnotify_open_perm_and_set_mode) or the pre-content events' FSNOTIFY_EVENT_FILE_RANGE
 * (Debian's 6.12 has the first, not the last).
 */
struct backing_info {
	__u32 bit, mode_off;
	__s32 delta;		/* user_path minus f_path */
};

static int backing_probe(struct plan_ctx *pc, struct backing_info *bi)
{
	const struct btf *btf = pc->d->btf;
	__u32 file_off, user_off, f_path, type_id, bsz;
	__s32 id = bd_btf_find(pc->d, "backing_file", BTF_KIND_STRUCT);
	long long v;

	if (id < 0 || bd_find_member(btf, id, "file", &file_off, &type_id, &bsz) || file_off ||
	    bd_find_member(btf, id, "user_path", &user_off, &type_id, &bsz) ||
	    member_off(pc->d, "file", "f_path", &f_path) ||
	    member_off(pc->d, "file", "f_mode", &bi->mode_off))
		return -ENOENT;
	bi->bit = bd_btf_find(pc->d, "file_set_fsnotify_mode", BTF_KIND_FUNC) >= 0 ||
		  bd_btf_find(pc->d, "fsnotify_open_perm_and_set_mode", BTF_KIND_FUNC) >= 0 ||
		  !bd_find_enumerator(btf, "FSNOTIFY_EVENT_FILE_RANGE", &v) ? 1u << 24 : 1u << 25;
	bi->delta = (__s32)(user_off / 8) - (__s32)f_path;
	return 0;
}

/* w stands at a struct file *: step into the file, where a backing file's base
 * moves to its user_path (see emit_backing), read with probe reads from there. */
static int walk_user_file(struct plan_ctx *pc, struct walk *w, const struct backing_info *bi,
			  int pos, const char *fn)
{
	struct bd_access *a = w->acc;
	int err = walk_deref(pc, w, pos, fn);

	if (err)
		return err;
	a->backing_at = a->deref_cnt;
	a->backing_bit = bi->bit;
	a->backing_mode_off = bi->mode_off;
	a->backing_delta = bi->delta;
	if (a->probe_from > a->deref_cnt)
		a->probe_from = a->deref_cnt;
	w->base_typed = false;
	return 0;
}

static bool is_file_ptr(const struct btf *btf, __u32 type_id)
{
	const struct btf_type *t = bd_skip_mods(btf, type_id, NULL);

	t = t && btf_is_ptr(t) ? bd_skip_mods(btf, t->type, NULL) : NULL;
	return t && btf_is_struct(t) && !strcmp(btf__name_by_offset(btf, t->name_off), "file");
}

static int finish_access(struct plan_ctx *pc, struct walk *w, int pos, enum bd_fmt fmt);

/* The struct a pointer type points to, or NULL. */
static const struct btf_type *pointee(const struct btf *btf, __u32 type_id, __u32 *id)
{
	const struct btf_type *t = bd_skip_mods(btf, type_id, NULL);

	if (!t || !btf_is_ptr(t))
		return NULL;
	t = bd_skip_mods(btf, t->type, id);
	return t && btf_is_struct(t) ? t : NULL;
}

/*
 * ino(socket): the socket's inode as /proc/net/{tcp,udp,unix} and socket:[N] in
 * /proc/PID/fd show it (the kernel's sock_i_ino: SOCK_INODE(sk->sk_socket)), from a
 * struct sock_common * (full sockets only: TIME_WAIT and request sockets have no
 * inode, 0 as /proc shows), a struct sock * or one that starts with it (udp_sock,
 * unix_sock, ...), or a struct socket *. 0 when the sock has no socket.
 * Returns 1 when w is none of these.
 */
static int walk_sock_inode(struct plan_ctx *pc, struct walk *w, int pos)
{
	const struct btf *btf = w->acc->btf;
	char sock[] = "sock", alloc[] = "socket_alloc";
	struct q_step st = { .kind = Q_STEP_CAST, .pos = pos };
	const struct btf_type *t;
	const char *name;
	__u32 id = 0;
	int err;

	t = pointee(btf, w->type_id, &id);
	if (!t)
		return 1;
	name = btf__name_by_offset(btf, t->name_off);
	if (!strcmp(name, "sock_common") || starts_with_sock(btf, id)) {
		st.name = sock;
		err = walk_cast(pc, w, &st);
		if (!err)
			err = walk_member(pc, w, "sk_socket", pos);
		if (err)
			return err;
	} else if (strcmp(name, "socket")) {
		return 1;
	}
	st.name = alloc;
	err = walk_cast(pc, w, &st);
	if (!err)
		err = walk_member(pc, w, "vfs_inode", pos);
	if (!err)
		err = walk_member(pc, w, "i_ino", pos);
	return err;
}

/* dev(file), ino(file): what /proc/PID/maps shows (see backing_probe); ino(socket) */
static int plan_user_inode(struct plan_ctx *pc, const struct q_value *v, struct bd_column *c)
{
	static const char *const real_dev[] = { "f_inode", "i_sb", "s_dev" };
	static const char *const real_ino[] = { "f_inode", "i_ino" };
	static const char *const user_dev[] = { "f_path", "dentry", "d_inode", "i_sb", "s_dev" };
	static const char *const user_ino[] = { "f_path", "dentry", "d_inode", "i_ino" };
	bool dev = !strcmp(v->func, "dev");
	const char *const *m;
	struct backing_info bi;
	struct walk w;
	char tn[128];
	int i, n, err;

	c->acc_cnt = 1;
	err = walk_path(pc, &v->path, NULL, 0, &w, &c->acc[0]);
	if (err)
		return err;
	if (!dev && !is_file_ptr(w.acc->btf, w.type_id)) {
		err = walk_sock_inode(pc, &w, v->pos);
		if (err < 0)
			return err;
		if (!err)
			return finish_access(pc, &w, v->pos, BD_FMT_AUTO);
	}
	if (!is_file_ptr(w.acc->btf, w.type_id))
		return perr(pc, v->pos, "%s() needs a struct file *%s, not %s", v->func,
			    dev ? "" : " or a socket (struct sock_common *, sock *, socket *)",
			    type_name(w.acc->btf, w.type_id, tn, sizeof(tn)));
	if (backing_probe(pc, &bi)) {
		m = dev ? real_dev : real_ino;
		n = dev ? 3 : 2;
	} else {
		err = walk_user_file(pc, &w, &bi, v->pos, v->func);
		if (err)
			return err;
		m = dev ? user_dev : user_ino;
		n = dev ? 5 : 4;
	}
	for (i = 0; i < n; i++) {
		err = walk_member(pc, &w, m[i], v->pos);
		if (err)
			return err;
	}
	return finish_access(pc, &w, v->pos, BD_FMT_AUTO);
}

/* A type id of btf whose kind and name match, after mods: "long unsigned int", or a
 * pointer to "char" (ptr_to set). */
static __u32 find_type(const struct btf *btf, const char *name, bool ptr_to)
{
	__u32 id, n = btf__type_cnt(btf);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (ptr_to) {
			if (!btf_is_ptr(t))
				continue;
			t = bd_skip_mods(btf, t->type, NULL);
		}
		if (t && btf_is_int(t) && !strcmp(btf__name_by_offset(btf, t->name_off), name))
			return id;
	}
	return 0;
}

/*
 * rss(task)'s counters in struct mm_struct, as this kernel's BTF lays them out:
 * rss_stat[] of struct percpu_counter (6.2 on: a count plus per-CPU parts that
 * get_mm_counter_sum adds), or struct mm_rss_stat with count[] of atomic_long_t.
 */
static int rss_layout(struct plan_ctx *pc)
{
	static const char *const idx_names[3] = { "MM_FILEPAGES", "MM_ANONPAGES", "MM_SHMEMPAGES" };
	typeof(pc->p->rss) *r = &pc->p->rss;
	const struct btf *btf = pc->d->btf;
	__s32 mm = bd_btf_find(pc->d, "mm_struct", BTF_KIND_STRUCT);
	__u32 rss_bits, type_id, bsz, count_bits, pcpu_bits = 0, elem_id;
	const struct btf_type *t;
	__s64 esz;
	int i;

	if (r->kb_per_page)
		return 0;
	if (mm < 0 || bd_find_member(btf, mm, "rss_stat", &rss_bits, &type_id, &bsz))
		return -ENOENT;
	t = bd_skip_mods(btf, type_id, &elem_id);
	if (t && btf_is_array(t)) {	/* struct percpu_counter rss_stat[NR_MM_COUNTERS] */
		t = bd_skip_mods(btf, btf_array(t)->type, &elem_id);
		esz = btf__resolve_size(btf, elem_id);
		if (!t || !btf_is_struct(t) || esz <= 0 ||
		    bd_find_member(btf, elem_id, "count", &count_bits, &type_id, &bsz) ||
		    bd_find_member(btf, elem_id, "counters", &pcpu_bits, &type_id, &bsz))
			return -ENOENT;
	} else if (t && btf_is_struct(t)) {	/* struct mm_rss_stat { atomic_long_t count[] } */
		if (bd_find_member(btf, elem_id, "count", &count_bits, &type_id, &bsz))
			return -ENOENT;
		t = bd_skip_mods(btf, type_id, NULL);
		esz = t && btf_is_array(t) ? btf__resolve_size(btf, btf_array(t)->type) : 0;
		if (esz != 8)
			return -ENOENT;
	} else {
		return -ENOENT;
	}
	for (i = 0; i < 3; i++) {
		long long v;

		if (bd_find_enumerator(btf, idx_names[i], &v) || v < 0 || v > 16)
			return -ENOENT;
		r->count_off[i] = rss_bits / 8 + v * esz + count_bits / 8;
		r->pcpu_off[i] = pcpu_bits ? rss_bits / 8 + v * esz + pcpu_bits / 8 : 0;
	}
	if (pcpu_bits) {
		r->ncpus = libbpf_num_possible_cpus();
		if (member_off(pc->d, "bpf_array", "pptrs", &r->pptrs_off) || r->ncpus <= 0)
			return -ENOENT;
	}
	r->kb_per_page = sysconf(_SC_PAGESIZE) / 1024;
	return 0;
}

/* FUNC(TASK)'s argument walked into the column's access: a struct task_struct * */
static int walk_task_arg(struct plan_ctx *pc, const struct q_value *v, const char *func,
			 struct walk *w, struct bd_column *c)
{
	struct bd_access *a = &c->acc[0];
	const struct btf_type *t;
	char tn[128];
	int err;

	c->acc_cnt = 1;
	err = walk_path(pc, &v->path, NULL, 0, w, a);
	if (err)
		return err;
	t = pointee(a->btf, w->type_id, NULL);
	if (!t || strcmp(btf__name_by_offset(a->btf, t->name_off), "task_struct"))
		return perr(pc, v->pos, "%s() needs a struct task_struct *, not %s", func,
			    type_name(a->btf, w->type_id, tn, sizeof(tn)));
	return 0;
}

/*
 * rss(task): kB resident as /proc/PID/status VmRSS shows it (file + anon + shmem
 * pages, each counter with its per-CPU parts added and clamped at 0, as
 * get_mm_counter_sum does; codegen.c: emit_rss). 0 for a task without mm.
 */
static int plan_rss(struct plan_ctx *pc, const struct q_value *v, struct bd_column *c)
{
	struct bd_access *a = &c->acc[0];
	struct walk w;
	int err;

	err = walk_task_arg(pc, v, "rss", &w, c);
	if (err)
		return err;
	/* the base: the task's mm */
	err = walk_member(pc, &w, "mm", v->pos);
	if (!err)
		err = walk_deref(pc, &w, v->pos, "rss");
	if (err)
		return err;
	if (rss_layout(pc)) {
		pc->missing = true;
		return perr(pc, v->pos, "rss(): this kernel's BTF lacks what it needs "
			    "(mm_struct's rss_stat, MM_FILEPAGES..., bpf_array's pptrs)");
	}
	if (pc->p->rss.ncpus > BD_RSS_MAX_CPUS)
		return perr(pc, v->pos, "rss(): more than %d possible CPUs", BD_RSS_MAX_CPUS);
	a->type_id = find_type(a->btf, "long unsigned int", false);
	if (!a->type_id) {
		pc->missing = true;
		return perr(pc, v->pos, "this kernel's BTF has no unsigned long");
	}
	pc->p->rss.used = pc->p->rss.pcpu_off[0] || pc->p->rss.pcpu_off[1] ||
			  pc->p->rss.pcpu_off[2];
	a->func = BD_FUNC_RSS;
	a->fetch = BD_FETCH_SCALAR;
	a->size = 8;
	a->off = 0;
	return 0;
}

/*
 * cmdline(TASK): the process's argv as ps -o args shows it (NULs as spaces), read
 * from its memory with bpf_copy_from_user_task, which only a sleepable program may
 * call, with a task the verifier trusts: the task of a task iterator's context.
 * Empty for a task without mm (a kernel thread) or memory that cannot be read.
 */
static int plan_cmdline(struct plan_ctx *pc, const struct q_value *v, struct bd_column *c)
{
	struct bd_access *a = &c->acc[0];
	struct walk w;
	int err;

	err = walk_task_arg(pc, v, "cmdline", &w, c);
	if (err)
		return err;
	if (pc->p->tracing || v->path.step_cnt || !w.base_typed)
		return perr(pc, v->pos, "cmdline() needs the task of a task iterator's "
			    "context (task, task_file, task_vma): cmdline(task)");
	if (member_off(pc->d, "task_struct", "mm", &pc->p->cmdline.mm_off) ||
	    member_off(pc->d, "mm_struct", "arg_start", &pc->p->cmdline.start_off) ||
	    member_off(pc->d, "mm_struct", "arg_end", &pc->p->cmdline.end_off)) {
		pc->missing = true;
		return perr(pc, v->pos, "cmdline(): this kernel's BTF lacks mm_struct's "
			    "arg_start and arg_end");
	}
	err = walk_deref(pc, &w, v->pos, "cmdline");
	if (err)
		return err;
	a->type_id = find_type(a->btf, "char", true);
	if (!a->type_id) {
		pc->missing = true;
		return perr(pc, v->pos, "this kernel's BTF has no char *");
	}
	pc->p->sleepable = true;
	a->func = BD_FUNC_CMDLINE;
	a->fetch = BD_FETCH_CSTR;
	a->size = 8;
	a->off = 0;
	return 0;
}

static int plan_access(struct plan_ctx *pc, const struct q_path *path, const char *const *extra,
		       int extra_cnt, enum bd_fmt fmt, struct bd_access *acc);

/* exe(task): the file the task's mm runs, as readlink /proc/PID/exe names it (an
 * empty name for a task without mm: a kernel thread, or one exiting). */
static int plan_exe(struct plan_ctx *pc, const struct q_value *v, struct bd_column *c)
{
	static const char *const exe_file[] = { "mm", "exe_file" };
	const struct btf_type *t;
	struct walk w;
	char tn[128];
	int err;

	c->acc_cnt = 1;
	err = walk_path(pc, &v->path, NULL, 0, &w, &c->acc[0]);
	if (err)
		return err;
	t = pointee(w.acc->btf, w.type_id, NULL);
	if (!t || strcmp(btf__name_by_offset(w.acc->btf, t->name_off), "task_struct"))
		return perr(pc, v->pos, "exe() needs a struct task_struct *, not %s",
			    type_name(w.acc->btf, w.type_id, tn, sizeof(tn)));
	memset(&c->acc[0], 0, sizeof(c->acc[0]));
	return plan_access(pc, &v->path, exe_file, 2, BD_FMT_PATH, &c->acc[0]);
}

/* A struct path: bpf_d_path when the verifier trusts the pointer (an object
 * straight from the ctx), else walk dentries and mounts with probe reads. */
static int plan_path(struct plan_ctx *pc, struct bd_access *a, int pos)
{
	a->size = 0;
	if (!pc->p->no_dpath && a->deref_cnt <= 1 && a->probe_from > a->deref_cnt) {
		a->fetch = BD_FETCH_DPATH;
		return 0;
	}
	if (dwalk_offsets(pc)) {
		pc->missing = true;
		return perr(pc, pos, "this kernel's BTF lacks what a path walk needs "
			    "(struct mount, dentry, qstr)");
	}
	a->fetch = BD_FETCH_DWALK;
	return 0;
}

/* Decide how the value the walk reached is fetched. */
static int finish_access(struct plan_ctx *pc, struct walk *w, int pos, enum bd_fmt fmt)
{
	struct bd_access *a = w->acc;
	const struct btf *btf = a->btf;
	__u32 rid;
	const struct btf_type *t = bd_skip_mods(btf, w->type_id, &rid);
	char tn[128];
	__s64 sz;

	a->type_id = w->type_id;
	a->off = w->off;
	if (!t)
		return perr(pc, pos, "value has no type");
	if (w->base_typed == false && a->probe_from > a->deref_cnt)
		a->probe_from = a->deref_cnt;

	if (fmt == BD_FMT_PATH) {
		/* a struct path, the one a struct path * points to, or a struct
		 * file *'s f_path */
		const struct btf_type *to = btf_is_ptr(t) ? bd_skip_mods(btf, t->type, NULL) : NULL;
		const struct btf_type *st = to ? to : t;
		const char *name = st && btf_is_struct(st) ?
				   btf__name_by_offset(btf, st->name_off) : "";
		bool is_path = !strcmp(name, "path"), is_file = to && !strcmp(name, "file");
		int err;

		if (!to && is_path)
			return plan_path(pc, a, pos);
		if (!is_file && !(to && is_path))
			return perr(pc, pos, "path() needs a struct path, struct path * or "
				    "struct file *, not %s", type_name(btf, w->type_id, tn, sizeof(tn)));
		if (is_file && !a->backing_bit &&
		    (pc->p->no_dpath || a->deref_cnt >= 1 || !w->base_typed ||
		     a->probe_from <= a->deref_cnt + 1)) {
			/* a walked path (no bpf_d_path): as /proc shows a backing file */
			struct backing_info bi;

			if (!backing_probe(pc, &bi)) {
				err = walk_user_file(pc, w, &bi, pos, "path()");
				if (!err)
					err = walk_member(pc, w, "f_path", pos);
				return err ? err : finish_access(pc, w, pos, fmt);
			}
		}
		err = is_file ? walk_member(pc, w, "f_path", pos) : walk_deref(pc, w, pos, "path()");
		return err ? err : finish_access(pc, w, pos, fmt);
	}
	if (btf_is_struct(t) && !strcmp(btf__name_by_offset(btf, t->name_off), "path") &&
	    fmt == BD_FMT_AUTO)
		return plan_path(pc, a, pos);
	if (w->bit_size) {
		a->fetch = BD_FETCH_BITFIELD;
		a->bit_off = w->bit_off;
		a->bit_size = w->bit_size;
		if (w->bit_off + w->bit_size > 64)
			return perr(pc, pos, "bitfields wider than 56 bits are not supported");
		a->size = 8;
		return 0;
	}
	if (pc->p->deref_ptrs && btf_is_ptr(t) && fmt == BD_FMT_AUTO &&
	    is_struct_like(bd_skip_mods(btf, t->type, NULL))) {
		/* traces show the struct behind a pointer, up to struct_limit bytes */
		__u32 rid2;
		const struct btf_type *st = bd_skip_mods(btf, t->type, &rid2);
		__s64 ssz = btf__resolve_size(btf, rid2);
		int err;

		if (ssz > 0 && !(btf_is_struct(st) && !strcmp(btf__name_by_offset(btf, st->name_off),
								"path"))) {
			err = walk_deref(pc, w, pos, "*");
			if (err)
				return err;
			a->type_id = w->type_id;
			a->off = 0;
			if (w->base_typed == false && a->probe_from > a->deref_cnt)
				a->probe_from = a->deref_cnt;
			a->fetch = BD_FETCH_BYTES;
			a->full_size = ssz;
			a->size = ssz > pc->p->struct_limit ? pc->p->struct_limit : ssz;
			return 0;
		}
	}
	if (btf_is_ptr(t) && is_char_type(btf, t->type) &&
	    (fmt == BD_FMT_AUTO || fmt == BD_FMT_CSTR || fmt == BD_FMT_USTR)) {
		a->user = fmt == BD_FMT_USTR;
		a->fetch = BD_FETCH_CSTR;
		a->size = 8;
		return 0;
	}
	if (btf_is_func(t) || btf_is_func_proto(t) || btf_is_fwd(t) ||
	    (btf_is_int(t) == false && btf_is_ptr(t) == false && btf_is_enum(t) == false &&
	     btf_is_enum64(t) == false && btf_is_array(t) == false && is_struct_like(t) == false))
		return perr(pc, pos, "cannot read a value of %s",
			    type_name(btf, w->type_id, tn, sizeof(tn)));
	sz = btf__resolve_size(btf, rid);
	if (sz <= 0)
		return perr(pc, pos, "%s has no size", type_name(btf, w->type_id, tn, sizeof(tn)));
	if (sz > BD_MAX_COLUMN)
		return perr(pc, pos, "%s is %lld bytes; at most %d per field: pick members",
			    type_name(btf, w->type_id, tn, sizeof(tn)), (long long)sz,
			    BD_MAX_COLUMN);
	a->size = sz;
	if ((btf_is_int(t) || btf_is_ptr(t) || btf_is_enum(t) || btf_is_enum64(t)) &&
	    (sz == 1 || sz == 2 || sz == 4 || sz == 8))
		a->fetch = BD_FETCH_SCALAR;
	else
		a->fetch = BD_FETCH_BYTES;
	return 0;
}

static int plan_access(struct plan_ctx *pc, const struct q_path *path, const char *const *extra,
		       int extra_cnt, enum bd_fmt fmt, struct bd_access *acc)
{
	struct walk w;
	int err;

	err = walk_path(pc, path, extra, extra_cnt, &w, acc);
	if (err)
		return err;
	if (acc->root == BD_ROOT_BUF) {
		struct bd_map_info *mi = &pc->p->map;
		bool is_key = !strcmp(path->root, "key");

		if (mi->fd < 0)
			return perr(pc, path->pos, "'%s' needs --map", path->root);
		acc->fetch = BD_FETCH_BYTES;
		acc->probe_from = 1;
		acc->size = is_key ? mi->key_size : mi->value_size;
		if (!is_key && mi->percpu)
			acc->size = ((mi->value_size + 7) & ~7u) * mi->ncpus;
		if (acc->size > BD_MAX_COLUMN)
			return perr(pc, path->pos, "map %s is %u bytes; at most %d are shown",
				    path->root, acc->size, BD_MAX_COLUMN);
		if (acc->size == 0)
			return perr(pc, path->pos, "this map has no %s", path->root);
		acc->deref_cnt = 1;
		acc->deref_off[0] = acc->ctx_off;
		acc->off = 0;
		return 0;
	}
	return finish_access(pc, &w, path->pos, fmt);
}

/*
 * tcpstate(P) where P ends in a sock_common's skc_state (the tcp, udp, unix and
 * sockmap presets): a socket in TIME_WAIT is a struct inet_timewait_sock, which
 * begins with its sock_common, and its tw_substate says which (TIME_WAIT, or
 * FIN_WAIT2 for one closed in that state), as ss and /proc/net/tcp print it.
 * Any other column reads skc_state as it is.
 */
static void plan_tw_substate(struct plan_ctx *pc, const struct q_path *path,
			     struct bd_access *a)
{
	__u32 state_off, sub_off;
	long long tw;

	if (!path->step_cnt || strcmp(path->steps[path->step_cnt - 1].name ?: "", "skc_state") ||
	    a->size != 1 || a->fetch != BD_FETCH_SCALAR ||
	    member_off(pc->d, "sock_common", "skc_state", &state_off) ||
	    member_off(pc->d, "inet_timewait_sock", "tw_substate", &sub_off) ||
	    a->off < state_off || bd_find_enumerator(pc->d->btf, "TCP_TIME_WAIT", &tw))
		return;
	a->tw_sub_off = a->off - state_off + sub_off;
	a->tw_state = tw;
}

struct func_def {
	const char *name;
	enum bd_fmt fmt;
	const char *members[3];	/* composite: members fetched from the argument */
	int member_cnt;
};

static const struct func_def funcs[] = {
	{ "str", BD_FMT_AUTO, {}, 0 },
	{ "ustr", BD_FMT_USTR, {}, 0 },
	{ "hex", BD_FMT_HEX, {}, 0 },
	{ "ip", BD_FMT_IP, {}, 0 },
	{ "path", BD_FMT_PATH, {}, 0 },
	{ "dev", BD_FMT_AUTO, {}, 0 },	/* plan_user_inode */
	{ "ino", BD_FMT_AUTO, {}, 0 },
	{ "vmflags", BD_FMT_VMFLAGS, {}, 0 },
	{ "tcpstate", BD_FMT_TCPSTATE, {}, 0 },
	{ "family", BD_FMT_FAMILY, {}, 0 },
	/* a member "a|b": the first this kernel has (task_struct's state is __state
	 * from 5.14 on) */
	{ "taskstate", BD_FMT_TASKSTATE, { "__state|state", "exit_state" }, 2 },
	{ "laddr", BD_FMT_SOCKADDR, { "skc_family", "skc_rcv_saddr", "skc_v6_rcv_saddr" }, 3 },
	{ "raddr", BD_FMT_SOCKADDR, { "skc_family", "skc_daddr", "skc_v6_daddr" }, 3 },
	{ "sunpath", BD_FMT_SUNPATH, { "addr.len", "addr.name.0.sun_path" }, 2 },
	/* members built from the plan's pid namespace level (nspid_members) */
	{ "nspid", BD_FMT_NSPID, {}, 2 },
	{ "nstgid", BD_FMT_NSPID, {}, 2 },
	{ "socktype", BD_FMT_SOCKTYPE, { "__sk_common.skc_family", "sk_type" }, 2 },
	/* bytes, not pages; 0 for an anonymous mapping, as /proc/PID/maps */
	{ "fileoff", BD_FMT_FILEOFF, { "vm_pgoff", "vm_file" }, 2 },
	/* exe(task): path(task->mm->exe_file), as readlink /proc/PID/exe */
	{ "exe", BD_FMT_PATH, {}, 0 },
	{ "rss", BD_FMT_AUTO, {}, 0 },	/* plan_rss */
	{ "cmdline", BD_FMT_AUTO, {}, 0 },	/* plan_cmdline */
};

/* nspid(task): task->thread_pid; nstgid(task): task->signal->pids[PIDTYPE_TGID];
 * each as its level and its number at level L. */
static int nspid_members(struct plan_ctx *pc, const char *fn, char m[2][96])
{
	long long tgid = 1;
	const char *pid = "thread_pid";
	char buf[48];

	if (!strcmp(fn, "nstgid")) {
		bd_find_enumerator(pc->d->btf, "PIDTYPE_TGID", &tgid);
		snprintf(buf, sizeof(buf), "signal.pids.%lld", tgid);
		pid = buf;
	}
	snprintf(m[0], 96, "%s.level", pid);
	snprintf(m[1], 96, "%s.numbers.%d.nr", pid, pc->p->pidns_level);
	return 0;
}

static const struct func_def *find_func(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

static bool fmt_is_numeric(const struct bd_column *c)
{
	const struct btf_type *t;

	if (c->fmt == BD_FMT_HEX || c->fmt == BD_FMT_NSPID)
		return true;
	if (c->fmt != BD_FMT_AUTO || c->acc[0].fetch == BD_FETCH_CSTR)
		return false;
	t = bd_skip_mods(c->acc[0].btf, c->acc[0].type_id, NULL);
	return t && (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t)) && t->size != 1 &&
	       c->acc[0].fetch != BD_FETCH_BYTES;
}

static char *default_name(const struct q_value *v)
{
	const struct q_path *p = &v->path;
	const char *n = p->root;
	int i;

	if (v->func && strcmp(v->func, "str") && strcmp(v->func, "hex") && strcmp(v->func, "path"))
		return strdup(v->func);
	for (i = p->step_cnt - 1; i >= 0; i--) {
		if (p->steps[i].kind != Q_STEP_INDEX && p->steps[i].kind != Q_STEP_CAST) {
			n = p->steps[i].name;
			break;
		}
	}
	return strdup(n);
}

/* A function's member, "a|b": the first one this kernel's BTF has. */
static int plan_member(struct plan_ctx *pc, const struct q_path *path, const char *member,
		       struct bd_access *acc)
{
	char buf[96], *alt, *save = NULL;
	int err = -ENOENT;

	snprintf(buf, sizeof(buf), "%s", member);
	for (alt = strtok_r(buf, "|", &save); alt; alt = strtok_r(NULL, "|", &save)) {
		const char *m = alt;

		pc->missing = false;
		err = plan_access(pc, path, &m, 1, BD_FMT_AUTO, acc);
		if (!err || !pc->missing)
			break;
	}
	return err;
}

static int plan_value(struct plan_ctx *pc, const struct q_value *v, struct bd_column *c);

/*
 * A bare name that is not a context member but one of the target's default columns
 * ("lport" of tcp, "pid" of task) stands for that column's expression, the first of
 * its alternatives this kernel resolves. Returns 1 when v is no such name.
 */
static int plan_alias(struct plan_ctx *pc, const struct q_value *v, struct bd_column *c)
{
	const char *preset = pc->p->target ? bd_target_preset(pc->p->target->name) : NULL;
	size_t nlen = strlen(v->path.root);
	const char *col, *expr, *end = NULL, *alt, *alt_end;
	char fn[16];
	int err = 1;

	if (!preset || pc->in_alias)
		return 1;
	for (col = preset; *col; col = *end ? end + 1 : end) {
		end = col + strcspn(col, ",");
		if ((size_t)(end - col) > nlen && !strncmp(col, v->path.root, nlen) &&
		    col[nlen] == '=')
			break;
	}
	expr = col + nlen + 1;
	if (!*col) {
		/* rss, cmdline, exe: that function of the target's task */
		if ((strcmp(v->path.root, "rss") && strcmp(v->path.root, "cmdline") &&
		     strcmp(v->path.root, "exe")) || !ctx_member(pc->p->target, "task"))
			return 1;
		snprintf(fn, sizeof(fn), "%s(task)", v->path.root);
		expr = fn;
		end = fn + strlen(fn);
	}
	pc->in_alias = true;
	for (alt = expr; alt < end && err; alt = alt_end + 1) {
		struct q_columns qc = {};
		struct q_error qerr = {};
		char *text;

		alt_end = alt + strcspn(alt, "|,");
		if (asprintf(&text, "%.*s", (int)(alt_end - alt), alt) < 0) {
			err = -ENOMEM;
			break;
		}
		err = q_parse_columns(text, &qc, &qerr);
		if (!err && qc.cnt == 1) {
			memset(c, 0, sizeof(*c));
			pc->missing = false;
			err = plan_value(pc, &qc.cols[0].value, c);
			pc->alias_func = qc.cols[0].value.func ? find_func(qc.cols[0].value.func)->name
							       : NULL;
		} else if (!err) {
			err = -EINVAL;
		}
		q_columns_free(&qc);
		free(text);
		if (err && !pc->missing)
			break;
	}
	pc->in_alias = false;
	if (err == -ENOMEM)
		return err;
	if (err)
		return perr(pc, v->pos, "'%s' is the default column %s=%.*s of target '%s', "
			    "which does not resolve on this kernel", v->path.root, v->path.root,
			    (int)(end - expr), expr, pc->p->target->name);
	return 0;
}

static int plan_value(struct plan_ctx *pc, const struct q_value *v, struct bd_column *c)
{
	const struct func_def *f = NULL;
	int i, err;

	pc->alias_func = NULL;
	if (!v->func && !v->path.step_cnt && pc->p->target &&
	    !ctx_member(pc->p->target, v->path.root) && strcmp(v->path.root, "return")) {
		err = plan_alias(pc, v, c);
		if (err <= 0)
			return err;
	}
	if (v->func) {
		f = find_func(v->func);
		if (!f)
			return perr(pc, v->func_pos, "unknown function '%s' (known: str, hex, ip, "
				    "path, dev, ino, vmflags, tcpstate, family, taskstate, laddr, "
				    "raddr, sunpath, ustr, nspid, nstgid, exe, rss, cmdline)",
				    v->func);
		c->fmt = f->fmt;
		if (!strcmp(f->name, "dev") || !strcmp(f->name, "ino"))
			return plan_user_inode(pc, v, c);
		if (!strcmp(f->name, "exe"))
			return plan_exe(pc, v, c);
		if (!strcmp(f->name, "rss"))
			return plan_rss(pc, v, c);
		if (!strcmp(f->name, "cmdline"))
			return plan_cmdline(pc, v, c);
	}
	if (f && f->member_cnt) {
		char nm[2][96];
		const char *mp[2] = { nm[0], nm[1] };
		const char *const *members = f->members;

		if (f->fmt == BD_FMT_NSPID) {
			nspid_members(pc, f->name, nm);
			members = mp;
		}
		c->acc_cnt = f->member_cnt;
		for (i = 0; i < f->member_cnt; i++) {
			err = plan_member(pc, &v->path, members[i], &c->acc[i]);
			if (err)
				return err;
		}
		return 0;
	}
	c->acc_cnt = 1;
	err = plan_access(pc, &v->path, NULL, 0, c->fmt, &c->acc[0]);
	if (err)
		return err;
	if (c->fmt == BD_FMT_TCPSTATE)
		plan_tw_substate(pc, &v->path, &c->acc[0]);
	if (c->acc[0].root == BD_ROOT_BUF) {
		c->fmt = BD_FMT_MAPDATA;
		c->map_type_id = !strcmp(v->path.root, "key") ? pc->p->map.key_type_id
							     : pc->p->map.value_type_id;
		if (pc->p->map.percpu && strcmp(v->path.root, "key"))
			c->map_type_id = 0;
	}
	if (f && f->fmt == BD_FMT_USTR && c->acc[0].fetch != BD_FETCH_CSTR)
		return perr(pc, v->pos, "ustr() needs a char * to user memory");
	if (f && !strcmp(f->name, "str")) {
		const struct btf_type *t = bd_skip_mods(c->acc[0].btf, c->acc[0].type_id, NULL);

		if (c->acc[0].fetch != BD_FETCH_CSTR &&
		    !(btf_is_array(t) && is_char_type(c->acc[0].btf, btf_array(t)->type)))
			return perr(pc, v->pos, "str() needs a char array or char *");
	}
	if (c->fmt == BD_FMT_IP && c->acc[0].size != 4 && c->acc[0].size != 16)
		return perr(pc, v->pos, "ip() needs a 4-byte (IPv4) or 16-byte (IPv6) value");
	return 0;
}

/* Layout: record header, then slots, 8-aligned. */
static int place(struct plan_ctx *pc, struct bd_access *a, __u32 *cursor)
{
	struct bd_plan *p = pc->p;

	switch (a->fetch) {
	case BD_FETCH_DPATH:
		if (p->path_cnt >= BD_MAX_PATHS)
			return bd_err(pc->d, -E2BIG, "at most %d path fields per query",
				      BD_MAX_PATHS);
		a->path_idx = p->path_cnt++;
		a->slot_size = 4;	/* s32 bpf_d_path result */
		p->path_res_off[a->path_idx] = *cursor;
		/* a column's path can be resolved once per file: room for the key */
		if (!pc->in_where && !p->tracing && !dwalk_offsets(pc)) {
			a->cached = true;
			a->slot_size = BD_PATH_KEY_OFF + 24;
		}
		break;
	case BD_FETCH_CSTR:
		a->slot_size = BD_CSTR_MAX;
		break;
	case BD_FETCH_DWALK:
		a->slot_size = BD_DWALK_SLOT;
		break;
	case BD_FETCH_BITFIELD:
		a->slot_size = 8;	/* extracted in BPF, stored as __u64 */
		break;
	default:
		a->slot_size = a->size;
	}
	if (a->func == BD_FUNC_RSS)
		a->slot_size = BD_RSS_SLOT;
	if (a->func == BD_FUNC_CMDLINE)
		a->slot_size = BD_CMDLINE_MAX + 8;
	a->slot_off = *cursor;
	*cursor += (a->slot_size + 7) & ~7u;
	if (a->fetch == BD_FETCH_BYTES && is_char_array(a->btf, a->type_id)) {
		*cursor += 8;	/* room for a NUL: the text writer prints it with %s */
		/* the verifier lets a BTF pointer's char array be read with loads of
		 * any width inside it (task->comm: two loads instead of a helper call) */
		a->direct = a->root == BD_ROOT_PTR && a->probe_from > a->deref_cnt &&
			    a->size <= 64 && !a->full_size;
	}
	return 0;
}

static void upcase_header(struct bd_column *c)
{
	char *h = strdup(c->name);
	char *s;

	if (!h)
		return;
	for (s = h; *s; s++)
		*s = toupper((unsigned char)*s);
	c->header = h;
}

/*
 * Column names seen so far, so that a duplicate gets the first free NAME_2, NAME_3, ...
 * in constant time (a scan of every earlier column made a query of n columns take
 * n^2 compares, n^3 when all were duplicates). Open addressing; keys are borrowed from
 * the columns; next is the suffix to try first for that name.
 */
struct bd_name_set {
	struct name_ent {
		const char *name;
		int next;
	} *ents;
	size_t cap, cnt, max;
};

static size_t name_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 ^ (unsigned char)*s++;
	return h;
}

static struct name_ent *name_find(struct bd_name_set *ns, const char *name)
{
	size_t i = name_hash(name) & (ns->cap - 1);

	while (ns->ents[i].name && strcmp(ns->ents[i].name, name))
		i = (i + 1) & (ns->cap - 1);
	return &ns->ents[i];
}

struct bd_name_set *bd_name_set__new(int cnt)
{
	struct bd_name_set *ns = calloc(1, sizeof(*ns));

	if (!ns)
		return NULL;
	ns->max = cnt > 0 ? cnt : 0;
	ns->cap = 16;
	while (ns->cap < 2 * ns->max + 2)
		ns->cap *= 2;
	ns->ents = calloc(ns->cap, sizeof(*ns->ents));
	if (!ns->ents) {
		free(ns);
		return NULL;
	}
	return ns;
}

void bd_name_set__free(struct bd_name_set *ns)
{
	if (!ns)
		return;
	free(ns->ents);
	free(ns);
}

static void name_add(struct bd_name_set *ns, struct name_ent *e, const char *name)
{
	e->name = name;
	e->next = 2;
	ns->cnt++;
}

/*
 * A name unique among the earlier columns: the first free BASE_k for k = 2, 3, ...
 * (so 'pid,pid,pid' is PID, PID_2, PID_3, and a third 'pid' after an explicit
 * 'pid_2' becomes PID_3). *name is replaced when it was taken.
 */
static void name_set_cleanup(struct bd_name_set **ns)
{
	bd_name_set__free(*ns);
}

int bd_name_set__add(struct bd_name_set *ns, char **name)
{
	struct name_ent *e, *f;
	char *n;
	int k;

	if (ns->cnt >= ns->max)
		return -E2BIG;	/* sized for max names: the table never fills */
	e = name_find(ns, *name);
	if (!e->name) {
		name_add(ns, e, *name);
		return 0;
	}
	for (k = e->next;; k++) {
		if (asprintf(&n, "%s_%d", *name, k) < 0)
			return -ENOMEM;
		f = name_find(ns, n);
		if (!f->name)
			break;
		free(n);
	}
	e->next = k + 1;
	free(*name);
	*name = n;
	name_add(ns, f, n);
	return 0;
}

/* Column idx of the plan from a value; name NULL for the default one. */
static int plan_one_column(struct plan_ctx *pc, const struct q_value *v, const char *name,
			   struct bd_column *c, struct bd_name_set *names, __u32 *cursor)
{
	char *dn;
	int j, err;

	err = plan_value(pc, v, c);
	if (err)
		return err;
	dn = default_name(v);
	if (!dn)
		return -ENOMEM;
	c->addr_hint = strstr(dn, "addr") != NULL;
	c->name = name ? strdup(name) : strdup(dn);
	free(dn);
	if (!c->name)
		return -ENOMEM;
	/* keep JSON keys unique */
	err = bd_name_set__add(names, &c->name);
	if (err)
		return err;
	upcase_header(c);
	if (!c->header)
		return -ENOMEM;
	c->right_align = fmt_is_numeric(c);
	for (j = 0; j < c->acc_cnt; j++) {
		err = place(pc, &c->acc[j], cursor);
		if (err)
			return err;
	}
	bd_column_classify(c);
	return 0;
}

static int plan_columns(struct plan_ctx *pc, const char *text, __u32 *cursor)
{
	struct bd_plan *p = pc->p;
	struct q_columns qc = {};
	struct q_error qerr = {};
	struct bd_name_set *names = NULL;
	int i, err;

	err = q_parse_columns(text, &qc, &qerr);
	if (err == -EINVAL)
		return err_at(pc->d, err, "field list", text, qerr.pos, qerr.msg);
	if (err)
		return bd_err(pc->d, err, "field list: %s", err == -E2BIG ? qerr.msg : strerror(-err));
	p->cols = calloc(qc.cnt, sizeof(*p->cols));
	names = bd_name_set__new(qc.cnt);
	if (!p->cols || !names) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < qc.cnt; i++) {
		p->col_cnt++;
		err = plan_one_column(pc, &qc.cols[i].value, qc.cols[i].name, &p->cols[i], names,
				      cursor);
		if (err)
			goto out;
	}
out:
	bd_name_set__free(names);
	q_columns_free(&qc);
	return err;
}

/* How well cand fits the unknown name: 2 ends in "_NAME" (LISTEN: TCP_LISTEN), 1 starts
 * with it (MM_ANON: MM_ANONPAGES), 0 neither; case-insensitive. */
static int near_score(const char *cand, const char *name)
{
	size_t cl = strlen(cand), nl = strlen(name);

	if (cl > nl && !strcasecmp(cand + cl - nl, name) && cand[cl - nl - 1] == '_')
		return 2;
	if (cl > nl && !strncasecmp(cand, name, nl))
		return 1;
	return 0;
}

static void near_consider(const char *cand, const char *name, int bonus, int *best,
			  char *out, size_t len)
{
	int sc = near_score(cand, name);

	if (!sc)
		return;
	sc = sc * 4 + bonus;	/* the value's own enum first */
	if (sc > *best || (sc == *best && strlen(cand) < strlen(out))) {
		*best = sc;
		snprintf(out, len, "%s", cand);
	}
}

/* The enumerator or known constant nearest an unknown name, for a hint. */
static bool near_name(const struct bd_access *a, const char *name, char *out, size_t len)
{
	const struct btf_type *own = a->type_id ? bd_skip_mods(a->btf, a->type_id, NULL) : NULL;
	__u32 id, n = a->btf ? btf__type_cnt(a->btf) : 0;
	int best = 0, j, k;

	out[0] = '\0';
	for (k = 0; k < bd_const_set_cnt; k++)
		for (j = 0; j < bd_const_sets[k]->cnt; j++)
			if (bd_const_sets[k]->v[j].cname)
				near_consider(bd_const_sets[k]->v[j].cname, name, 0, &best, out, len);
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(a->btf, id);

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);

			for (j = 0; j < btf_vlen(t); j++, e++)
				near_consider(btf__name_by_offset(a->btf, e->name_off), name,
					      t == own, &best, out, len);
		} else if (btf_is_enum64(t)) {
			const struct btf_enum64 *e = btf_enum64(t);

			for (j = 0; j < btf_vlen(t); j++, e++)
				near_consider(btf__name_by_offset(a->btf, e->name_off), name,
					      t == own, &best, out, len);
		}
	}
	return best > 0;
}

/* Resolve an identifier literal against the value's enum, every enum, then macros. */
static int ident_value(struct plan_ctx *pc, const struct bd_access *a, const struct q_lit *l,
		       unsigned long long *val)
{
	const struct btf_type *t = bd_skip_mods(a->btf, a->type_id, NULL);
	char hint[128];
	long long v;
	int j;

	if (t && btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);

		for (j = 0; j < btf_vlen(t); j++, e++)
			if (!strcmp(btf__name_by_offset(a->btf, e->name_off), l->str)) {
				*val = btf_kflag(t) ? (unsigned long long)(long long)e->val
						    : (__u32)e->val;
				return 0;
			}
	}
	if (bd_const_value(l->str, &v)) {
		*val = v;
		return 0;
	}
	if (!bd_find_enumerator(a->btf, l->str, &v)) {
		*val = v;
		return 0;
	}
	if (near_name(a, l->str, hint, sizeof(hint)))
		return perr(pc, l->pos, "unknown name '%s' (not an enumerator in kernel BTF nor a "
			    "known constant); did you mean '%s'?", l->str, hint);
	return perr(pc, l->pos, "unknown name '%s' (not an enumerator in kernel BTF nor a "
		    "known constant)", l->str);
}

static bool type_is_signed(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = bd_skip_mods(btf, id, NULL);

	if (!t)
		return false;
	if (btf_is_int(t))
		return btf_int_encoding(t) & BTF_INT_SIGNED;
	if (btf_is_enum(t) || btf_is_enum64(t))
		return btf_kflag(t);
	return false;
}

/*
 * A compare against a literal the field cannot hold would be done on a truncated or
 * reinterpreted literal (x < 4294967296 on a u32 as x < 0), so refuse it. An unsigned field of
 * W bits takes 0 .. 2^W-1 and, as its two's complement, -2^(W-1) .. -1 (x == -1: all ones);
 * the literal is stored in W bits. '&' takes any mask: the bits beyond W cannot be set.
 */
static int check_lit_range(struct plan_ctx *pc, struct bd_pred *pr, enum q_op op,
			   const struct q_lit *l)
{
	__u32 w = pr->acc.bit_size ? pr->acc.bit_size : 8 * pr->acc.size;
	long long v = (long long)pr->imm;
	bool lit_unsigned = l->kind == Q_LIT_INT && l->is_unsigned;
	char tn[128];

	if (pr->is_signed) {	/* sign-extended to 64 bits: any s64 literal compares right */
		if (lit_unsigned && op != Q_OP_BITAND)
			goto out_of_range;
		return 0;
	}
	if (w >= 64)
		return 0;
	if (op != Q_OP_BITAND && !lit_unsigned && (v < -(1LL << (w - 1)) || v >= (1LL << w)))
		goto out_of_range;
	if (op != Q_OP_BITAND && lit_unsigned)
		goto out_of_range;
	pr->imm &= (1ULL << w) - 1;
	return 0;
out_of_range:
	return perr(pc, l->pos, "literal out of range for %s (%u-bit %s)",
		    type_name(pr->acc.btf, pr->acc.type_id, tn, sizeof(tn)), w,
		    pr->is_signed ? "signed" : "unsigned");
}

static void arith_free(struct bd_arith *a)
{
	if (!a)
		return;
	arith_free(a->lhs);
	arith_free(a->rhs);
	free(a);
}

/* A bare name in arithmetic is a field when the target has it (a context member
 * or a default column), else a constant. */
static bool is_field_name(const struct bd_target *t, const char *name)
{
	const char *preset = bd_target_preset(t->name), *c;
	size_t n = strlen(name);

	if (ctx_member(t, name) || !strcmp(name, "return"))
		return true;
	for (c = preset; c && *c; c += strcspn(c, ",") + (c[strcspn(c, ",")] != '\0'))
		if (!strncmp(c, name, n) && c[n] == '=')
			return true;
	return false;
}

/* Registers an operand tree needs, evaluated left first (Sethi-Ullman). */
static int arith_regs(const struct bd_arith *a)
{
	int l, r;

	if (a->kind != Q_ARITH_BIN)
		return 1;
	l = arith_regs(a->lhs);
	r = arith_regs(a->rhs) + 1;
	return l > r ? l : r;
}

/* Plan an operand tree; *sgn is set when it holds a signed field, a negative
 * literal or a subtraction (the compare is then signed). */
/*
 * A default column's name in a predicate or arithmetic: which access of c it
 * compares. A plain value or one formatted from a single field, its own (text:
 * str() too); socktype(sk) its type (unix's "type == SOCK_STREAM"); -1: refused.
 */
static int alias_acc(const struct plan_ctx *pc, const struct bd_column *c, bool text)
{
	static const char *const one_field[] = { "hex", "tcpstate", "family", "ino", "dev", "rss" };
	size_t i;

	if (!pc->alias_func)
		return 0;
	if (!strcmp(pc->alias_func, "socktype"))
		return 1;
	if (c->acc_cnt != 1)
		return -1;
	if (text && !strcmp(pc->alias_func, "str"))
		return 0;
	for (i = 0; i < sizeof(one_field) / sizeof(one_field[0]); i++)
		if (!strcmp(pc->alias_func, one_field[i]))
			return 0;
	return -1;
}

static int plan_arith(struct plan_ctx *pc, const struct q_arith *a, struct bd_arith **out,
		      __u32 *cursor, bool *sgn)
{
	struct bd_arith *n = calloc(1, sizeof(*n));
	struct bd_column tmp = {};
	const struct btf_type *t;
	char tn[128];
	int err, ai;

	if (!n)
		return -ENOMEM;
	*out = n;
	n->kind = a->kind;
	n->op = a->op;
	switch (a->kind) {
	case Q_ARITH_BIN:
		if (a->op == Q_AOP_SUB)
			*sgn = true;
		err = plan_arith(pc, a->lhs, &n->lhs, cursor, sgn);
		return err ? err : plan_arith(pc, a->rhs, &n->rhs, cursor, sgn);
	case Q_ARITH_LIT:
		if (a->lit.kind != Q_LIT_INT)
			return perr(pc, a->pos, "a string cannot be used in arithmetic");
		n->imm = (unsigned long long)a->lit.ival;
		if (!a->lit.is_unsigned && a->lit.ival < 0)
			*sgn = true;
		return 0;
	case Q_ARITH_VALUE:
		break;
	}
	if (!a->value.func && !a->value.path.step_cnt &&
	    !is_field_name(pc->p->target, a->value.path.root)) {
		struct bd_access none = { .btf = pc->d->btf };
		struct q_lit l = { .kind = Q_LIT_IDENT, .str = a->value.path.root,
				   .pos = a->pos };

		n->kind = Q_ARITH_LIT;
		return ident_value(pc, &none, &l, &n->imm);
	}
	if (a->value.func && strcmp(a->value.func, "hex") && strcmp(a->value.func, "ino") &&
	    strcmp(a->value.func, "dev") && strcmp(a->value.func, "rss"))
		return perr(pc, a->value.func_pos, "function '%s' cannot be used in arithmetic",
			    a->value.func);
	err = plan_value(pc, &a->value, &tmp);
	if (err)
		return err;
	ai = alias_acc(pc, &tmp, false);
	if (ai < 0)
		return perr(pc, a->pos, "column '%s' is %s(...): cannot be used in arithmetic; "
			    "name its fields", a->value.path.root, pc->alias_func);
	n->acc = tmp.acc[ai];
	t = bd_skip_mods(n->acc.btf, n->acc.type_id, NULL);
	if (n->acc.fetch == BD_FETCH_DPATH || n->acc.fetch == BD_FETCH_DWALK ||
	    n->acc.fetch == BD_FETCH_CSTR || n->acc.root == BD_ROOT_BUF || !t ||
	    !(btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t) || btf_is_ptr(t)) ||
	    n->acc.size > 8)
		return perr(pc, a->pos, "cannot use %s in arithmetic: it is not an integer",
			    type_name(n->acc.btf, n->acc.type_id, tn, sizeof(tn)));
	n->is_signed = !n->acc.bit_size && type_is_signed(n->acc.btf, n->acc.type_id);
	if (n->is_signed)
		*sgn = true;
	if (n->acc.fetch == BD_FETCH_SCALAR)
		n->be_bits = bd_net_order_bits(n->acc.btf, n->acc.type_id);
	return place(pc, &n->acc, cursor);
}

static int plan_pred(struct plan_ctx *pc, const struct q_expr *e, struct bd_pred **out,
		     __u32 *cursor)
{
	struct bd_pred *pr = calloc(1, sizeof(*pr));
	struct bd_column tmp = {};
	const struct btf_type *t;
	char tn[128];
	bool is_str;
	int err, ai;

	if (!pr)
		return -ENOMEM;
	*out = pr;
	pr->kind = e->kind;
	pr->op = e->op;
	switch (e->kind) {
	case Q_EXPR_AND:
	case Q_EXPR_OR:
		err = plan_pred(pc, e->lhs, &pr->lhs, cursor);
		return err ? err : plan_pred(pc, e->rhs, &pr->rhs, cursor);
	case Q_EXPR_NOT:
		return plan_pred(pc, e->lhs, &pr->lhs, cursor);
	case Q_EXPR_ACMP:
		err = plan_arith(pc, e->alhs, &pr->la, cursor, &pr->is_signed);
		if (!err)
			err = plan_arith(pc, e->arhs, &pr->ra, cursor, &pr->is_signed);
		if (!err && (arith_regs(pr->la) > BD_ARITH_REGS ||
			     arith_regs(pr->ra) + 1 > BD_ARITH_REGS))
			err = perr(pc, e->pos, "expression needs more than %d registers: split "
				   "it with '&&'", BD_ARITH_REGS);
		return err;
	case Q_EXPR_VALUE:
	case Q_EXPR_CMP:
		break;
	}
	if (e->value.func && strcmp(e->value.func, "str") && strcmp(e->value.func, "hex") &&
	    strcmp(e->value.func, "ustr") && strcmp(e->value.func, "ino") &&
	    strcmp(e->value.func, "dev") && strcmp(e->value.func, "rss"))
		return perr(pc, e->value.func_pos, "function '%s' cannot be used in a predicate",
			    e->value.func);
	err = plan_value(pc, &e->value, &tmp);
	if (err)
		return err;
	/* a default column's name: only a plain value or one formatted from a single field */
	ai = alias_acc(pc, &tmp, true);
	if (ai < 0)
		return perr(pc, e->value.pos, "column '%s' is %s(...): cannot be used in a "
			    "predicate; name its fields", e->value.path.root, pc->alias_func);
	pr->acc = tmp.acc[ai];
	if (pr->acc.fetch == BD_FETCH_DPATH || pr->acc.fetch == BD_FETCH_DWALK ||
	    pr->acc.root == BD_ROOT_BUF)
		return perr(pc, e->value.pos, "cannot compare this value in a predicate");
	t = bd_skip_mods(pr->acc.btf, pr->acc.type_id, NULL);
	is_str = pr->acc.fetch == BD_FETCH_CSTR ||
		 (btf_is_array(t) && is_char_type(pr->acc.btf, btf_array(t)->type));
	if (is_struct_like(t) || (btf_is_array(t) && !is_str)) {
		char hint[256] = "";

		if (is_struct_like(t))
			bd_suggest_members(pr->acc.btf, pr->acc.type_id, "", hint, sizeof(hint));
		return perr(pc, e->value.pos, "cannot compare %s%s%s",
			    type_name(pr->acc.btf, pr->acc.type_id, tn, sizeof(tn)),
			    hint[0] ? "; pick a member, e.g. " : "", hint);
	}
	pr->is_string = is_str;
	pr->is_signed = !pr->acc.bit_size && type_is_signed(pr->acc.btf, pr->acc.type_id);
	if (pr->acc.fetch == BD_FETCH_SCALAR)
		pr->be_bits = bd_net_order_bits(pr->acc.btf, pr->acc.type_id);
	if (e->kind == Q_EXPR_CMP) {
		const struct q_lit *l = &e->lit;
		struct in_addr ip4;

		/* an IPv4 address literal against a __be32: compare the raw bytes */
		if (l->kind == Q_LIT_STR && pr->be_bits == 32 &&
		    inet_pton(AF_INET, l->str, &ip4) == 1) {
			if (e->op != Q_OP_EQ && e->op != Q_OP_NE)
				return perr(pc, l->pos, "addresses compare only with == and !=");
			pr->be_bits = 0;
			pr->imm = ip4.s_addr;
			return place(pc, &pr->acc, cursor);
		}

		if (is_str) {
			if (l->kind != Q_LIT_STR)
				return perr(pc, l->pos, "cannot compare %s with a number: use a "
					    "\"string\"",
					    type_name(pr->acc.btf, pr->acc.type_id, tn, sizeof(tn)));
			if (e->op != Q_OP_EQ && e->op != Q_OP_NE)
				return perr(pc, l->pos, "strings compare only with == and !=");
			if (pr->acc.fetch != BD_FETCH_CSTR && l->str_len >= pr->acc.size + 1)
				return perr(pc, l->pos, "string \"%s\" is longer than %s", l->str,
					    type_name(pr->acc.btf, pr->acc.type_id, tn,
						      sizeof(tn)));
			if (pr->acc.fetch == BD_FETCH_CSTR && l->str_len >= BD_CSTR_MAX)
				return perr(pc, l->pos, "string longer than %d bytes",
					    BD_CSTR_MAX - 1);
			pr->str = malloc(l->str_len + 1);
			if (!pr->str)
				return -ENOMEM;
			memcpy(pr->str, l->str, l->str_len + 1);
			pr->str_len = l->str_len;
		} else if (l->kind == Q_LIT_STR) {
			return perr(pc, l->pos, "cannot compare %s with a string",
				    type_name(pr->acc.btf, pr->acc.type_id, tn, sizeof(tn)));
		} else if (l->kind == Q_LIT_IDENT) {
			err = ident_value(pc, &pr->acc, l, &pr->imm);
			if (err)
				return err;
		} else {
			pr->imm = (unsigned long long)l->ival;
		}
		if (e->op == Q_OP_BITAND && btf_is_ptr(t))
			return perr(pc, l->pos, "'&' needs an integer, not a pointer");
		err = check_lit_range(pc, pr, e->op, l);
		if (err)
			return err;
	}
	return place(pc, &pr->acc, cursor);
}

static void pred_free(struct bd_pred *pr)
{
	if (!pr)
		return;
	pred_free(pr->lhs);
	pred_free(pr->rhs);
	arith_free(pr->la);
	arith_free(pr->ra);
	free(pr->str);
	free(pr);
}

/* After the record: what the generated code works with, in every plan. */
static void place_work_areas(struct bd_plan *p, __u32 *cursor)
{
	p->scratch_off = *cursor;	/* pointers read with bpf_probe_read_kernel */
	*cursor += 8;
	p->hdr_off = *cursor;		/* text writer: session that got its header */
	*cursor += 8;
	p->guard_off = *cursor;		/* stop-call guard */
	*cursor += 24;
	p->guard_pos_off = -1;
	p->args_off = *cursor;		/* bpf_seq_printf arguments */
	*cursor += 8 * 12;		/* MAX_BPRINTF_VARARGS */
}

static int plan_build(struct bpfdump *d, struct bd_plan *p, const char *columns,
		      const char *where)
{
	struct plan_ctx pc = { .d = d, .p = p, .what = "field list", .src = columns };
	__u32 cursor = p->hdr_size ? p->hdr_size : REC_HDR_SIZE;
	int err, i;

	err = plan_columns(&pc, columns, &cursor);
	if (err)
		return err;
	p->fixed_size = cursor;
	if (cursor > BD_MAX_FIXED)
		return bd_err(d, -E2BIG, "field list: the record is %u bytes, at most %d",
			      cursor, BD_MAX_FIXED);
	if ((where && *where) || p->scope_where) {
		struct q_error qerr = {};
		struct q_expr *e = NULL, *se = NULL;

		pc.what = "where";
		pc.in_where = true;
		pc.src = where && *where ? where : p->scope_where;
		if (where && *where) {
			err = q_parse_where(where, &e, &qerr);
			if (err == -EINVAL)
				return err_at(d, err, "where", where, qerr.pos, qerr.msg);
			if (err)
				return bd_err(d, err, "where: %s", strerror(-err));
		}
		if (p->scope_where) {
			/* the container scope, ANDed to the user's predicate */
			err = q_parse_where(p->scope_where, &se, &qerr);
			if (err) {
				q_expr_free(e);
				return bd_err(d, err, "scope '%s': %s", p->scope_where, qerr.msg);
			}
			if (e) {
				struct q_expr *and = calloc(1, sizeof(*and));

				if (!and) {
					q_expr_free(e);
					q_expr_free(se);
					return -ENOMEM;
				}
				and->kind = Q_EXPR_AND;
				and->lhs = e;
				and->rhs = se;
				se = and;
			}
			e = se;
		}
		err = plan_pred(&pc, e, &p->pred, &cursor);
		q_expr_free(e);
		if (err)
			return err;
	}
	place_work_areas(p, &cursor);
	/* ksym calls the program once more at the end with its last symbol, stale:
	 * same seq_num as the last object but the position one past it */
	if (!strcmp(p->target->name, "ksym")) {
		__u32 off;

		if (!member_off(d, "kallsym_iter", "pos", &off))
			p->guard_pos_off = off;
	}
	for (i = 0; i < p->path_cnt; i++) {
		p->path_buf_off[i] = cursor;
		cursor += BD_PATH_MAX;
	}
	p->buf_size = cursor;
	return 0;
}

/* One alternative of a preset column: 0 when this kernel resolves it, 1 when it
 * lacks a member or field it names, -1 on any other error (kept, so the plan
 * reports it). */
static int try_column(struct plan_ctx *pc, const char *name, const char *expr)
{
	struct q_columns qc = {};
	struct q_error qerr = {};
	struct bd_column c = {};
	char *text;
	int err;

	if (asprintf(&text, "%s=%s", name, expr) < 0)
		return -1;
	err = q_parse_columns(text, &qc, &qerr);
	if (!err && qc.cnt == 1) {
		pc->src = text;
		pc->missing = false;
		err = plan_value(pc, &qc.cols[0].value, &c);
		err = !err ? 0 : pc->missing ? 1 : -1;
	} else {
		err = -1;
	}
	q_columns_free(&qc);
	free(text);
	return err;
}

/*
 * A preset is written for every kernel: a column may name alternatives, "name=a|b",
 * and the first one this kernel's BTF resolves is planned (a link's attach type is
 * link->attach_type where struct bpf_link has it, else its program's). A column none
 * resolves is left out, said under -v: a default never fails on a member a kernel
 * lacks. Columns are separated by ',' with none inside a column.
 */
static int preset_resolve(struct bpfdump *d, struct bd_plan *p, const char *preset, char **out)
{
	struct plan_ctx pc = { .d = d, .p = p, .what = "field list" };
	char *copy = strdup(preset), *res = calloc(1, strlen(preset) + 1);
	char *col, *save = NULL, errmsg[BD_ERRMSG_MAX];
	size_t used = 0;
	int err = 0;

	if (!copy || !res) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(errmsg, bd_errmsg(), sizeof(errmsg));
	for (col = strtok_r(copy, ",", &save); col; col = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(col, '='), *alt, *asave = NULL, *pick = NULL;
		const char *alts;

		if (!eq || !strchr(eq, '|')) {
			used += sprintf(res + used, "%s%s", used ? "," : "", col);
			continue;
		}
		*eq = '\0';
		alts = preset + (eq + 1 - copy);	/* the list, before strtok_r cuts it */
		for (alt = strtok_r(eq + 1, "|", &asave); alt; alt = strtok_r(NULL, "|", &asave)) {
			if (try_column(&pc, col, alt) != 1) {
				pick = alt;
				break;
			}
		}
		if (!pick) {
			if (!p->all_probe)
				bd_log(d, BPFDUMP_INFO, "target %s: column '%s' left out: this kernel "
				       "has none of %.*s", p->target->name, col,
				       (int)strcspn(alts, ","), alts);
			continue;
		}
		if (pick != eq + 1 && !p->all_probe)
			bd_log(d, BPFDUMP_DEBUG, "target %s: column '%s' is %s on this kernel",
			       p->target->name, col, pick);
		used += sprintf(res + used, "%s%s=%s", used ? "," : "", col, pick);
	}
	memcpy(bd_errmsg(), errmsg, sizeof(errmsg));
	if (!used)
		err = bd_err(d, -ENOENT, "target %s: none of its default columns resolves against "
			     "this kernel's BTF; name columns with -o", p->target->name);
out:
	free(copy);
	if (err)
		free(res);
	else
		*out = res;
	return err;
}

/* The default columns of target t as this kernel resolves them (malloc'd). */
char *bd_preset_resolve(struct bpfdump *d, const struct bd_target *t, const char *preset)
{
	struct bd_plan p = { .target = t, .map = { .fd = -1 } };
	char *res = NULL;
	int err = preset_resolve(d, &p, preset, &res);

	if (err)
		errno = -err;
	return res;
}

/* A failed build leaves nothing to free (LeakSanitizer found the callers did not). */
int bd_plan_build(struct bpfdump *d, struct bd_plan *p, const char *columns, const char *where)
{
	char *resolved = NULL;
	int err = 0;

	if (bd_target_is_preset(columns))
		err = preset_resolve(d, p, columns, &resolved);
	if (!err)
		err = plan_build(d, p, resolved ? resolved : columns, where);
	free(resolved);
	if (err)
		bd_plan_free(p);
	return err;
}

void bd_plan_free(struct bd_plan *p)
{
	int i;

	if (!p)
		return;
	for (i = 0; i < p->col_cnt; i++) {
		free(p->cols[i].name);
		free(p->cols[i].header);
	}
	free(p->cols);
	pred_free(p->pred);
	pred_free(p->pred_exit);
	p->pred_exit = NULL;
	p->cols = NULL;
	p->col_cnt = 0;
	p->pred = NULL;
	p->path_cnt = 0;
	p->fixed_size = p->buf_size = 0;
}

static void pred_free(struct bd_pred *pr);

static bool arith_reads_return(const struct q_arith *a)
{
	if (!a)
		return false;
	if (a->kind == Q_ARITH_VALUE)
		return !strcmp(a->value.path.root, "return");
	return arith_reads_return(a->lhs) || arith_reads_return(a->rhs);
}

static bool expr_reads_return(const struct q_expr *e)
{
	if (!e)
		return false;
	if (e->kind == Q_EXPR_VALUE || e->kind == Q_EXPR_CMP)
		return !strcmp(e->value.path.root, "return");
	if (e->kind == Q_EXPR_ACMP)
		return arith_reads_return(e->alhs) || arith_reads_return(e->arhs);
	return expr_reads_return(e->lhs) || expr_reads_return(e->rhs);
}

/* p AND q, either may be NULL */
static struct bd_pred *pred_and(struct bd_pred *a, struct bd_pred *b)
{
	struct bd_pred *n;

	if (!a || !b)
		return a ? a : b;
	n = calloc(1, sizeof(*n));
	if (!n) {
		pred_free(a);
		pred_free(b);
		return NULL;
	}
	n->kind = Q_EXPR_AND;
	n->lhs = a;
	n->rhs = b;
	return n;
}

int bd_plan_build_trace(struct bpfdump *d, struct bd_plan *p, const struct q_trace_spec *spec,
			const char *text, bool want_return, bool *stash)
{
	struct plan_ctx pc = { .d = d, .p = p, .what = "trace", .src = text };
	__u32 cursor = p->hdr_size;
	struct bd_name_set *names __attribute__((cleanup(name_set_cleanup))) = NULL;
	int i, n = 0, err = 0;

	*stash = false;
	for (i = 0; i < spec->item_cnt; i++) {
		const struct q_trace_item *it = &spec->items[i];

		if (it->is_pred ? expr_reads_return(it->pred)
				: !strcmp(it->value.path.root, "return"))
			*stash = true;
		n += !it->is_pred;
	}
	if (*stash && !want_return) {
		/* a stashed event shows the return value, asked for or not */
		bool shown = false;

		for (i = 0; i < spec->item_cnt; i++)
			shown |= !spec->items[i].is_pred &&
				 !strcmp(spec->items[i].value.path.root, "return") &&
				 !spec->items[i].value.path.step_cnt;
		n += !shown;
	}
	if (want_return)
		n = 1;
	else if (!spec->item_cnt)
		for (i = 0; i < p->target->member_cnt; i++)	/* every argument */
			n += strcmp(p->target->members[i].name, "return") != 0;
	p->cols = calloc(n ? n : 1, sizeof(*p->cols));
	names = bd_name_set__new(n);
	if (!p->cols || !names)
		return -ENOMEM;
	if (want_return || !spec->item_cnt) {
		/* the bare function: its arguments on entry, its return on exit */
		int m = 0;

		for (i = 0; i < n; i++, m++) {
			const char *root;
			struct q_value v = {};

			while (!want_return && !strcmp(p->target->members[m].name, "return"))
				m++;
			root = want_return ? "return" : p->target->members[m].name;
			v.path.root = (char *)root;
			p->col_cnt++;
			err = plan_one_column(&pc, &v, root, &p->cols[i], names, &cursor);
			if (err)
				return err;
		}
	}
	for (i = 0; i < spec->item_cnt && !want_return; i++) {
		const struct q_trace_item *it = &spec->items[i];
		struct bd_pred *pr = NULL;
		char *name;

		if (!it->is_pred) {
			name = q_path_str(&it->value.path);
			if (!name)
				return -ENOMEM;
			if (it->value.func) {
				char *fn;

				if (asprintf(&fn, "%s(%s)", it->value.func, name) < 0) {
					free(name);
					return -ENOMEM;
				}
				free(name);
				name = fn;
			}
			err = plan_one_column(&pc, &it->value, name, &p->cols[p->col_cnt], names,
					      &cursor);
			p->col_cnt++;
			free(name);
			if (err)
				return err;
			continue;
		}
		err = plan_pred(&pc, it->pred, &pr, &cursor);
		if (err) {
			pred_free(pr);
			return err;
		}
		if (expr_reads_return(it->pred))
			p->pred_exit = pred_and(p->pred_exit, pr);
		else
			p->pred = pred_and(p->pred, pr);
		if ((expr_reads_return(it->pred) && !p->pred_exit) ||
		    (!expr_reads_return(it->pred) && !p->pred))
			return -ENOMEM;
	}
	if (*stash && !want_return && p->col_cnt < n) {
		struct q_value v = { .path = { .root = "return" } };

		err = plan_one_column(&pc, &v, "return", &p->cols[p->col_cnt], names, &cursor);
		p->col_cnt++;
		if (err)
			return err;
	}
	p->fixed_size = cursor;
	if (cursor > BD_MAX_FIXED)
		return bd_err(d, -E2BIG, "trace '%s': the record is %u bytes, at most %d (lower "
			      "--size)", text, cursor, BD_MAX_FIXED);
	place_work_areas(p, &cursor);
	p->buf_size = (cursor + 7) & ~7u;
	return 0;
}
