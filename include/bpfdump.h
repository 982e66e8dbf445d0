/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libbpfdump: dump kernel objects through BPF iterators, with queries over
 * BTF-typed fields compiled to BPF instructions at run time.
 *
 * Every call returns 0 or a negative errno; constructors return NULL with
 * errno set. Nothing here keeps global state: everything lives in the
 * struct bpfdump made by bpfdump__new().
 */
#ifndef BPFDUMP_H
#define BPFDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>	/* memset, in BPFDUMP_OPTS */

#ifdef __cplusplus
extern "C" {
#endif

#define BPFDUMP_API __attribute__((visibility("default")))

/* Options structs grow at their end; sz tells the library how much the caller knows. */
#define BPFDUMP_OPTS(TYPE, NAME, ...)                                  \
	struct TYPE NAME = ({                                          \
		memset(&NAME, 0, sizeof(struct TYPE));                 \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ }; \
	})

enum bpfdump_log_level {
	BPFDUMP_WARN,
	BPFDUMP_INFO,
	BPFDUMP_DEBUG,
};

typedef void (*bpfdump_log_fn)(enum bpfdump_log_level level, const char *msg, void *ctx);

struct bpfdump_opts {
	size_t sz;
	const char *btf_path;	/* default: /sys/kernel/btf/vmlinux */
	bpfdump_log_fn log;	/* default: messages to stderr */
	void *log_ctx;
	enum bpfdump_log_level log_level;
	/* parse the kernel's BTF when a function first needs it, not in bpfdump__new
	 * (a snapshot on the kernel the library was built for needs none); until then
	 * bpfdump__target_cnt() is 0 */
	bool lazy_btf;
	size_t :0;
};
#define bpfdump_opts__last_field lazy_btf

struct bpfdump;

BPFDUMP_API struct bpfdump *bpfdump__new(const struct bpfdump_opts *opts);
BPFDUMP_API void bpfdump__free(struct bpfdump *d);

/* The calling thread's last error, one line (without "bpfdump: "), or "". Each
 * thread has its own: threads sharing a context do not see each other's. */
BPFDUMP_API const char *bpfdump__errmsg(const struct bpfdump *d);

/* Iterator targets of the running kernel, discovered from BTF, sorted by name. */
BPFDUMP_API int bpfdump__target_cnt(const struct bpfdump *d);
BPFDUMP_API const char *bpfdump__target_name(const struct bpfdump *d, int idx);

enum bpfdump_param {
	BPFDUMP_PARAM_TASK = 1 << 0,	/* --pid / --tid */
	BPFDUMP_PARAM_CGROUP = 1 << 1,	/* --cgroup PATH --order ORDER */
	BPFDUMP_PARAM_MAP = 1 << 2,	/* --map NAME|ID */
	BPFDUMP_PARAM_NETNS = 1 << 3,	/* --netns: the kernel walks one network namespace */
	BPFDUMP_PARAM_PIDNS = 1 << 4,	/* --pidns, --mntns, --cgroup: tasks of a container */
};
/* Which parameters a target takes (bit set of enum bpfdump_param), or -ENOENT. */
BPFDUMP_API int bpfdump__target_params(const struct bpfdump *d, const char *target);
struct bpfdump_print_opts;
/* Print a target's context members (with C types), parameters and default columns;
 * opts->format BPFDUMP_FMT_JSON: as one JSON object (NULL: text). */
BPFDUMP_API int bpfdump__describe_target(struct bpfdump *d, const char *target, FILE *out,
					 const struct bpfdump_print_opts *opts);

enum bpfdump_cgroup_order {
	BPFDUMP_ORDER_DEFAULT = 0,
	BPFDUMP_ORDER_SELF,
	BPFDUMP_ORDER_DESCENDANTS_PRE,
	BPFDUMP_ORDER_DESCENDANTS_POST,
	BPFDUMP_ORDER_ANCESTORS_UP,
};

enum bpfdump_format {
	BPFDUMP_FMT_TABLE = 0,
	BPFDUMP_FMT_JSON,	/* one JSON object per line */
	BPFDUMP_FMT_RECORDS,	/* raw binary records (what pinned dumpers emit) */
};

struct bpfdump_query_opts {
	size_t sz;
	const char *target;
	const char *columns;	/* -o: field list; NULL for the target's defaults */
	const char *where;	/* -w: predicate; NULL for none */
	int pid;		/* task targets: one process (0: all) */
	int tid;		/* task targets: one thread (0: all) */
	const char *cgroup;	/* cgroup target: where the walk starts (a cgroup2 directory);
				 * task targets: only tasks in that cgroup's subtree */
	enum bpfdump_cgroup_order order;
	const char *map;	/* map targets: map name or id */
	/* Containers: namespace files (/proc/PID/ns/net, /run/netns/NAME, ...). The
	 * iterator is created and read by a child that entered them, so the kernel's
	 * own namespace-aware walk does the filtering; a pinned dumper carries the
	 * scope as a predicate on the namespace's inode number instead. */
	const char *netns;	/* tcp, udp, unix, netlink, ipv6_route: that namespace only */
	const char *pidns;	/* task targets: its tasks; nspid()/nstgid() in its numbering,
				 * and the default pid columns use them */
	const char *mntns;	/* task targets: paths as seen from its root */
	size_t :0;
};
#define bpfdump_query_opts__last_field mntns

struct bpfdump_query;

/* Parse, type-check against BTF, generate and load the program. */
BPFDUMP_API struct bpfdump_query *bpfdump_query__new(struct bpfdump *d,
						     const struct bpfdump_query_opts *opts);
BPFDUMP_API void bpfdump_query__free(struct bpfdump_query *q);

/* Kernel addresses (pointers, hex() of 8-byte values in the kernel's half) in
 * printed rows: as /proc/kallsyms would show them to this process, or always, or
 * never (zeros of the same width). */
enum bpfdump_kaddrs {
	BPFDUMP_KADDR_AUTO = 0,
	BPFDUMP_KADDR_SHOW,
	BPFDUMP_KADDR_HIDE,
};

struct bpfdump_print_opts {
	size_t sz;
	enum bpfdump_format format;
	bool raw;		/* -r: no alignment, space-separated */
	bool noheadings;	/* -n */
	enum bpfdump_kaddrs kaddrs;
	size_t :0;
};
#define bpfdump_print_opts__last_field kaddrs

/* Attach, read everything, print rows to out. Returns the row count or -errno. */
BPFDUMP_API long bpfdump_query__print(struct bpfdump_query *q, FILE *out,
				      const struct bpfdump_print_opts *opts);

/*
 * Typed rows: each row's cells as values, streamed to a callback while the
 * iterator is read (no result is buffered). A cell carries its column's name,
 * a kind and the value; text is what `bpfdump dump` prints for it.
 */
enum bpfdump_cell_kind {
	BPFDUMP_CELL_INT = 1,	/* signed integer: v.i */
	BPFDUMP_CELL_UINT,	/* unsigned integer: v.u (pointers, hex(), counts) */
	BPFDUMP_CELL_STR,	/* text: v.str.s, v.str.len (names, paths, addresses) */
	BPFDUMP_CELL_BYTES,	/* raw bytes: v.str.s, v.str.len (hex(array), map data) */
};

struct bpfdump_cell {
	const char *name;	/* the column's name (its JSON key) */
	enum bpfdump_cell_kind kind;
	union {
		long long i;
		unsigned long long u;
		struct {
			const char *s;	/* STR: NUL-terminated; BYTES: not */
			size_t len;
		} str;
	} v;
	const char *text;	/* as dump prints it, NUL-terminated */
	size_t text_len;
	bool numeric;		/* text is a number (a JSON number in -J) */
};

/* Called once per row with cnt cells, valid only during the call. Return 0 to go
 * on, a positive value to stop reading (the call then returns the rows so far),
 * or a negative errno to fail the read with it. */
typedef int (*bpfdump_row_fn)(void *ctx, const struct bpfdump_cell *cells, int cnt);

struct bpfdump_rows_opts {
	size_t sz;
	enum bpfdump_kaddrs kaddrs;	/* kernel addresses in cells (see above) */
	bool no_number_text;	/* integer cells read straight from the record
				 * come with their value alone (text "", 0):
				 * for callers that keep values, not text */
	size_t :0;
};
#define bpfdump_rows_opts__last_field no_number_text

/* Attach, read, hand each row to fn. Returns the row count or -errno. */
BPFDUMP_API long bpfdump_query__rows(struct bpfdump_query *q, bpfdump_row_fn fn, void *ctx,
				     const struct bpfdump_rows_opts *opts);
/* The query's columns, as its cells will name them. */
BPFDUMP_API int bpfdump_query__column_cnt(const struct bpfdump_query *q);
BPFDUMP_API const char *bpfdump_query__column_name(const struct bpfdump_query *q, int idx);

struct bpfdump_sql_opts {
	size_t sz;
	const struct bpfdump_print_opts *print;	/* table, -J, -r, -n as for dump */
	bool no_pushdown;	/* SQLite evaluates every constraint (also: env
				 * BPFDUMP_SQL_PUSHDOWN=0) */
	size_t :0;
};
#define bpfdump_sql_opts__last_field no_pushdown

/* Run SQL over the iterator targets (one virtual table per target, built-in views)
 * and print each statement's rows to out. Returns the rows printed or -errno. */
BPFDUMP_API long bpfdump__sql(struct bpfdump *d, const char *sql, FILE *out,
			      const struct bpfdump_sql_opts *opts);
/* Built-in view idx: its name, and its SQL in *sql; NULL past the last. */
BPFDUMP_API const char *bpfdump_sql_view(int idx, const char **sql);

/* Attach and return an iterator link fd (for pinning); caller closes it. */
BPFDUMP_API int bpfdump_query__attach(struct bpfdump_query *q);

struct bpfdump_pin_opts {
	size_t sz;
	unsigned int mode;	/* file mode of the pins (0: bpffs default 0600) */
	int uid;		/* owner (0: the creator's) */
	int gid;		/* group (0: the creator's) */
	bool force;		/* replace an existing pin */
	size_t :0;
};
#define bpfdump_pin_opts__last_field force

/* Pin the query as a dumper at PATH (in bpffs): `cat PATH` prints its rows as
 * text written by the kernel; bpfdump__cat() reads them with full formatting. */
BPFDUMP_API int bpfdump_query__pin(struct bpfdump_query *q, const char *path,
				   const struct bpfdump_pin_opts *opts);

/* Read a dumper bpfdump pinned, formatting in user space. Returns rows or -errno. */
BPFDUMP_API long bpfdump__cat(struct bpfdump *d, const char *path, FILE *out,
			      const struct bpfdump_print_opts *opts);

struct bpfdump_remove_opts {
	size_t sz;
	bool force;		/* remove pins bpfdump did not make too */
	size_t :0;
};
#define bpfdump_remove_opts__last_field force

/* Remove a pinned dumper (and its twins); refuses other pins unless opts->force. */
BPFDUMP_API int bpfdump__remove(struct bpfdump *d, const char *path,
				const struct bpfdump_remove_opts *opts);

/* Print every pinned iterator link under root (NULL: every bpffs mount). */
BPFDUMP_API int bpfdump__show(struct bpfdump *d, const char *root, FILE *out,
			      const struct bpfdump_print_opts *opts);

struct bpfdump_object_opts {
	size_t sz;
	const struct bpfdump_query_opts *params; /* pid, tid, cgroup, order, map; target unused */
	const char *pin_path;	/* pin the iterator link here instead of reading it */
	const struct bpfdump_pin_opts *pin;
	int out_fd;		/* where the iterator's output goes (run) */
	/* A bpffs directory where the object's maps declared LIBBPF_PIN_BY_NAME are
	 * pinned, or reused when a map is pinned there already. NULL: no map of the
	 * object is pinned or reused anywhere (not even under /sys/fs/bpf). */
	const char *pin_maps;
	/* The iterator program to attach, by name; NULL: the object's only one (an
	 * object with several needs the name). */
	const char *prog;
	size_t :0;
};
#define bpfdump_object_opts__last_field prog

/* Load a user's .bpf.o, attach its iterator program, and read it to out_fd or pin it. */
BPFDUMP_API int bpfdump__run_object(struct bpfdump *d, const char *obj_path,
				    const struct bpfdump_object_opts *opts);

/* The verifier log of the last load, or "". */
BPFDUMP_API const char *bpfdump_query__verifier_log(const struct bpfdump_query *q);

/* The pid, in the caller's numbering, of process nspid of a pid namespace file
 * (/proc/PID/ns/pid): looked up by a child inside it. Returns it or -errno. */
BPFDUMP_API int bpfdump__pidns_pid(struct bpfdump *d, const char *pidns, int nspid);

/* Library version, "MAJOR.MINOR.PATCH". */
BPFDUMP_API const char *bpfdump_version(void);

#ifdef __cplusplus
}
#endif

#endif
