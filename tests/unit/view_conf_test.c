// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for view definitions (src/lib/view_conf.c): view names, the config path,
 * the cgroup scope, the config file's parser on files written here (values, escapes,
 * comments, CRLF; each malformed line refused with its line number), and remove/list,
 * whose rewritten file is read back. No root needed, no BTF parsed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "view_int.h"
#include "test.h"

static char dir[] = "/tmp/view_conf_test.XXXXXX";
static char path[256];
static char last_msg[512];

static void keep_msg(enum bpfdump_log_level level, const char *msg, void *ctx)
{
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

/* path: a views file holding text */
static void write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static void test_names(void)
{
	static const struct {
		const char *name;
		bool ok;
	} t[] = {
		{ "procs", true },	{ "my-view_2", true }, { "ns:a.b", true },
		{ "A9", true },		{ "", false },	       { ".hidden", false },
		{ "_x", false },	{ "-x", false },       { "x.json", false },
		{ "a/b", false },	{ "a b", false },      { "caf\xc3\xa9", false },
		{ "x\n", false },	{ "..", false },
	};
	char longest[BD_VIEW_NAME_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char name[96];

		snprintf(name, sizeof(name), "name: \"%s\" is %s", t[i].name,
			 t[i].ok ? "allowed" : "refused");
		for (char *p = name; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = '?';
		ASSERT_EQ_INT(bd_view_name_ok(t[i].name), t[i].ok, name);
	}
	memset(longest, 'a', sizeof(longest));
	longest[BD_VIEW_NAME_MAX - 1] = '\0';
	ASSERT_TRUE(bd_view_name_ok(longest), "name: 63 bytes allowed");
	longest[BD_VIEW_NAME_MAX - 1] = 'a';
	longest[BD_VIEW_NAME_MAX] = '\0';
	ASSERT_TRUE(!bd_view_name_ok(longest), "name: 64 bytes refused");
}

static void test_path_and_scope(void)
{
	struct bd_view task = { .name = "t", .target = "task" };
	struct bd_view cg = { .name = "c", .target = "cgroup" };
	char *s;
	int err;

	unsetenv("BPFDUMP_VIEWS");
	ASSERT_STR_EQ(bd_views_path(NULL), BPFDUMP_VIEWS_CONF, "path: default");
	ASSERT_STR_EQ(bd_views_path(""), BPFDUMP_VIEWS_CONF, "path: empty means default");
	setenv("BPFDUMP_VIEWS", "/x/env.conf", 1);
	ASSERT_STR_EQ(bd_views_path(NULL), "/x/env.conf", "path: $BPFDUMP_VIEWS");
	ASSERT_STR_EQ(bd_views_path("/x/given.conf"), "/x/given.conf",
		      "path: a given path wins over $BPFDUMP_VIEWS");
	unsetenv("BPFDUMP_VIEWS");

	s = bd_view_scope(&task, 4242, &err);
	ASSERT_STR_EQ(s, "task->cgroups->dfl_cgrp->kn->id == 4242",
		      "scope: a task view is scoped to the cgroup id");
	ASSERT_EQ_INT(err, 0, "scope: no error");
	free(s);
	s = bd_view_scope(&cg, 4242, &err);
	ASSERT_TRUE(s == NULL && err == 0, "scope: a cgroup view has none (the iterator's parameter)");
}

static void test_load(struct bpfdump *d)
{
	struct bd_views vs;
	const struct bd_view *v;
	int err;

	err = bd_views_load(d, path, 0440, &vs);
	ASSERT_EQ_INT(err, 0, "load: a missing file is no views");
	ASSERT_EQ_INT(vs.cnt, 2, "load: ... only the two built-in views");
	v = bd_views_find(&vs, "tasks");
	ASSERT_TRUE(v && v->builtin && v->mode == 0440 && v->uid == 0 && !strcmp(v->target, "task"),
		    "load: built-in 'tasks': target task, the mode given, root's");
	v = bd_views_find(&vs, "stat");
	ASSERT_TRUE(v && v->builtin && !strcmp(v->target, "cgroup"),
		    "load: built-in 'stat': target cgroup");
	bd_views_free(&vs);
	ASSERT_TRUE(vs.v == NULL && vs.cnt == 0, "load: free leaves an empty set");

	bd_views_load(d, path, 0, &vs);
	v = bd_views_find(&vs, "tasks");
	ASSERT_EQ_INT(v ? v->mode : 0, 0400, "load: built-in mode 0 means 0400");
	bd_views_free(&vs);

	write_conf("# a comment\n"
		   "\n"
		   "[big]\n"
		   "target=task\n"
		   "columns=pid=task->tgid,comm=task->comm\n"
		   "where=task->mm->total_vm > 1000\n"
		   "mode=0444\n"
		   "uid=1000\n"
		   "gid=100\n"
		   "\n"
		   "[esc]\r\n"
		   "target=task_file\r\n"
		   "columns=a\\nb\\\\c\r\n"
		   "pidns=/proc/1/ns/pid\r\n"
		   "target=task_vma\n");
	err = bd_views_load(d, path, 0, &vs);
	ASSERT_EQ_INT(err, 0, "load: a file of two views");
	ASSERT_EQ_INT(vs.cnt, 4, "load: ... after the two built-in ones");
	v = bd_views_find(&vs, "big");
	if (ASSERT_TRUE(v != NULL, "load: view 'big' found")) {
		ASSERT_STR_EQ(v->target, "task", "load: big: target");
		ASSERT_STR_EQ(v->columns, "pid=task->tgid,comm=task->comm",
			      "load: big: columns, '=' after the first kept");
		ASSERT_STR_EQ(v->where, "task->mm->total_vm > 1000", "load: big: where");
		ASSERT_EQ_INT(v->mode, 0444, "load: big: mode is octal");
		ASSERT_EQ_INT(v->uid, 1000, "load: big: uid");
		ASSERT_EQ_INT(v->gid, 100, "load: big: gid");
		ASSERT_TRUE(!v->builtin && !v->pidns, "load: big: not built in, no pidns");
	}
	v = bd_views_find(&vs, "esc");
	if (ASSERT_TRUE(v != NULL, "load: view 'esc' found (CRLF lines)")) {
		ASSERT_STR_EQ(v->columns, "a\nb\\c", "load: esc: \\n and \\\\ unescaped");
		ASSERT_STR_EQ(v->target, "task_vma", "load: esc: a repeated key: the last wins");
		ASSERT_STR_EQ(v->pidns, "/proc/1/ns/pid", "load: esc: pidns");
		ASSERT_EQ_INT(v->mode, 0400, "load: esc: mode defaults to 0400");
		ASSERT_TRUE(v->where == NULL, "load: esc: no where");
	}
	ASSERT_TRUE(bd_views_find(&vs, "nosuch") == NULL, "load: find of an unknown name: NULL");
	bd_views_free(&vs);
}

static void test_load_errors(struct bpfdump *d)
{
	static const struct {
		const char *text, *msg, *name;
	} t[] = {
		{ "target=task\n", "line 1: expected [NAME] or key=value",
		  "bad file: a key before any [NAME]" },
		{ "[a]\ntarget=task\njunk\n", "line 3: expected [NAME] or key=value",
		  "bad file: a line without '='" },
		{ "[.a]\n", "line 1: bad view name '.a'", "bad file: a bad view name" },
		{ "[a]\ntarget=task\ncolumns=x\nmode=0999\n", "line 4: bad 'mode'",
		  "bad file: mode not octal" },
		{ "[a]\nmode=010000\n", "line 2: bad 'mode'", "bad file: mode above 07777" },
		{ "[a]\nuid=4294967295\n", "line 2: bad 'uid'", "bad file: uid -1 refused" },
		{ "[a]\ngid=-1\n", "line 2: bad 'gid'", "bad file: negative gid refused" },
		{ "[a]\nuid=\n", "line 2: bad 'uid'", "bad file: empty uid refused" },
		{ "[a]\nuid=12x\n", "line 2: bad 'uid'", "bad file: uid with junk refused" },
		{ "[a]\ncolour=red\n", "line 2: bad 'colour'", "bad file: an unknown key" },
		{ "[a]\ntarget=task\n", "view 'a' lacks target= or columns=",
		  "bad file: a view without columns" },
		{ "[a]\ncolumns=x\n[b]\n", "view 'a' lacks target= or columns=",
		  "bad file: a view without target" },
		{ "[a]\ntarget=task\ncolumns=\n", "view 'a' lacks target= or columns=",
		  "bad file: empty columns" },
		{ "[a]\ntarget=task\ncolumns=x\n[a]\ntarget=task\ncolumns=y\n",
		  "view 'a' is defined twice", "bad file: a view defined twice" },
		{ "[tasks]\ntarget=task\ncolumns=x\n", "view 'tasks' is defined twice",
		  "bad file: a built-in view's name" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bd_views vs = { .cnt = 99 };
		char name[128];
		int err;

		write_conf(t[i].text);
		err = bd_views_load(d, path, 0, &vs);
		snprintf(name, sizeof(name), "%s: -EINVAL", t[i].name);
		ASSERT_EQ_INT(err, -EINVAL, name);
		snprintf(name, sizeof(name), "%s: the message says where", t[i].name);
		ASSERT_STR_CONTAINS(bpfdump__errmsg(d), t[i].msg, name);
		snprintf(name, sizeof(name), "%s: no views left allocated", t[i].name);
		ASSERT_TRUE(vs.v == NULL && vs.cnt == 0, name);
	}
}

/* bpfdump__view_list's JSON lines, as a malloc'd string; *ret its return */
static char *list_json(struct bpfdump *d, int *ret)
{
	BPFDUMP_OPTS(bpfdump_print_opts, po, .format = BPFDUMP_FMT_JSON);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	*ret = bpfdump__view_list(d, path, f, &po);
	fclose(f);
	return out;
}

static void test_remove_and_list(struct bpfdump *d)
{
	struct bd_views vs;
	const struct bd_view *v;
	struct stat st;
	char *out;
	int ret = -1;

	write_conf("[one]\ntarget=task\ncolumns=a\\nb\\\\c\nwhere=x > 1\nmode=0440\nuid=7\ngid=8\n"
		   "[two]\ntarget=cgroup\ncolumns=id=cgroup->kn->id\npidns=/p\n");
	out = list_json(d, &ret);
	ASSERT_EQ_INT(ret, 4, "list: returns the count, built-in views included");
	ASSERT_STR_CONTAINS(out,
			    "{\"name\":\"one\",\"target\":\"task\",\"mode\":\"0440\",\"owner\":"
			    "\"7:8\",\"builtin\":\"no\",\"columns\":\"a\\nb\\\\c\",\"where\":"
			    "\"x > 1\"}\n",
			    "list: a user view's row (mode, owner, escaped columns)");
	ASSERT_STR_CONTAINS(out, "{\"name\":\"tasks\",\"target\":\"task\",\"mode\":\"-\",\"owner\":"
				 "\"-\",\"builtin\":\"yes\"",
			    "list: a built-in view's row");
	free(out);

	ASSERT_EQ_INT(bpfdump__view_remove(d, path, "tasks"), -EPERM,
		      "remove: a built-in view is refused");
	ASSERT_EQ_INT(bpfdump__view_remove(d, path, "nosuch"), -ENOENT,
		      "remove: an unknown view is -ENOENT");
	ASSERT_STR_CONTAINS(bpfdump__errmsg(d), "no such view", "remove: ... and says so");
	ASSERT_EQ_INT(bpfdump__view_remove(d, path, "two"), 0, "remove: a user view");
	ASSERT_TRUE(!stat(path, &st) && (st.st_mode & 07777) == 0644,
		    "remove: the rewritten file is mode 0644");
	ASSERT_EQ_INT(bd_views_load(d, path, 0, &vs), 0, "remove: the rewritten file loads");
	ASSERT_EQ_INT(vs.cnt, 3, "remove: one user view is left");
	ASSERT_TRUE(bd_views_find(&vs, "two") == NULL, "remove: the removed view is gone");
	v = bd_views_find(&vs, "one");
	ASSERT_TRUE(v && !strcmp(v->columns, "a\nb\\c") && !strcmp(v->where, "x > 1") &&
			    v->mode == 0440 && v->uid == 7 && v->gid == 8,
		    "remove: the other view is written back whole (escapes, mode, owner)");
	bd_views_free(&vs);
	{
		char lock[300];

		snprintf(lock, sizeof(lock), "%s/.views.lock", dir);
		ASSERT_TRUE(!stat(lock, &st) && (st.st_mode & 0777) == 0600 &&
				    st.st_uid == geteuid(),
			    "remove: the lock file is ours, mode 0600");
	}
}

int main(void)
{
	BPFDUMP_OPTS(bpfdump_opts, o, .log = keep_msg, .lazy_btf = true);
	struct bpfdump *d;
	char cmd[300];
	int rc;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/views.conf", dir);
	d = bpfdump__new(&o);
	if (!ASSERT_TRUE(d != NULL, "context made (lazy BTF)"))
		return test_summary();
	test_names();
	test_path_and_scope();
	test_load(d);
	test_load_errors(d);
	test_remove_and_list(d);
	bpfdump__free(d);
	rc = test_summary();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "view_conf_test: cannot remove %s\n", dir);
	return rc;
}
