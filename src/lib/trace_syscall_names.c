// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The names of syscall values the kernel has only as macros (uapi #defines, no
 * BTF): errno, open's O_* flags, the *at() AT_* values, mmap's PROT_* and MAP_*,
 * access's mode. One table each, here only; trace_syscall.c uses them to print
 * values symbolically and to turn names in a SPEC into numbers. Values are the
 * x86_64 (asm-generic) ones.
 */
#include <stddef.h>

#include "trace_syscall.h"

/* errno: the kernel's uapi/asm-generic/errno*.h, then the restart codes a
 * syscall's exit can show when a signal interrupted it (include/linux/errno.h) */
static const char *const errno_names[] = {
	[1] = "EPERM",
	[2] = "ENOENT",
	[3] = "ESRCH",
	[4] = "EINTR",
	[5] = "EIO",
	[6] = "ENXIO",
	[7] = "E2BIG",
	[8] = "ENOEXEC",
	[9] = "EBADF",
	[10] = "ECHILD",
	[11] = "EAGAIN",
	[12] = "ENOMEM",
	[13] = "EACCES",
	[14] = "EFAULT",
	[15] = "ENOTBLK",
	[16] = "EBUSY",
	[17] = "EEXIST",
	[18] = "EXDEV",
	[19] = "ENODEV",
	[20] = "ENOTDIR",
	[21] = "EISDIR",
	[22] = "EINVAL",
	[23] = "ENFILE",
	[24] = "EMFILE",
	[25] = "ENOTTY",
	[26] = "ETXTBSY",
	[27] = "EFBIG",
	[28] = "ENOSPC",
	[29] = "ESPIPE",
	[30] = "EROFS",
	[31] = "EMLINK",
	[32] = "EPIPE",
	[33] = "EDOM",
	[34] = "ERANGE",
	[35] = "EDEADLK",
	[36] = "ENAMETOOLONG",
	[37] = "ENOLCK",
	[38] = "ENOSYS",
	[39] = "ENOTEMPTY",
	[40] = "ELOOP",
	[42] = "ENOMSG",
	[43] = "EIDRM",
	[44] = "ECHRNG",
	[45] = "EL2NSYNC",
	[46] = "EL3HLT",
	[47] = "EL3RST",
	[48] = "ELNRNG",
	[49] = "EUNATCH",
	[50] = "ENOCSI",
	[51] = "EL2HLT",
	[52] = "EBADE",
	[53] = "EBADR",
	[54] = "EXFULL",
	[55] = "ENOANO",
	[56] = "EBADRQC",
	[57] = "EBADSLT",
	[59] = "EBFONT",
	[60] = "ENOSTR",
	[61] = "ENODATA",
	[62] = "ETIME",
	[63] = "ENOSR",
	[64] = "ENONET",
	[65] = "ENOPKG",
	[66] = "EREMOTE",
	[67] = "ENOLINK",
	[68] = "EADV",
	[69] = "ESRMNT",
	[70] = "ECOMM",
	[71] = "EPROTO",
	[72] = "EMULTIHOP",
	[73] = "EDOTDOT",
	[74] = "EBADMSG",
	[75] = "EOVERFLOW",
	[76] = "ENOTUNIQ",
	[77] = "EBADFD",
	[78] = "EREMCHG",
	[79] = "ELIBACC",
	[80] = "ELIBBAD",
	[81] = "ELIBSCN",
	[82] = "ELIBMAX",
	[83] = "ELIBEXEC",
	[84] = "EILSEQ",
	[85] = "ERESTART",
	[86] = "ESTRPIPE",
	[87] = "EUSERS",
	[88] = "ENOTSOCK",
	[89] = "EDESTADDRREQ",
	[90] = "EMSGSIZE",
	[91] = "EPROTOTYPE",
	[92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT",
	[94] = "ESOCKTNOSUPPORT",
	[95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT",
	[97] = "EAFNOSUPPORT",
	[98] = "EADDRINUSE",
	[99] = "EADDRNOTAVAIL",
	[100] = "ENETDOWN",
	[101] = "ENETUNREACH",
	[102] = "ENETRESET",
	[103] = "ECONNABORTED",
	[104] = "ECONNRESET",
	[105] = "ENOBUFS",
	[106] = "EISCONN",
	[107] = "ENOTCONN",
	[108] = "ESHUTDOWN",
	[109] = "ETOOMANYREFS",
	[110] = "ETIMEDOUT",
	[111] = "ECONNREFUSED",
	[112] = "EHOSTDOWN",
	[113] = "EHOSTUNREACH",
	[114] = "EALREADY",
	[115] = "EINPROGRESS",
	[116] = "ESTALE",
	[117] = "EUCLEAN",
	[118] = "ENOTNAM",
	[119] = "ENAVAIL",
	[120] = "EISNAM",
	[121] = "EREMOTEIO",
	[122] = "EDQUOT",
	[123] = "ENOMEDIUM",
	[124] = "EMEDIUMTYPE",
	[125] = "ECANCELED",
	[126] = "ENOKEY",
	[127] = "EKEYEXPIRED",
	[128] = "EKEYREVOKED",
	[129] = "EKEYREJECTED",
	[130] = "EOWNERDEAD",
	[131] = "ENOTRECOVERABLE",
	[132] = "ERFKILL",
	[133] = "EHWPOISON",
};

static const struct { int e; const char *name; } kernel_errnos[] = {
	{ 512, "ERESTARTSYS" }, { 513, "ERESTARTNOINTR" }, { 514, "ERESTARTNOHAND" },
	{ 515, "ENOIOCTLCMD" }, { 516, "ERESTART_RESTARTBLOCK" }, { 517, "EPROBE_DEFER" },
	{ 518, "EOPENSTALE" }, { 519, "ENOPARAM" }, { 521, "EBADHANDLE" },
	{ 522, "ENOTSYNC" }, { 523, "EBADCOOKIE" }, { 524, "ENOTSUPP" },
	{ 525, "ETOOSMALL" }, { 526, "ESERVERFAULT" }, { 527, "EBADTYPE" },
	{ 528, "EJUKEBOX" }, { 529, "EIOCBQUEUED" }, { 530, "ERECALLCONFLICT" },
};

const char *bd_sc_errno_name(long e)
{
	size_t i;

	if (e > 0 && e < (long)(sizeof(errno_names) / sizeof(errno_names[0])) && errno_names[e])
		return errno_names[e];
	for (i = 0; i < sizeof(kernel_errnos) / sizeof(kernel_errnos[0]); i++)
		if (kernel_errnos[i].e == e)
			return kernel_errnos[i].name;
	return NULL;
}

/* open(2) flags (asm-generic/fcntl.h); the access mode is the low two bits */
static const struct bd_sc_name open_flags[] = {
	{ "O_CREAT", 0100 }, { "O_EXCL", 0200 }, { "O_NOCTTY", 0400 }, { "O_TRUNC", 01000 },
	{ "O_TMPFILE", 020200000 },	/* before O_DIRECTORY, a part of it */
	{ "O_APPEND", 02000 }, { "O_NONBLOCK", 04000 }, { "O_SYNC", 04010000 },
	{ "O_DSYNC", 010000 }, { "O_ASYNC", 020000 }, { "O_DIRECT", 040000 },
	{ "O_LARGEFILE", 0100000 }, { "O_DIRECTORY", 0200000 }, { "O_NOFOLLOW", 0400000 },
	{ "O_NOATIME", 01000000 }, { "O_CLOEXEC", 02000000 }, { "O_PATH", 010000000 },
	{ NULL, 0 }
};
static const struct bd_sc_name open_modes[] = {
	{ "O_RDONLY", 0 }, { "O_WRONLY", 1 }, { "O_RDWR", 2 }, { NULL, 0 }
};
/* the *at() calls' flags (uapi/linux/fcntl.h) */
static const struct bd_sc_name at_flags[] = {
	{ "AT_SYMLINK_NOFOLLOW", 0x100 }, { "AT_REMOVEDIR", 0x200 },
	{ "AT_SYMLINK_FOLLOW", 0x400 }, { "AT_NO_AUTOMOUNT", 0x800 },
	{ "AT_EMPTY_PATH", 0x1000 }, { "AT_STATX_FORCE_SYNC", 0x2000 },
	{ "AT_STATX_DONT_SYNC", 0x4000 }, { "AT_RECURSIVE", 0x8000 }, { NULL, 0 }
};
static const struct bd_sc_name faccess_flags[] = {
	{ "AT_EACCESS", 0x200 }, { "AT_SYMLINK_NOFOLLOW", 0x100 },
	{ "AT_EMPTY_PATH", 0x1000 }, { NULL, 0 }
};
/* mmap(2), mprotect(2) (asm-generic/mman-common.h, mman.h) */
static const struct bd_sc_name prot_flags[] = {
	{ "PROT_READ", 1 }, { "PROT_WRITE", 2 }, { "PROT_EXEC", 4 }, { "PROT_SEM", 8 },
	{ "PROT_GROWSDOWN", 0x01000000 }, { "PROT_GROWSUP", 0x02000000 }, { NULL, 0 }
};
static const struct bd_sc_name map_types[] = {
	{ "MAP_SHARED", 1 }, { "MAP_PRIVATE", 2 }, { "MAP_SHARED_VALIDATE", 3 }, { NULL, 0 }
};
static const struct bd_sc_name map_flags[] = {
	{ "MAP_FIXED", 0x10 }, { "MAP_ANONYMOUS", 0x20 }, { "MAP_32BIT", 0x40 },
	{ "MAP_GROWSDOWN", 0x100 }, { "MAP_DENYWRITE", 0x800 }, { "MAP_EXECUTABLE", 0x1000 },
	{ "MAP_LOCKED", 0x2000 }, { "MAP_NORESERVE", 0x4000 }, { "MAP_POPULATE", 0x8000 },
	{ "MAP_NONBLOCK", 0x10000 }, { "MAP_STACK", 0x20000 }, { "MAP_HUGETLB", 0x40000 },
	{ "MAP_SYNC", 0x80000 }, { "MAP_FIXED_NOREPLACE", 0x100000 }, { NULL, 0 }
};
/* access(2) */
static const struct bd_sc_name access_modes[] = {
	{ "R_OK", 4 }, { "W_OK", 2 }, { "X_OK", 1 }, { "F_OK", 0 }, { NULL, 0 }
};
/* single values, for a whole argument (AT_FDCWD) or a SPEC's names */
static const struct bd_sc_name at_fdcwd[] = { { "AT_FDCWD", -100 }, { NULL, 0 } };
/* socket(2)'s type: an enum sock_type (BTF) and these flags */
static const struct bd_sc_name sock_flags[] = {
	{ "SOCK_NONBLOCK", 04000 }, { "SOCK_CLOEXEC", 02000000 }, { NULL, 0 }
};

/*
 * How each argument prints: by syscall (NULL: any) and argument name. The
 * first match wins; an argument in none prints as a number. Kernel enums
 * (bpf's cmd) are named by BTF, in trace_syscall.c.
 */
const struct bd_sc_arg bd_sc_args[] = {
	{ NULL, "fd", BD_SC_FD, NULL },
	{ NULL, "dfd", BD_SC_FD, at_fdcwd },
	{ NULL, "olddfd", BD_SC_FD, at_fdcwd },
	{ NULL, "newdfd", BD_SC_FD, at_fdcwd },
	{ NULL, "fromfd", BD_SC_FD, at_fdcwd },
	{ NULL, "tofd", BD_SC_FD, at_fdcwd },
	{ "open", "flags", BD_SC_OPEN_FLAGS, open_flags },
	{ "openat", "flags", BD_SC_OPEN_FLAGS, open_flags },
	{ "open_by_handle_at", "flags", BD_SC_OPEN_FLAGS, open_flags },
	{ "open", "mode", BD_SC_OCTAL, NULL },
	{ "openat", "mode", BD_SC_OCTAL, NULL },
	{ "creat", "mode", BD_SC_OCTAL, NULL },
	{ "mkdir", "mode", BD_SC_OCTAL, NULL },
	{ "mkdirat", "mode", BD_SC_OCTAL, NULL },
	{ "mknod", "mode", BD_SC_OCTAL, NULL },
	{ "mknodat", "mode", BD_SC_OCTAL, NULL },
	{ "chmod", "mode", BD_SC_OCTAL, NULL },
	{ "fchmod", "mode", BD_SC_OCTAL, NULL },
	{ "fchmodat", "mode", BD_SC_OCTAL, NULL },
	{ "umask", "mask", BD_SC_OCTAL, NULL },
	{ "access", "mode", BD_SC_FLAGS, access_modes },
	{ "faccessat", "mode", BD_SC_FLAGS, access_modes },
	{ "faccessat2", "mode", BD_SC_FLAGS, access_modes },
	{ "faccessat2", "flags", BD_SC_FLAGS, faccess_flags },
	{ "newfstatat", "flag", BD_SC_FLAGS, at_flags },
	{ "statx", "flags", BD_SC_FLAGS, at_flags },
	{ "unlinkat", "flag", BD_SC_FLAGS, at_flags },
	{ "linkat", "flags", BD_SC_FLAGS, at_flags },
	{ "fchownat", "flag", BD_SC_FLAGS, at_flags },
	{ "fchmodat2", "flags", BD_SC_FLAGS, at_flags },
	{ "utimensat", "flags", BD_SC_FLAGS, at_flags },
	{ "execveat", "flags", BD_SC_FLAGS, at_flags },
	{ "name_to_handle_at", "flag", BD_SC_FLAGS, at_flags },
	{ "mmap", "prot", BD_SC_FLAGS, prot_flags },
	{ "mprotect", "prot", BD_SC_FLAGS, prot_flags },
	{ "pkey_mprotect", "prot", BD_SC_FLAGS, prot_flags },
	{ "mmap", "flags", BD_SC_MAP_FLAGS, map_flags },
	{ "mmap", "addr", BD_SC_HEX, NULL },
	{ "munmap", "addr", BD_SC_HEX, NULL },
	{ "mprotect", "start", BD_SC_HEX, NULL },
	{ "brk", "brk", BD_SC_HEX, NULL },
	{ "bpf", "cmd", BD_SC_ENUM, NULL, "bpf_cmd" },
	{ "socket", "type", BD_SC_ENUM, sock_flags, "sock_type" },
	{ "socketpair", "type", BD_SC_ENUM, sock_flags, "sock_type" },
	{ NULL, NULL, 0, NULL }
};

/* what a syscall returns, when not a number or an error */
const struct bd_sc_arg bd_sc_rets[] = {
	{ "mmap", "return", BD_SC_HEX, NULL },
	{ "brk", "return", BD_SC_HEX, NULL },
	{ "mremap", "return", BD_SC_HEX, NULL },
	{ NULL, NULL, 0, NULL }
};

/* the names a SPEC may use for numbers (syscall:openat(flags & O_CREAT, return == -ENOENT)) */
const struct bd_sc_name *const bd_sc_spec_names[] = {
	open_flags, open_modes, at_flags, faccess_flags, prot_flags, map_types, map_flags,
	access_modes, at_fdcwd, sock_flags, NULL
};

const struct bd_sc_name *bd_sc_map_types = map_types;
const struct bd_sc_name *bd_sc_open_modes = open_modes;
