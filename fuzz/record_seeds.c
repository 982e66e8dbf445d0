// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Seeds for record_fuzz: runs every query of record_queries.h against the
 * running kernel (this loads and runs the iterator programs, as root), takes
 * the raw records (BPFDUMP_FMT_RECORDS) and writes up to PER_QUERY of them to
 * DIR/q<i>-<k>, each behind one byte: i, the harness's plan index.
 *
 *	clang -D_GNU_SOURCE -Iinclude -Isrc/lib -o build/fuzz/record_seeds \
 *		fuzz/record_seeds.c build/libbpfdump.a -lbpf -lelf -lz
 *	build/fuzz/record_seeds fuzz/corpus/record
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfdump.h"
#include "record_queries.h"

#define PER_QUERY 3
#define MAX_SEED 2048	/* bytes: keep the corpus small */

static int write_seed(const char *dir, int q, int k, const unsigned char *rec, size_t len)
{
	char path[4096];
	unsigned char idx = q;
	FILE *f;

	snprintf(path, sizeof(path), "%s/q%02d-%d", dir, q, k);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fwrite(&idx, 1, 1, f);
	fwrite(rec, 1, len, f);
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct bpfdump *d;
	size_t i;
	int written = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: record_seeds DIR\n");
		return 2;
	}
	d = bpfdump__new(NULL);
	if (!d)
		return 1;
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		BPFDUMP_OPTS(bpfdump_query_opts, qo, .target = queries[i].target,
			     .columns = queries[i].columns);
		BPFDUMP_OPTS(bpfdump_print_opts, po, .format = BPFDUMP_FMT_RECORDS);
		struct bpfdump_query *q = bpfdump_query__new(d, &qo);
		char *buf = NULL;
		size_t len = 0, off = 0, rows = 0, n = 0, pick;
		unsigned int rlen;
		FILE *f;
		int k = 0;

		if (!q) {
			fprintf(stderr, "query %zu (%s): %s\n", i, queries[i].target,
				bpfdump__errmsg(d));
			continue;
		}
		f = open_memstream(&buf, &len);
		if (f && bpfdump_query__print(q, f, &po) < 0)
			fprintf(stderr, "query %zu: %s\n", i, bpfdump__errmsg(d));
		if (f)
			fclose(f);
		for (off = 0; off + 4 <= len; off += rlen, rows++) {
			memcpy(&rlen, buf + off, 4);
			if (rlen < 8 || off + rlen > len)
				break;
		}
		/* the first, middle and last record no larger than MAX_SEED */
		for (off = 0; off + 4 <= len && k < PER_QUERY; off += rlen, n++) {
			memcpy(&rlen, buf + off, 4);
			if (rlen < 8 || off + rlen > len)
				break;
			pick = k == 0 ? 0 : k == 1 ? rows / 2 : rows - 1;
			if (n >= pick && rlen <= MAX_SEED && !write_seed(argv[1], i, k, (unsigned char *)buf + off, rlen)) {
				k++;
				written++;
			}
		}
		free(buf);
		bpfdump_query__free(q);
	}
	bpfdump__free(d);
	printf("%d seeds\n", written);
	return 0;
}
