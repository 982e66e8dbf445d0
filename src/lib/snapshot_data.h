/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What snapshot.c collects from the ring buffer and snapshot_print.c prints. */
#ifndef BPFDUMP_SNAPSHOT_DATA_H
#define BPFDUMP_SNAPSHOT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "snapshot.h"

struct snap_list {
	void **v;		/* copies of the records, in arrival order */
	size_t n, cap;
};

struct snap_data {
	int pid;
	unsigned int sections;	/* asked for (SNAP_SEC_*) */
	bool all_threads;
	bool data;		/* --data asked for: the queued data section is printed */
	bool data_files;	/* --data-dir: the bytes are in files, the output names them */
	struct snap_list recs[SNAP_REC_MAX + 1];
	struct snap_counters cnt;
	size_t ring_size;
	size_t bad_records;	/* malformed (short, unknown type): counted, not printed */
	bool oom;
	bool borrowed;		/* recs point into the ring buffer: not copied, not freed */
	long page_size;
};

/* snapshot.c: keep a checked record, a copy unless borrowed (malformed ones
 * counted in bad_records); free them all. */
void snap_data_add(struct snap_data *sd, const void *data, size_t size);
/* Drop the records (keeping the lists' memory), the counts and the flags. */
void snap_data_reset(struct snap_data *sd);
void snap_data_free(struct snap_data *sd);

/* --data: one buffer of a queue, the records [first, end) of SNAP_REC_QDATA
 * (its pieces; or one END record, the queue's summary), and what they say
 * together. */
struct snap_qbuf {
	size_t first, end;
	size_t len;		/* bytes in the pieces */
	bool torn, cut;
	__u32 skipped;
};

/* The buffer whose records start at i of l. */
void snap_qbuf_at(const struct snap_list *l, size_t i, struct snap_qbuf *b);

/* A queue's name: "receive", "send", "pipe". */
const char *snap_queue_name(__u16 queue);
/* --data-dir: the name of the file a queue's bytes go to, in dir: PID.FD.QUEUE */
void snap_qdata_file(const struct snap_data *sd, const struct snap_qdata *q, char *buf,
		     size_t len);
/* Write each queue's copied bytes (torn buffers left out) to its file in dir_fd,
 * made anew (an existing file is an error). -errno, with the file named in why. */
int snap_qdata_write(const struct snap_data *sd, int dir_fd, char *why, size_t why_len);

/* The names of section bits, in output order. */
extern const char *const snap_section_names[8];

/* snapshot_fmt.c: records decoded to text */
struct bd_path_out {
	char s[SNAP_PATH_MAX + 64];
};

struct snap_rlimit_name {
	const char *key;	/* JSON: "nofile" */
	const char *name;	/* as /proc/PID/limits: "Max open files" */
	const char *units;
};

extern const struct snap_rlimit_name snap_rlimits[SNAP_NR_RLIMITS];

/* v in base 8, 10 or 16, written at the end of buf: returns where it starts */
char *snap_utoa(unsigned long long v, unsigned int base, char buf[24]);
const char *snap_cap_name(int bit, char *buf, size_t len);
const char *snap_state(__u32 state, __u32 exit_state);
void snap_perms(__u64 flags, char out[5]);
void snap_file_path(const struct snap_file *f, struct bd_path_out *o);
const char *snap_file_kind(const struct snap_file *f, char *buf, size_t len);
const char *snap_file_type(__u32 i_mode);
void snap_vma_path(const struct snap_vma *v, struct bd_path_out *o);
const char *snap_vma_kind(__u32 kind);
const char *snap_family(__u16 f);
const char *snap_sock_type(__u16 family, __u16 t);
const char *snap_proto(const struct snap_sock *s, char *buf, size_t len);
const char *snap_sock_state(__u16 st);
void snap_sock_addr(const struct snap_sock *s, bool local, char *buf, size_t len);
void snap_sock_queues(const struct snap_sock *s, long long *rq, long long *wq);
const char *snap_ca_state(__u8 st);

/* snapshot_print.c */
int snap_print_text(const struct snap_data *sd, FILE *out);
/* Text output of several processes: the line naming the next one */
int snap_print_title(const struct snap_data *sd, FILE *out);
int snap_print_json(const struct snap_data *sd, FILE *out);

#endif
