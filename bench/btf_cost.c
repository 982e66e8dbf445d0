// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Where bpfdump's start-up goes, measured with libbpf alone: parse the vmlinux
 * BTF (btf__parse), then discover iterator targets the way src/lib/btf.c's
 * bd_targets_discover does (every FUNC bpf_iter_*, one btf__find_by_name_kind
 * of its bpf_iter__ ctx struct each), and the same discovery in one pass over
 * the types. Prints one JSON object (milliseconds, medians of -n runs).
 *
 *   btf_cost [-n RUNS] [BTF]
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 50

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* As bd_targets_discover: a linear name search per iterator function. */
static int discover_lookup(const struct btf *btf, int *funcs)
{
	int n = btf__type_cnt(btf), found = 0, i;
	char ctx[128];

	*funcs = 0;
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name = btf__name_by_offset(btf, t->name_off);

		if (!btf_is_func(t) || strncmp(name, "bpf_iter_", 9))
			continue;
		(*funcs)++;
		snprintf(ctx, sizeof(ctx), "bpf_iter__%s", name + 9);
		if (btf__find_by_name_kind(btf, ctx, BTF_KIND_STRUCT) > 0)
			found++;
	}
	return found;
}

/* One pass: collect the bpf_iter__ structs, then match the functions to them. */
static int discover_one_pass(const struct btf *btf)
{
	int n = btf__type_cnt(btf), nctx = 0, found = 0, i, j;
	const char *ctx[256];

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name;

		if (!btf_is_struct(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!strncmp(name, "bpf_iter__", 10) && nctx < 256)
			ctx[nctx++] = name + 10;
	}
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name;

		if (!btf_is_func(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (strncmp(name, "bpf_iter_", 9))
			continue;
		for (j = 0; j < nctx; j++)
			if (!strcmp(ctx[j], name + 9)) {
				found++;
				break;
			}
	}
	return found;
}

int main(int argc, char **argv)
{
	double parse[MAX_RUNS], lookup[MAX_RUNS], pass[MAX_RUNS];
	const char *path = "/sys/kernel/btf/vmlinux";
	int runs = 5, funcs = 0, targets = 0, targets2 = 0, types = 0, r, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else
			path = argv[i];
	}
	if (runs < 1 || runs > MAX_RUNS)
		runs = 5;
	for (r = 0; r < runs; r++) {
		double t0 = now_ms(), t1, t2;
		struct btf *btf = btf__parse(path, NULL);

		if (!btf) {
			perror("btf_cost: btf__parse");
			return 1;
		}
		t1 = now_ms();
		targets = discover_lookup(btf, &funcs);
		t2 = now_ms();
		targets2 = discover_one_pass(btf);
		pass[r] = now_ms() - t2;
		parse[r] = t1 - t0;
		lookup[r] = t2 - t1;
		types = btf__type_cnt(btf);
		btf__free(btf);
	}
	printf("{\"btf_types\":%d,\"iter_funcs\":%d,\"targets\":%d,\"targets_one_pass\":%d,"
	       "\"parse_ms\":%.2f,\"discover_lookup_ms\":%.2f,\"discover_one_pass_ms\":%.2f,"
	       "\"runs\":%d}\n", types, funcs, targets, targets2, median(parse, runs),
	       median(lookup, runs), median(pass, runs), runs);
	return 0;
}
