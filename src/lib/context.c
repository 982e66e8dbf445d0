// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The public context: bpfdump__new/free, its BTF, lockdown probe and targets. */
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "output.h"
#include "util.h"

#define DEFAULT_BTF_PATH "/sys/kernel/btf/vmlinux"

const char *bpfdump_version(void)
{
	return BPFDUMP_VERSION;
}

struct bpfdump *bpfdump__new(const struct bpfdump_opts *opts)
{
	struct bpfdump *d;
	bool lazy;
	int err;

	if (!OPTS_OK(opts, bpfdump_opts)) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&d->btf_memo.lock, NULL);
	snprintf(d->btf_path, sizeof(d->btf_path), "%s",
		 opts && opts->btf_path ? opts->btf_path : DEFAULT_BTF_PATH);
	if (opts) {
		d->log = opts->log;
		d->log_ctx = opts->log_ctx;
		d->log_level = opts->log_level;
	}
	lazy = OPTS_GET(opts, lazy_btf, false);
	err = lazy ? 0 : bd_btf_ready(d);
	if (err) {
		/* keep the context so the caller can read the message */
		errno = -err;
		bd_log(d, BPFDUMP_WARN, "%s", bd_errmsg());
		bpfdump__free(d);
		return NULL;
	}
	return d;
}

/* The bracketed word of /sys/kernel/security/lockdown ("none integrity
 * [confidentiality]") is the mode; no file (no securityfs, no lockdown LSM): none. */
static bool lockdown_file_confidential(void)
{
	char buf[128], *l, *r;
	FILE *f = fopen(BD_LOCKDOWN_FILE, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	return r && r - l - 1 == (long)strlen("confidentiality") &&
	       !strncmp(l + 1, "confidentiality", r - l - 1);
}

/* A struct whose first member is a plain 8-byte integer at offset 0: a guarded
 * load of 1 to 8 bytes at its offset 0 is a scalar the verifier accepts. */
static bool u64_first(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id), *mt;

	if (!t || !btf_is_struct(t) || !btf_vlen(t) || t->size < 8 ||
	    btf_member_bit_offset(t, 0) || btf_member_bitfield_size(t, 0))
		return false;
	mt = bd_skip_mods(btf, btf_members(t)->type, NULL);
	return mt && btf_is_int(mt) && mt->size == 8;
}

static __s32 find_u64_struct(const struct btf *btf)
{
	__s32 id = btf__find_by_name_kind(btf, "atomic64_t", BTF_KIND_TYPEDEF);
	__u32 i, n = btf__type_cnt(btf);

	if (id > 0 && u64_first(btf, btf__type_by_id(btf, id)->type))
		return btf__type_by_id(btf, id)->type;
	for (i = 1; i < n; i++)
		if (u64_first(btf, i))
			return i;
	return -1;
}

const struct bd_lockdown *bd_lockdown_probe(struct bpfdump *d)
{
	struct bd_lockdown *l = &d->lockdown;
	const char *force;

	if (!l->probed) {
		/* for tests: confidentiality's code on any kernel; it only ever restricts */
		force = secure_getenv("BPFDUMP_LOCKDOWN");
		l->confidential = lockdown_file_confidential() ||
				  (force && !strcmp(force, "confidentiality"));
		l->probed = true;
	}
	if (!l->cast_fn_id && d->btf) {
		l->cast_fn_id = bd_btf_find(d, "bpf_rdonly_cast", BTF_KIND_FUNC);
		l->cast_u64_id = find_u64_struct(d->btf);
		if (l->cast_fn_id <= 0)
			l->cast_fn_id = -1;
		if (l->confidential)
			bd_log(d, BPFDUMP_INFO, "lockdown=confidentiality: no bpf_probe_read_kernel; "
			       "reading through BTF-typed pointers%s", l->cast_fn_id > 0 &&
			       l->cast_u64_id > 0 ? " and bpf_rdonly_cast" : " only (no bpf_rdonly_cast)");
	}
	return l;
}

int bd_btf_ready(struct bpfdump *d)
{
	int err;

	if (d->btf)
		return 0;
	err = bd_btf_load(d);
	if (!err)
		err = bd_targets_discover(d);
	if (!err && !d->target_cnt)
		err = bd_err(d, -ENOENT, "BTF '%s': no BPF iterator targets (no bpf_iter_* "
			     "functions)", d->btf_path);
	if (!err)
		bd_lockdown_probe(d);
	if (err) {
		bd_btf_memo_free(d);
		btf__free(d->btf);
		d->btf = NULL;
		free(d->targets);
		d->targets = NULL;
		d->target_cnt = 0;
	}
	return err;
}

void bpfdump__free(struct bpfdump *d)
{
	if (!d)
		return;
	btf__free(d->btf);
	free(d->targets);
	bd_btf_memo_free(d);
	pthread_mutex_destroy(&d->btf_memo.lock);
	free(d);
}

const char *bpfdump__errmsg(const struct bpfdump *d)
{
	return d ? bd_errmsg() : "";
}

int bpfdump__target_cnt(const struct bpfdump *d)
{
	return d->target_cnt;
}

const char *bpfdump__target_name(const struct bpfdump *d, int idx)
{
	return idx >= 0 && idx < d->target_cnt ? d->targets[idx].name : NULL;
}

int bpfdump__target_params(const struct bpfdump *d, const char *target)
{
	const struct bd_target *t = bd_target_find(d, target);

	return t ? (int)t->params : -ENOENT;
}

int bd_unknown_target(struct bpfdump *d, const char *name)
{
	char list[1024];
	size_t used = 0;
	int i;

	list[0] = '\0';
	for (i = 0; i < d->target_cnt; i++)
		used += snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0, "%s%s",
				 i ? ", " : "", d->targets[i].name);
	return bd_err(d, -ENOENT, "target '%s': not an iterator target of this kernel; "
		      "targets: %s", name, list);
}

char *bd_target_member_columns(const struct bd_target *t)
{
	struct bd_strbuf b = {};
	int i;

	for (i = 0; i < t->member_cnt; i++)
		sb_printf(&b, "%s%s", i ? "," : "", t->members[i].name);
	return b.s;
}

static const struct { unsigned int bit; const char *text, *json; } param_list[] = {
	{ BPFDUMP_PARAM_TASK, "--pid, --tid", "\"pid\",\"tid\"" },
	{ BPFDUMP_PARAM_CGROUP, "--cgroup, --order", "\"cgroup\",\"order\"" },
	{ BPFDUMP_PARAM_MAP, "--map", "\"map\"" },
	{ BPFDUMP_PARAM_NETNS, "--netns", "\"netns\"" },
	{ BPFDUMP_PARAM_PIDNS, "--pidns, --mntns, --cgroup (a subtree's tasks)",
	  "\"pidns\",\"mntns\",\"cgroup\"" },
};

/* The parameters a target takes, as text or as JSON strings. */
static void print_params(FILE *out, unsigned int params, bool json)
{
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(param_list) / sizeof(param_list[0]); i++)
		if (params & param_list[i].bit)
			fprintf(out, "%s%s", n++ ? (json ? "," : ", ") : "",
				json ? param_list[i].json : param_list[i].text);
	if (!n && !json)
		fprintf(out, "none (a global target: namespaces do not scope it)");
}

int bpfdump__describe_target(struct bpfdump *d, const char *target, FILE *out,
			     const struct bpfdump_print_opts *opts)
{
	bool json = OPTS_GET(opts, format, BPFDUMP_FMT_TABLE) == BPFDUMP_FMT_JSON;
	const struct bd_target *t;
	const char *preset;
	char decl[256];
	char *fallback = NULL;
	int i;

	if (!OPTS_OK(opts, bpfdump_print_opts))
		return bd_err(d, -EINVAL, "describe target: bad print options");
	i = bd_btf_ready(d);
	if (i)
		return i;
	t = bd_target_find(d, target);
	if (!t)
		return bd_unknown_target(d, target);
	preset = bd_target_preset(t->name);
	if (preset)	/* as this kernel resolves it */
		preset = fallback = bd_preset_resolve(d, t, preset);
	else
		preset = fallback = bd_target_member_columns(t);
	if (json) {
		fprintf(out, "{\"target\":");
		bd_json_str(out, t->name, strlen(t->name));
		fprintf(out, ",\"fields\":[");
		for (i = 0; i < t->member_cnt; i++) {
			bd_type_decl(d->btf, t->members[i].type_id, NULL, decl, sizeof(decl));
			fprintf(out, "%s{\"name\":", i ? "," : "");
			bd_json_str(out, t->members[i].name, strlen(t->members[i].name));
			fprintf(out, ",\"type\":");
			bd_json_str(out, decl, strlen(decl));
			fprintf(out, "}");
		}
		fprintf(out, "],\"params\":[");
		print_params(out, t->params, true);
		fprintf(out, "],\"default_columns\":");
		bd_json_str(out, preset ? preset : "", preset ? strlen(preset) : 0);
		fprintf(out, "}\n");
	} else {
		fprintf(out, "target %s (attach point bpf_iter_%s)\n", t->name, t->name);
		fprintf(out, "fields:\n");
		for (i = 0; i < t->member_cnt; i++) {
			bd_type_decl(d->btf, t->members[i].type_id, t->members[i].name, decl,
				     sizeof(decl));
			fprintf(out, "    %s;\n", decl);
		}
		fprintf(out, "parameters: ");
		print_params(out, t->params, false);
		fprintf(out, "\n");
		fprintf(out, "default columns: %s\n", preset ? preset : "");
	}
	free(fallback);
	return 0;
}
