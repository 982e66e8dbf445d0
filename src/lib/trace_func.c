// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Traced functions and tracepoints from BTF: lookup (vmlinux, then modules),
 * signatures, nearest names, and whether ftrace can attach to them. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_func.h"
#include "util.h"

void bd_func_free(struct bd_func *f)
{
	if (!f)
		return;
	btf__free(f->mod_btf);
	if (f->mod_btf_fd >= 0)
		close(f->mod_btf_fd);
	memset(f, 0, sizeof(*f));
	f->mod_btf_fd = -1;
}

/* The kernel's fd for a module's BTF object, for attach_btf_obj_fd. */
static int module_btf_fd(const char *module)
{
	__u32 id = 0;

	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = {};
		__u32 len = sizeof(info);
		char name[64] = "";
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue;
		info.name = (unsigned long)name;
		info.name_len = sizeof(name);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(name, module))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

static int fill_args(struct bd_func *f, const struct btf *btf, __u32 proto_id,
		     const struct btf *names_btf, __u32 names_proto, int skip)
{
	const struct btf_type *pt = btf__type_by_id(btf, proto_id);
	const struct btf_type *nt = names_btf ? btf__type_by_id(names_btf, names_proto) : NULL;
	const struct btf_param *p;
	int i, n;

	if (!pt || !btf_is_func_proto(pt))
		return -EINVAL;
	n = btf_vlen(pt) - skip;
	if (n > BD_MAX_ARGS)
		n = BD_MAX_ARGS;
	p = btf_params(pt) + skip;
	f->nargs = 0;
	for (i = 0; i < n; i++, p++) {
		const char *name = btf__name_by_offset(btf, p->name_off);

		if (!p->type)
			break;	/* varargs */
		if ((!name || !*name) && nt && btf_is_func_proto(nt) && btf_vlen(nt) > i + skip)
			name = btf__name_by_offset(names_btf, btf_params(nt)[i + skip].name_off);
		if (name && *name)
			snprintf(f->arg_names[i], sizeof(f->arg_names[i]), "%s", name);
		else
			snprintf(f->arg_names[i], sizeof(f->arg_names[i]), "arg%d", i);
		f->arg_types[i] = p->type;
		f->nargs++;
	}
	f->ret_type = pt->type;
	return 0;
}

static int find_in(struct bd_func *f, const struct btf *btf, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);

	if (id < 0)
		return -ENOENT;
	f->func_id = id;
	f->proto_id = btf__type_by_id(btf, id)->type;
	return fill_args(f, btf, f->proto_id, NULL, 0, 0);
}

static int find_tracepoint(struct bpfdump *d, struct bd_func *f, const char *spec)
{
	const char *name = strrchr(spec, ':') + 1;
	char buf[160], group[64];
	__s32 td, wrap;
	const struct btf_type *t;
	int err;

	snprintf(f->tp_name, sizeof(f->tp_name), "%s", name);
	snprintf(buf, sizeof(buf), "btf_trace_%s", name);
	td = btf__find_by_name_kind(d->btf, buf, BTF_KIND_TYPEDEF);
	if (td < 0) {
		/* no BTF type (the syscalls group): a perf tracepoint, typed from tracefs */
		snprintf(group, sizeof(group), "%.*s", (int)(name - 1 - (spec + 3)), spec + 3);
		if (bd_lockdown_probe(d)->confidential)
			return bd_err(d, -EPERM, "tracepoint '%s': has no BTF type, and tracefs "
				      "tracepoints are not allowed under lockdown=confidentiality "
				      "(%s); use tp_btf (e.g. tp:raw_syscalls:sys_enter) or fentry "
				      "on its function", spec, BD_LOCKDOWN_FILE);
		err = bd_tp_format_resolve(d, f, group, name);
		if (err != -ENOENT)
			return err;
		return bd_err(d, -ENOENT, "tracepoint '%s': not in BTF (no typedef %s) nor in "
			      "tracefs (no events/%s/%s)", spec, buf, group, name);
	}
	t = btf__type_by_id(d->btf, td);
	t = btf__type_by_id(d->btf, t->type);	/* pointer to the proto */
	if (!t || !btf_is_ptr(t))
		return bd_err(d, -EINVAL, "tracepoint '%s': unexpected BTF for %s", spec, buf);
	f->attach_id = td;
	f->proto_id = t->type;
	/* the argument names live in the __bpf_trace_<name> wrapper */
	snprintf(buf, sizeof(buf), "__bpf_trace_%s", name);
	wrap = btf__find_by_name_kind(d->btf, buf, BTF_KIND_FUNC);
	return fill_args(f, d->btf, f->proto_id, d->btf,
			 wrap > 0 ? btf__type_by_id(d->btf, wrap)->type : 0, 1);
}

static void nearest_funcs(const struct btf *btf, const char *name, char *buf, size_t len)
{
	struct { const char *n; int s; } best[3] = { { NULL, 99 }, { NULL, 99 }, { NULL, 99 } };
	int cnt = btf__type_cnt(btf), i, k;
	size_t used = 0, nl = strlen(name);

	for (i = 1; i < cnt; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *fn;
		int s;

		if (!btf_is_func(t))
			continue;
		fn = btf__name_by_offset(btf, t->name_off);
		/* cheap filter before the edit distance */
		if (labs((long)strlen(fn) - (long)nl) > 3 && !strstr(fn, name))
			continue;
		s = strstr(fn, name) ? 1 + (int)(strlen(fn) - nl) / 4 : bd_edit_distance(name, fn);
		for (k = 0; k < 3; k++) {
			if (s < best[k].s) {
				memmove(&best[k + 1], &best[k], (2 - k) * sizeof(best[0]));
				best[k].n = fn;
				best[k].s = s;
				break;
			}
		}
	}
	buf[0] = '\0';
	for (k = 0; k < 3 && best[k].n && best[k].s <= 4; k++)
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s", k ? ", " : "",
				 best[k].n);
}

int bd_func_resolve(struct bpfdump *d, const char *spec, struct bd_func *f)
{
	char hint[256], path[300];
	size_t nl;
	struct dirent *e;
	DIR *dir;

	memset(f, 0, sizeof(*f));
	f->mod_btf_fd = -1;
	f->btf = d->btf;
	snprintf(f->name, sizeof(f->name), "%s", spec);
	if (!strncmp(spec, "tp:", 3)) {
		const char *c = strchr(spec + 3, ':');

		if (!c || !c[1])
			return bd_err(d, -EINVAL, "tracepoint '%s': write it tp:GROUP:NAME", spec);
		f->is_tp = true;
		return find_tracepoint(d, f, spec);
	}
	if (!find_in(f, d->btf, spec))
		return 0;
	/* module functions: in the module's split BTF */
	dir = opendir("/sys/kernel/btf");
	while (dir && (e = readdir(dir))) {
		struct btf *mb;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", e->d_name);
		mb = btf__parse_split(path, d->btf);
		if (!mb)
			continue;
		if (!find_in(f, mb, spec)) {
			f->mod_btf = mb;
			f->btf = mb;
			nl = strlen(e->d_name);
			if (nl >= sizeof(f->module))
				nl = sizeof(f->module) - 1;
			memcpy(f->module, e->d_name, nl);
			f->module[nl] = '\0';
			f->mod_btf_fd = module_btf_fd(e->d_name);
			closedir(dir);
			return 0;
		}
		btf__free(mb);
	}
	if (dir)
		closedir(dir);
	nearest_funcs(d->btf, spec, hint, sizeof(hint));
	return bd_err(d, -ENOENT, "function '%s': not in kernel BTF%s%s", spec,
		      hint[0] ? "; nearest: " : "", hint);
}

int bd_func_traceable(struct bpfdump *d, const char *name)
{
	const char *dir = bd_tracefs(d);
	size_t nl = strlen(name);
	char line[512], path[128];
	FILE *f;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/available_filter_functions", dir);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			/* "name" or "name [module]" */
			if (!strncmp(line, name, nl) && (line[nl] == '\n' || line[nl] == ' ')) {
				fclose(f);
				return 1;
			}
		}
		fclose(f);
		return 0;
	}
	return -errno;	/* unreadable (an LSM, a locked-down kernel): cannot tell */
}

static void print_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* why bd_func_traceable could not tell, for info's output */
static const char *traceable_unknown(int err, char *buf, size_t sz)
{
	if (err == -ENOENT)
		snprintf(buf, sz, "no tracefs: available_filter_functions not found");
	else
		snprintf(buf, sz, "available_filter_functions: %s", strerror(-err));
	return buf;
}

int bpfdump__func_info(struct bpfdump *d, const char *name, FILE *out,
		       const struct bpfdump_print_opts *opts)
{
	bool json = OPTS_GET(opts, format, BPFDUMP_FMT_TABLE) == BPFDUMP_FMT_JSON;
	struct bd_func f;
	char decl[256], ret[128], why[128];
	int i, err, traceable;

	if (!OPTS_OK(opts, bpfdump_print_opts))
		return bd_err(d, -EINVAL, "info: bad print options");
	err = bd_btf_ready(d);
	if (!err)
		err = bd_func_resolve(d, name, &f);
	if (err)
		return err;
	bd_type_decl(f.btf, f.ret_type, NULL, ret, sizeof(ret));
	if (!f.ret_type)
		snprintf(ret, sizeof(ret), "void");
	traceable = f.is_tp ? 1 : bd_func_traceable(d, name);
	if (json) {
		fprintf(out, "{\"name\":");
		print_json_str(out, name);
		fprintf(out, ",\"kind\":\"%s\",\"module\":", f.is_tp ? "tracepoint" : "function");
		print_json_str(out, f.module[0] ? f.module : "vmlinux");
		fprintf(out, ",\"return\":");
		print_json_str(out, f.is_tp ? "void" : ret);
		fprintf(out, ",\"args\":[");
		for (i = 0; i < f.nargs; i++) {
			bd_type_decl(f.btf, f.arg_types[i], NULL, decl, sizeof(decl));
			fprintf(out, "%s{\"name\":", i ? "," : "");
			print_json_str(out, f.arg_names[i]);
			fprintf(out, ",\"type\":");
			print_json_str(out, decl);
			fprintf(out, "}");
		}
		fprintf(out, "],\"traceable\":%s", traceable > 0 ? "true" :
			traceable == 0 ? "false" : "null");
		if (traceable < 0) {
			fprintf(out, ",\"traceable_unknown\":");
			print_json_str(out, traceable_unknown(traceable, why, sizeof(why)));
		}
		fprintf(out, "}\n");
	} else {
		if (f.is_tp)
			fprintf(out, "%s(", name);
		else
			fprintf(out, "%s%s%s(", ret, ret[strlen(ret) - 1] == '*' ? "" : " ", name);
		for (i = 0; i < f.nargs; i++) {
			bd_type_decl(f.btf, f.arg_types[i], f.arg_names[i], decl, sizeof(decl));
			fprintf(out, "%s%s", i ? ", " : "", decl);
		}
		fprintf(out, ");%s%s%s\n", f.module[0] ? "  /* module " : "", f.module,
			f.module[0] ? " */" : "");
		if (traceable == 0)
			fprintf(out, "/* not in available_filter_functions: inlined or notrace, "
				     "cannot be attached */\n");

	}
	bd_func_free(&f);
	return 0;
}
