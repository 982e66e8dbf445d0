// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The snapshot's record checks and decoders, without the kernel: every record
 * type one byte short is refused, tails longer than the record are refused,
 * walked names become paths as /proc shows them, and a whole document prints. */
#include <stdlib.h>
#include <string.h>

#include "snapshot_data.h"
#include "test.h"

static size_t sizes[] = {
	[SNAP_REC_TASK] = sizeof(struct snap_task),
	[SNAP_REC_THREAD] = sizeof(struct snap_thread),
	[SNAP_REC_CREDS] = sizeof(struct snap_creds),
	[SNAP_REC_MM] = sizeof(struct snap_mm),
	[SNAP_REC_VMA] = sizeof(struct snap_vma),
	[SNAP_REC_FILE] = sizeof(struct snap_file),
	[SNAP_REC_SOCK] = sizeof(struct snap_sock),
	[SNAP_REC_CGROUP] = sizeof(struct snap_cgroup),
	[SNAP_REC_NS] = sizeof(struct snap_ns),
	[SNAP_REC_LIMITS] = sizeof(struct snap_limits),
};

/* a file record with names (leaf first) as the program writes them */
static struct snap_file *file_rec(char *buf, const char *names, size_t nlen, __u64 magic,
				  __u32 flags)
{
	struct snap_file *f = (void *)buf;

	memset(buf, 0, SNAP_TAIL_OFF + 512);
	f->h.type = SNAP_REC_FILE;
	f->h.len = SNAP_TAIL_OFF + nlen;
	f->path_len = nlen;
	f->path_flags = flags;
	f->magic = magic;
	f->ino = 4242;
	f->i_mode = 0100644;
	memcpy(buf + SNAP_TAIL_OFF, names, nlen);
	return f;
}

/* a queued data record: a piece of buffer idx of 5 bytes, or a queue's END */
static void qdata(struct snap_data *sd, __u32 fd, __u16 queue, __u32 idx, __u32 off,
		  const char *data, __u16 flags)
{
	static char rec[SNAP_QDATA_OFF + 16];
	struct snap_qdata *q = (void *)rec;
	size_t n = strlen(data);

	memset(rec, 0, sizeof(rec));
	q->h.type = SNAP_REC_QDATA;
	q->h.len = (flags & SNAP_QDATA_END) ? sizeof(*q) : SNAP_QDATA_OFF + n;
	q->fd = fd;
	q->queue = queue;
	q->flags = flags;
	q->index = idx;
	q->total = (flags & SNAP_QDATA_END) ? 5 * idx : 5;
	q->paged = q->total;
	q->off = off;
	q->len = n;
	memcpy(rec + SNAP_QDATA_OFF, data, n);
	snap_data_add(sd, rec, q->h.len);
}

int main(void)
{
	struct snap_data sd = { .pid = 7, .sections = SNAP_SEC_ALL, .page_size = 4096 };
	static char buf[SNAP_SCRATCH];
	struct bd_path_out p;
	struct snap_task *t;
	struct snap_file *f;
	char name[64], *doc;
	size_t i, len;
	FILE *mem;
	int err;

	for (i = 1; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct snap_hdr *h = (void *)buf;

		memset(buf, 0, sizeof(buf));
		h->type = i;
		h->len = sizes[i] - 1;
		snap_data_add(&sd, buf, sizes[i] - 1);
		snprintf(name, sizeof(name), "record type %zu one byte short is refused", i);
		ASSERT_EQ_INT(sd.bad_records, i, name);
	}
	memset(buf, 0, sizeof(buf));
	((struct snap_hdr *)buf)->type = 99;
	((struct snap_hdr *)buf)->len = 64;
	snap_data_add(&sd, buf, 64);
	ASSERT_EQ_INT(sd.bad_records, 11, "unknown record type is refused");
	f = file_rec(buf, "c\0b\0a", 6, 0, 0);
	f->path_len = 7;	/* one more than the record carries */
	snap_data_add(&sd, buf, f->h.len);
	ASSERT_EQ_INT(sd.bad_records, 12, "a path longer than its record is refused");
	f = file_rec(buf, "c\0b\0a", 6, 0, 0);
	snap_data_add(&sd, buf, f->h.len - 1);
	ASSERT_EQ_INT(sd.bad_records, 13, "a record longer than the ring's sample is refused");
	ASSERT_EQ_INT(sd.recs[SNAP_REC_FILE].n, 0, "nothing malformed was kept");

	f = file_rec(buf, "c\0b\0a", 6, 0, 0);
	snap_file_path(f, &p);
	ASSERT_STR_EQ(p.s, "/a/b/c", "names leaf first become /a/b/c (last name without its NUL)");
	f = file_rec(buf, "c\0b\0a", 6, 0, SNAP_PATH_DELETED);
	snap_file_path(f, &p);
	ASSERT_STR_EQ(p.s, "/a/b/c (deleted)", "an unlinked file ends in ' (deleted)'");
	f = file_rec(buf, "c\0b\0", 4, 0, SNAP_PATH_CUT);
	snap_file_path(f, &p);
	ASSERT_STR_EQ(p.s, ".../b/c", "a path cut at the depth limit starts with ...");
	f = file_rec(buf, "", 1, 0x50495045, SNAP_PATH_PSEUDO);
	snap_file_path(f, &p);
	ASSERT_STR_EQ(p.s, "pipe:[4242]", "pipefs: pipe:[ino]");
	f = file_rec(buf, "[eventpoll]", 12, 0x09041934, SNAP_PATH_PSEUDO);
	snap_file_path(f, &p);
	ASSERT_STR_EQ(p.s, "anon_inode:[eventpoll]", "anon inode: anon_inode:NAME");
	ASSERT_STR_EQ(snap_file_kind(f, name, sizeof(name)), "epoll", "[eventpoll] is an epoll fd");
	f = file_rec(buf, "[eventfd]", 10, 0x09041934, SNAP_PATH_PSEUDO);
	ASSERT_STR_EQ(snap_file_kind(f, name, sizeof(name)), "eventfd", "[eventfd] is an eventfd");
	f = file_rec(buf, "c\0\0a", 5, 0, 0);
	snap_file_path(f, &p);
	ASSERT_STR_EQ(p.s, "/a/c", "an empty name adds no slash");
	f = file_rec(buf, "x", 1, 0, 0);	/* a name without its NUL, at the very end */
	snap_file_path(f, &p);
	ASSERT_STR_EQ(p.s, "/x", "a last name without NUL stays inside the record");
	ASSERT_STR_EQ(snap_state(0, 0), "R (running)", "state 0 is R");
	ASSERT_STR_EQ(snap_state(1, 0), "S (sleeping)", "state 1 is S");
	ASSERT_STR_EQ(snap_state(0x402, 0), "I (idle)", "TASK_IDLE is I");
	ASSERT_STR_EQ(snap_state(0, 0x20), "Z (zombie)", "EXIT_ZOMBIE is Z");
	ASSERT_STR_EQ(snap_cap_name(21, name, sizeof(name)), "CAP_SYS_ADMIN", "capability 21");
	ASSERT_STR_EQ(snap_cap_name(40, name, sizeof(name)), "CAP_CHECKPOINT_RESTORE", "capability 40");
	ASSERT_STR_EQ(snap_cap_name(41, name, sizeof(name)), "cap_41", "an unknown capability bit");
	snap_perms(0x1 | 0x2 | 0x80, name);
	ASSERT_STR_EQ(name, "rw-s", "VM_MAYSHARE prints s");

	/* a whole document: one task, one file, printed both ways */
	t = (void *)buf;
	memset(buf, 0, sizeof(buf));
	t->h.type = SNAP_REC_TASK;
	t->h.len = sizeof(*t);
	t->pid = t->tgid = 7;
	t->leader = 1;
	t->present = SNAP_SEC_TASK | SNAP_SEC_FILES;
	memcpy(t->comm, "a\"b\x01", 4);	/* to be escaped */
	snap_data_add(&sd, buf, sizeof(*t));
	f = file_rec(buf, "c\0b\0a", 6, 0, 0);
	snap_data_add(&sd, buf, f->h.len);
	ASSERT_EQ_INT(sd.recs[SNAP_REC_FILE].n, 1, "a good file record is kept");
	mem = open_memstream(&doc, &len);
	err = snap_print_json(&sd, mem);
	fclose(mem);
	ASSERT_EQ_INT(err, 0, "JSON prints");
	ASSERT_TRUE(strstr(doc, "\"comm\":\"a\\\"b\\u0001\""), "JSON escapes quotes and control bytes");
	ASSERT_TRUE(strstr(doc, "\"path\":\"/a/b/c\""), "JSON has the file's path");
	ASSERT_TRUE(strstr(doc, "\"absent\":[\"creds\",\"memory\",\"sockets\",\"cgroups\","
			    "\"namespaces\",\"limits\"]"), "JSON names the absent sections");
	free(doc);
	mem = open_memstream(&doc, &len);
	err = snap_print_text(&sd, mem);
	fclose(mem);
	ASSERT_EQ_INT(err, 0, "report prints");
	ASSERT_TRUE(strstr(doc, "== task ==") && strstr(doc, "== files ==") && !strstr(doc, "== creds =="),
		    "report: the sections present, not the absent ones");
	free(doc);
	snap_data_free(&sd);

	/* queued data: a buffer's pieces joined, a torn buffer without bytes, the
	 * queues named, and why page bytes were not read */
	memset(&sd, 0, sizeof(sd));
	sd.pid = 7;
	sd.sections = SNAP_SEC_SOCKETS;
	sd.data = true;
	sd.page_size = 4096;
	sd.cnt.xlate = SNAP_XLATE_UNVERIFIED;
	t = (void *)buf;
	memset(buf, 0, sizeof(buf));
	t->h.type = SNAP_REC_TASK;
	t->h.len = sizeof(*t);
	t->pid = t->tgid = 7;
	t->leader = 1;
	t->present = SNAP_SEC_SOCKETS;
	snap_data_add(&sd, buf, sizeof(*t));
	qdata(&sd, 3, SNAP_Q_SEND, 0, 0, "abc", 0);
	qdata(&sd, 3, SNAP_Q_SEND, 0, 3, "de", 0);
	qdata(&sd, 3, SNAP_Q_SEND, 1, 0, "", SNAP_QDATA_END);
	qdata(&sd, 4, SNAP_Q_PIPE, 0, 0, "xyz", 0);
	qdata(&sd, 4, SNAP_Q_PIPE, 0, 3, "", SNAP_QDATA_TORN);
	qdata(&sd, 4, SNAP_Q_PIPE, 1, 0, "", SNAP_QDATA_END);
	ASSERT_EQ_INT(sd.recs[SNAP_REC_QDATA].n, 6, "queued data records are kept");
	mem = open_memstream(&doc, &len);
	err = snap_print_json(&sd, mem);
	fclose(mem);
	ASSERT_EQ_INT(err, 0, "JSON with queued data prints");
	ASSERT_TRUE(strstr(doc, "{\"fd\":3,\"queue\":\"send\",\"index\":0,\"bytes\":5,\"copied\":5,") &&
		    strstr(doc, "\"data\":\"YWJjZGU=\""), "JSON: a send buffer's two pieces joined");
	ASSERT_TRUE(strstr(doc, "\"queue\":\"pipe\",\"index\":0,\"bytes\":5,\"copied\":0,") &&
		    strstr(doc, "\"torn\":true") && !strstr(doc, "eHl6"),
		    "JSON: a torn pipe buffer: no bytes");
	ASSERT_TRUE(strstr(doc, "\"queued_not_read\":[\"the translation"),
		    "JSON: why page bytes were not read");
	free(doc);
	mem = open_memstream(&doc, &len);
	err = snap_print_text(&sd, mem);
	fclose(mem);
	ASSERT_EQ_INT(err, 0, "report with queued data prints");
	ASSERT_TRUE(strstr(doc, "fd 3 send #0: 5 bytes\n  00000000  61 62 63 64 65 "),
		    "report: the send buffer's hex dump");
	ASSERT_TRUE(strstr(doc, "fd 4 pipe #0: 5 bytes (changed while copied: not shown)\n"),
		    "report: the torn pipe buffer said");
	ASSERT_TRUE(strstr(doc, "not read: bytes in pages"), "report: why page bytes were not read");
	free(doc);
	snap_data_free(&sd);
	return test_summary();
}
