// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The last error message is the calling thread's: two threads sharing one context
 * fail in turn, and each reads back its own message (the view daemon's case).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bpfdump.h"
#include "test.h"

static struct bpfdump *d;
static pthread_barrier_t failed_a, failed_b;
static char got_a[512], got_b[512];

static void *thread_a(void *arg)
{
	bpfdump__cat(d, "/nonexistent-thread-a", NULL, NULL);
	pthread_barrier_wait(&failed_a);	/* b fails now */
	pthread_barrier_wait(&failed_b);
	snprintf(got_a, sizeof(got_a), "%s", bpfdump__errmsg(d));
	return NULL;
}

static void *thread_b(void *arg)
{
	pthread_barrier_wait(&failed_a);
	bpfdump__cat(d, "/nonexistent-thread-b", NULL, NULL);
	pthread_barrier_wait(&failed_b);
	snprintf(got_b, sizeof(got_b), "%s", bpfdump__errmsg(d));
	return NULL;
}

int main(void)
{
	BPFDUMP_OPTS(bpfdump_opts, o, .lazy_btf = true);
	pthread_t a, b;

	d = bpfdump__new(&o);
	if (!d) {
		printf("skip errmsg: bpfdump__new: %s\n", strerror(errno));
		return 77;
	}
	pthread_barrier_init(&failed_a, NULL, 2);
	pthread_barrier_init(&failed_b, NULL, 2);
	pthread_create(&a, NULL, thread_a, NULL);
	pthread_create(&b, NULL, thread_b, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	ASSERT_STR_CONTAINS(got_a, "nonexistent-thread-a", "errmsg: thread a reads its own error");
	ASSERT_STR_CONTAINS(got_b, "nonexistent-thread-b", "errmsg: thread b reads its own error");
	ASSERT_STR_EQ(bpfdump__errmsg(d), "", "errmsg: the main thread has none");
	bpfdump__free(d);
	return test_summary();
}
