// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of the user-space formatter (src/lib/format.c) and the tables it
 * reads (names.c, formats.c): each format of the table against known values,
 * over a BTF built here (no kernel, no root). A typed column is formatted twice,
 * through its format and through the fast path bd_column_classify picks, and
 * both must give the same text. A failed check prints file, line, expected and
 * actual.
 */
#include <arpa/inet.h>
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats.h"
#include "internal.h"
#include "names.h"
#include "test.h"

static struct btf *btf;
static struct bd_plan plan;
static __u32 t_u8, t_u16, t_u32, t_s32, t_u64, t_bool, t_char, t_ptr, t_enum, t_senum, t_chars,
	t_bytes4, t_in6, t_be16, t_be32;

#define SLOT 8		/* the first access's slot in every record */
#define REC_LEN 2048

static bool fail_at(const char *file, int line, const char *name, const char *want, const char *got)
{
	printf("FAIL %s:%d: %s: expected \"%s\" got \"%s\"\n", file, line, name, want, got);
	return test_result(false, name);
}

#define EXPECT_STR(got, want, name) expect_str(__FILE__, __LINE__, (got), (want), (name))
static bool expect_str(const char *file, int line, const char *got, const char *want,
		       const char *name)
{
	if (!got || strcmp(got, want))
		return fail_at(file, line, name, want, got ? got : "(null)");
	return test_result(true, name);
}

#define EXPECT_INT(got, want, name) expect_int(__FILE__, __LINE__, (got), (want), (name))
static bool expect_int(const char *file, int line, long long got, long long want, const char *name)
{
	char g[32], w[32];

	if (got == want)
		return test_result(true, name);
	snprintf(g, sizeof(g), "%lld", got);
	snprintf(w, sizeof(w), "%lld", want);
	return fail_at(file, line, name, w, g);
}

static void col(struct bd_column *c, enum bd_fmt fmt, __u32 type, __u32 size, enum bd_fetch fetch)
{
	memset(c, 0, sizeof(*c));
	c->name = "x";
	c->fmt = fmt;
	c->acc_cnt = 1;
	c->acc[0].btf = btf;
	c->acc[0].type_id = type;
	c->acc[0].size = size;
	c->acc[0].slot_size = size;
	c->acc[0].slot_off = SLOT;
	c->acc[0].fetch = fetch;
}

/* A further access of a composite format, its slot at off. */
static void acc(struct bd_column *c, int i, __u32 type, __u32 size, __u32 off)
{
	c->acc_cnt = i + 1;
	c->acc[i].btf = btf;
	c->acc[i].type_id = type;
	c->acc[i].size = size;
	c->acc[i].slot_size = size;
	c->acc[i].slot_off = off;
	c->acc[i].fetch = BD_FETCH_SCALAR;
}

/* The cell's text and numeric flag; for a typed column, the fast path's too. */
#define EXPECT_CELL(c, rec, want, want_num, name) \
	expect_cell(__FILE__, __LINE__, (c), (rec), (want), (want_num), (name))
static void expect_cell(const char *file, int line, const struct bd_column *c, const __u8 *rec,
			const char *want, bool want_num, const char *name)
{
	struct bd_strbuf out = {};
	struct bd_column fast = *c;
	char n2[160];
	bool num = !want_num;
	int err;

	err = bd_format_cell(NULL, &plan, c, rec, REC_LEN, NULL, &out, &num);
	if (err) {
		char e[32];

		snprintf(e, sizeof(e), "error %d", err);
		fail_at(file, line, name, want, e);
	} else if (expect_str(file, line, out.s ? out.s : "", want, name)) {
		snprintf(n2, sizeof(n2), "%s: numeric", name);
		expect_int(file, line, num, want_num, n2);
	}
	bd_column_classify(&fast);
	if (fast.fast != BD_FAST_NONE) {
		snprintf(n2, sizeof(n2), "%s: fast path", name);
		err = bd_format_cell(NULL, &plan, &fast, rec, REC_LEN, NULL, &out, &num);
		if (err)
			fail_at(file, line, n2, want, "an error");
		else
			expect_str(file, line, out.s ? out.s : "", want, n2);
	}
	sb_free(&out);
}

static int make_btf(void)
{
	btf = btf__new_empty();
	if (!btf)
		return -1;
	t_u8 = btf__add_int(btf, "unsigned char", 1, 0);
	t_u16 = btf__add_int(btf, "short unsigned int", 2, 0);
	t_u32 = btf__add_int(btf, "unsigned int", 4, 0);
	t_s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	t_u64 = btf__add_int(btf, "long long unsigned int", 8, 0);
	t_bool = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	t_char = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	t_ptr = btf__add_ptr(btf, t_u32);
	t_enum = btf__add_enum(btf, "colour", 4);
	btf__add_enum_value(btf, "RED", 1);
	btf__add_enum_value(btf, "GREEN", 2);
	t_senum = btf__add_enum(btf, "level", 4);
	btf__add_enum_value(btf, "BELOW", -1);
	btf__add_enum_value(btf, "ZERO", 0);
	t_chars = btf__add_array(btf, t_u32, t_char, 8);
	t_bytes4 = btf__add_array(btf, t_u32, t_u8, 4);
	t_in6 = btf__add_struct(btf, "in6_addr", 16);
	t_be16 = btf__add_typedef(btf, "__be16", t_u16);
	t_be32 = btf__add_typedef(btf, "__be32", t_u32);
	return (int)t_be32 > 0 ? 0 : -1;
}

static void test_typed(void)
{
	static __u8 rec[REC_LEN];
	struct bd_column c;
	__u32 u32 = 12345;
	__s32 s32 = -5;
	__u64 u64 = 0xffff888012345678ULL;
	__u16 be16 = htons(8080);
	__u32 be32 = htonl(0x0a000001);
	static const __u8 v6[16] = { [15] = 1 };

	col(&c, BD_FMT_AUTO, t_u32, 4, BD_FETCH_SCALAR);
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_CELL(&c, rec, "12345", true, "auto: unsigned int");
	col(&c, BD_FMT_AUTO, t_s32, 4, BD_FETCH_SCALAR);
	memcpy(rec + SLOT, &s32, 4);
	EXPECT_CELL(&c, rec, "-5", true, "auto: int, sign extended");
	col(&c, BD_FMT_AUTO, t_u64, 8, BD_FETCH_SCALAR);
	memcpy(rec + SLOT, &u64, 8);
	EXPECT_CELL(&c, rec, "18446612682375452280", true, "auto: u64");
	col(&c, BD_FMT_AUTO, t_ptr, 8, BD_FETCH_SCALAR);
	EXPECT_CELL(&c, rec, "0xffff888012345678", false, "auto: pointer in hex");
	col(&c, BD_FMT_AUTO, t_bool, 1, BD_FETCH_SCALAR);
	rec[SLOT] = 1;
	EXPECT_CELL(&c, rec, "true", false, "auto: bool");
	col(&c, BD_FMT_AUTO, t_char, 1, BD_FETCH_SCALAR);
	rec[SLOT] = 'A';
	EXPECT_CELL(&c, rec, "A", false, "auto: char");
	rec[SLOT] = 1;
	EXPECT_CELL(&c, rec, "\\x01", false, "auto: control char as \\xNN");
	col(&c, BD_FMT_AUTO, t_enum, 4, BD_FETCH_SCALAR);
	u32 = 2;
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_CELL(&c, rec, "GREEN", false, "auto: enumerator by name");
	u32 = 7;
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_CELL(&c, rec, "7", true, "auto: enum value without a name");
	col(&c, BD_FMT_AUTO, t_chars, 8, BD_FETCH_BYTES);
	memcpy(rec + SLOT, "abc\0zzzz", 8);
	EXPECT_CELL(&c, rec, "abc", false, "auto: char array up to NUL");
	col(&c, BD_FMT_AUTO, t_be16, 2, BD_FETCH_SCALAR);
	memcpy(rec + SLOT, &be16, 2);
	EXPECT_CELL(&c, rec, "8080", true, "auto: __be16 in host order");
	col(&c, BD_FMT_AUTO, t_be32, 4, BD_FETCH_SCALAR);
	c.addr_hint = true;
	memcpy(rec + SLOT, &be32, 4);
	EXPECT_CELL(&c, rec, "10.0.0.1", false, "auto: __be32 address as a dotted quad");
	col(&c, BD_FMT_AUTO, t_in6, 16, BD_FETCH_BYTES);
	memcpy(rec + SLOT, v6, 16);
	EXPECT_CELL(&c, rec, "::1", false, "auto: in6_addr");
	col(&c, BD_FMT_AUTO, t_u32, 8, BD_FETCH_BITFIELD);
	u64 = 5;
	memcpy(rec + SLOT, &u64, 8);
	EXPECT_CELL(&c, rec, "5", true, "auto: bitfield");
	col(&c, BD_FMT_AUTO, t_char, 16, BD_FETCH_CSTR);
	memcpy(rec + SLOT, "hello\0", 6);
	EXPECT_CELL(&c, rec, "hello", false, "str(): string behind a char *");
}

/* bd_column_int and bd_column_enum_name: an aggregation key's number and its name */
static void test_column_int(void)
{
	static __u8 rec[REC_LEN];
	struct bd_strbuf sb = {};
	struct bd_column c;
	__u32 u32 = 2;
	__s32 s32 = -5;
	long long v = 0;

	col(&c, BD_FMT_AUTO, t_enum, 4, BD_FETCH_SCALAR);
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_INT(bd_column_int(&c, rec, REC_LEN, &v) ? v : -100, 2,
		   "column int: an enum's value");
	EXPECT_INT(bd_column_enum_name(&c, v, &sb), true, "enum name: GREEN's value has one");
	EXPECT_STR(sb.s, "GREEN", "enum name: the enumerator's");
	sb_reset(&sb);
	EXPECT_INT(bd_column_enum_name(&c, 7, &sb) || sb.len, false,
		   "enum name: a value without one, nothing appended");
	EXPECT_INT(bd_column_int(&c, rec, SLOT + 3, &v), false, "column int: a record too short");
	col(&c, BD_FMT_AUTO, t_senum, 4, BD_FETCH_SCALAR);
	u32 = 0xffffffff;
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_INT(bd_column_int(&c, rec, REC_LEN, &v) ? v : -100, -1,
		   "column int: a signed enum sign-extended");
	EXPECT_INT(bd_column_enum_name(&c, v, &sb), true, "enum name: a negative value's");
	EXPECT_STR(sb.s, "BELOW", "enum name: a negative value's, by name");
	sb_reset(&sb);
	col(&c, BD_FMT_AUTO, t_s32, 4, BD_FETCH_SCALAR);
	bd_column_classify(&c);
	memcpy(rec + SLOT, &s32, 4);
	EXPECT_INT(bd_column_int(&c, rec, REC_LEN, &v) ? v : -100, -5,
		   "column int: an int sign-extended");
	EXPECT_INT(bd_column_enum_name(&c, v, &sb), false, "enum name: none for an int");
	col(&c, BD_FMT_AUTO, t_u32, 4, BD_FETCH_SCALAR);
	bd_column_classify(&c);
	EXPECT_INT(bd_column_int(&c, rec, REC_LEN, &v) ? v : -100, 0xfffffffbLL,
		   "column int: an unsigned int as it is");
	col(&c, BD_FMT_AUTO, t_ptr, 8, BD_FETCH_SCALAR);
	bd_column_classify(&c);
	EXPECT_INT(bd_column_int(&c, rec, REC_LEN, &v), false, "column int: not a pointer");
	col(&c, BD_FMT_HEX, t_enum, 4, BD_FETCH_SCALAR);
	EXPECT_INT(bd_column_int(&c, rec, REC_LEN, &v) || bd_column_enum_name(&c, 2, &sb), false,
		   "column int: not an enum written hex(x)");
	sb_free(&sb);
}

static void test_hex_ip(void)
{
	static __u8 rec[REC_LEN];
	static const __u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static const __u8 v4[4] = { 192, 168, 1, 20 };
	struct bd_column c;
	__u32 u32 = 255;
	__u64 u64 = 0xab;

	col(&c, BD_FMT_HEX, t_u32, 4, BD_FETCH_SCALAR);
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_CELL(&c, rec, "0xff", false, "hex: a number");
	col(&c, BD_FMT_HEX, t_bytes4, 4, BD_FETCH_BYTES);
	memcpy(rec + SLOT, "\xde\xad\xbe\xef", 4);
	EXPECT_CELL(&c, rec, "deadbeef", false, "hex: an array's bytes in memory order");
	col(&c, BD_FMT_HEX, t_u32, 8, BD_FETCH_BITFIELD);
	memcpy(rec + SLOT, &u64, 8);
	EXPECT_CELL(&c, rec, "0xab", false, "hex: a bitfield");
	col(&c, BD_FMT_IP, t_be32, 4, BD_FETCH_SCALAR);
	memcpy(rec + SLOT, v4, 4);
	EXPECT_CELL(&c, rec, "192.168.1.20", false, "ip: IPv4");
	col(&c, BD_FMT_IP, t_in6, 16, BD_FETCH_BYTES);
	memcpy(rec + SLOT, v6, 16);
	EXPECT_CELL(&c, rec, "2001:db8::2", false, "ip: IPv6");
}

static void test_named(void)
{
	static __u8 rec[REC_LEN];
	static const struct { enum bd_fmt fmt; unsigned int v; const char *want; } cases[] = {
		{ BD_FMT_TCPSTATE, 1, "ESTAB" }, { BD_FMT_TCPSTATE, 2, "SYN-SENT" },
		{ BD_FMT_TCPSTATE, 6, "TIME-WAIT" }, { BD_FMT_TCPSTATE, 7, "UNCONN" },
		{ BD_FMT_TCPSTATE, 10, "LISTEN" }, { BD_FMT_TCPSTATE, 99, "99" },
		{ BD_FMT_FAMILY, 1, "unix" }, { BD_FMT_FAMILY, 2, "inet" },
		{ BD_FMT_FAMILY, 10, "inet6" }, { BD_FMT_FAMILY, 16, "netlink" },
		{ BD_FMT_FAMILY, 77, "77" },
		{ BD_FMT_VMFLAGS, 0x1 | 0x2 | 0x80, "rw-s" }, { BD_FMT_VMFLAGS, 0x1 | 0x4, "r-xp" },
		{ BD_FMT_VMFLAGS, 0x8, "---p" },
	};
	struct bd_column c;
	char name[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u64 v = cases[i].v;

		col(&c, cases[i].fmt, t_u64, 8, BD_FETCH_SCALAR);
		memcpy(rec + SLOT, &v, 8);
		snprintf(name, sizeof(name), "%s(%u) is %s", bd_formats[cases[i].fmt].name,
			 cases[i].v, cases[i].want);
		EXPECT_CELL(&c, rec, cases[i].want, false, name);
	}
}

static void test_composite(void)
{
	static __u8 rec[REC_LEN];
	static const struct { __u16 fam, type; const char *want; } st[] = {
		{ 1, 1, "u_str" }, { 1, 2, "u_dgr" }, { 1, 5, "u_seq" }, { 1, 3, "3" },
		{ 2, 1, "stream" }, { 2, 2, "dgram" }, { 10, 3, "raw" },
	};
	static const struct { __u32 state, exit_state; const char *want; } ts[] = {
		{ 0, 0, "R" }, { 0x1, 0, "S" }, { 0x2, 0, "D" }, { 0x104, 0, "T" },
		{ 0x8, 0, "t" }, { 0, 0x10, "X" }, { 0x1, 0x20, "Z" }, { 0x40, 0, "P" },
		{ 0x402, 0, "I" }, { 0x1000, 0, "D" },
	};
	static const __u8 v4[4] = { 127, 0, 0, 1 };
	static const __u8 v6[16] = { [15] = 1 };
	long page = sysconf(_SC_PAGESIZE);
	struct bd_column c;
	char name[96], want[32];
	__u64 u64;
	__u32 u32;
	__s32 s32;
	__u16 u16;
	size_t i;

	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		col(&c, BD_FMT_SOCKTYPE, t_u16, 2, BD_FETCH_SCALAR);
		acc(&c, 1, t_u16, 2, 16);
		memcpy(rec + SLOT, &st[i].fam, 2);
		memcpy(rec + 16, &st[i].type, 2);
		snprintf(name, sizeof(name), "socktype(family %u, type %u) is %s", st[i].fam,
			 st[i].type, st[i].want);
		EXPECT_CELL(&c, rec, st[i].want, false, name);
	}
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		col(&c, BD_FMT_TASKSTATE, t_u32, 4, BD_FETCH_SCALAR);
		acc(&c, 1, t_u32, 4, 16);
		memcpy(rec + SLOT, &ts[i].state, 4);
		memcpy(rec + 16, &ts[i].exit_state, 4);
		snprintf(name, sizeof(name), "taskstate(0x%x, 0x%x) is %s", ts[i].state,
			 ts[i].exit_state, ts[i].want);
		EXPECT_CELL(&c, rec, ts[i].want, false, name);
	}

	/* nspid: the number at the --pidns level, 0 above it */
	plan.pidns_level = 1;
	col(&c, BD_FMT_NSPID, t_u32, 4, BD_FETCH_SCALAR);
	acc(&c, 1, t_s32, 4, 16);
	u32 = 2;
	s32 = 42;
	memcpy(rec + SLOT, &u32, 4);
	memcpy(rec + 16, &s32, 4);
	EXPECT_CELL(&c, rec, "42", true, "nspid: the number at the level");
	u32 = 0;
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_CELL(&c, rec, "0", true, "nspid: 0 when the task sits above the level");
	plan.pidns_level = 0;

	/* laddr(): family, v4, v6 */
	col(&c, BD_FMT_SOCKADDR, t_u16, 2, BD_FETCH_SCALAR);
	acc(&c, 1, t_be32, 4, 16);
	acc(&c, 2, t_in6, 16, 24);
	memcpy(rec + 16, v4, 4);
	memcpy(rec + 24, v6, 16);
	u16 = 2;
	memcpy(rec + SLOT, &u16, 2);
	EXPECT_CELL(&c, rec, "127.0.0.1", false, "laddr: inet");
	u16 = 10;
	memcpy(rec + SLOT, &u16, 2);
	EXPECT_CELL(&c, rec, "::1", false, "laddr: inet6");
	u16 = 1;
	memcpy(rec + SLOT, &u16, 2);
	EXPECT_CELL(&c, rec, "", false, "laddr: empty for unix");

	/* sunpath(): addr->len counts sun_family's two bytes */
	col(&c, BD_FMT_SUNPATH, t_u32, 4, BD_FETCH_SCALAR);
	acc(&c, 1, t_chars, 108, 16);
	memset(rec + 16, 0, 108);
	memcpy(rec + 16, "/run/x.sock", 11);
	u32 = 2 + 12;
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_CELL(&c, rec, "/run/x.sock", false, "sunpath: a bound path");
	memcpy(rec + 16, "\0abstract", 9);
	u32 = 2 + 9;
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_CELL(&c, rec, "@abstract", false, "sunpath: abstract as @name");
	u32 = 2;
	memcpy(rec + SLOT, &u32, 4);
	EXPECT_CELL(&c, rec, "", false, "sunpath: unbound");

	/* fileoff(): bytes for a file mapping, 0 for an anonymous one */
	col(&c, BD_FMT_FILEOFF, t_u64, 8, BD_FETCH_SCALAR);
	acc(&c, 1, t_ptr, 8, 16);
	u64 = 3;
	memcpy(rec + SLOT, &u64, 8);
	u64 = 0xffff888000001000ULL;
	memcpy(rec + 16, &u64, 8);
	snprintf(want, sizeof(want), "0x%lx", 3 * page);
	EXPECT_CELL(&c, rec, want, false, "fileoff: vm_pgoff 3 in bytes");
	u64 = 0;
	memcpy(rec + 16, &u64, 8);
	EXPECT_CELL(&c, rec, "0x0", false, "fileoff: 0 without vm_file");

	/* map data without BTF: spaced hex bytes */
	col(&c, BD_FMT_MAPDATA, t_bytes4, 3, BD_FETCH_BYTES);
	memcpy(rec + SLOT, "\x01\x02\xff", 3);
	EXPECT_CELL(&c, rec, "01 02 ff", false, "map data without BTF as hex bytes");
}

static void test_dwalk(void)
{
	static __u8 rec[REC_LEN];
	struct bd_column c;
	__u32 levels = 2, nlink = 1;
	__u8 *v = rec + SLOT;

	col(&c, BD_FMT_PATH, t_u64, BD_DWALK_SLOT, BD_FETCH_DWALK);
	memset(v, 0, BD_DWALK_SLOT);
	memcpy(v, &levels, 4);
	memcpy(v + 4, &nlink, 4);
	strcpy((char *)v + BD_DWALK_HDR, "b");		/* the leaf first */
	strcpy((char *)v + BD_DWALK_HDR + BD_DWALK_COMP, "a");
	EXPECT_CELL(&c, rec, "/a/b", false, "walked path: names leaf first");
	nlink = 0;
	memcpy(v + 4, &nlink, 4);
	EXPECT_CELL(&c, rec, "/a/b (deleted)", false, "walked path: unlinked as (deleted)");
}

static void test_tables(void)
{
	long long v = -1;
	char perms[5];
	int i;

	for (i = 0; i < BD_FMT_CNT; i++) {
		char name[64];

		snprintf(name, sizeof(name), "format %d has a name and both forms", i);
		ASSERT_TRUE(bd_formats[i].name && bd_formats[i].put && bd_formats[i].emit, name);
	}
	EXPECT_STR(bd_name_of(&bd_tcp_states, 1), "ESTAB", "names: TCP_ESTABLISHED is ss's ESTAB");
	EXPECT_STR(bd_family_name(10), "inet6", "names: AF_INET6 is inet6");
	EXPECT_STR(bd_sock_type_name(1, 2), "u_dgr", "names: a unix dgram socket is u_dgr");
	EXPECT_STR(bd_sock_type_name(2, 5), "seqpacket", "names: SOCK_SEQPACKET of inet");
	ASSERT_TRUE(!bd_name_of(&bd_tcp_states, 200), "names: an unknown state has no name");
	ASSERT_TRUE(bd_const_value("TCP_LISTEN", &v) && v == 10, "consts: TCP_LISTEN is 10");
	ASSERT_TRUE(bd_const_value("AF_INET6", &v) && v == 10, "consts: AF_INET6 is 10");
	ASSERT_TRUE(bd_const_value("TASK_IDLE", &v) && v == 0x402, "consts: TASK_IDLE is 0x402");
	ASSERT_TRUE(bd_const_value("O_CLOEXEC", &v) && v == 02000000, "consts: O_CLOEXEC");
	ASSERT_TRUE(bd_const_value("VM_MAYSHARE", &v) && v == 0x80, "consts: VM_MAYSHARE");
	ASSERT_TRUE(!bd_const_value("ESTAB", &v), "consts: a display name is no constant");
	EXPECT_STR(bd_task_state(0x1, 0)->desc, "S (sleeping)", "task state: /proc/PID/status form");
	EXPECT_STR(bd_task_state(0x402, 0)->desc, "I (idle)", "task state: TASK_IDLE");
	bd_vm_perms(0x1 | 0x2 | 0x8, perms);
	EXPECT_STR(perms, "rw-p", "vm perms: VM_SHARED alone is p (maps shows VM_MAYSHARE)");
}

int main(void)
{
	if (make_btf()) {
		printf("FAIL format_test: cannot build a BTF\n");
		return 1;
	}
	test_typed();
	test_column_int();
	test_hex_ip();
	test_named();
	test_composite();
	test_dwalk();
	test_tables();
	btf__free(btf);
	return test_summary();
}
