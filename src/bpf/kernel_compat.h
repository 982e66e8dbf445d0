/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the BPF programs need of the kernel that vmlinux.h may lack: vmlinux.h is
 * made from the BTF of the kernel the build runs on (VMLINUX_BTF), which may be
 * older than the kernels the programs run on (Debian 12's 6.1 has no open-coded
 * iterators). vmlinux_features.h (scripts/host_variant.py features) says what that
 * BTF has; the rest is declared here as the kernels that have it lay it out.
 *
 * Where anything here stands in for the kernel's own, the build makes no host
 * variant of the snapshot program (host_variant.py build-id): these declarations
 * are placed by CO-RE relocations at load, never by their offsets here.
 *
 * Included after vmlinux.h and <bpf/bpf_core_read.h>.
 */
#ifndef BPFDUMP_KERNEL_COMPAT_H
#define BPFDUMP_KERNEL_COMPAT_H

#include "vmlinux_features.h"

/* The open-coded iterators' state (6.4: num; 6.7: task, task_vma): opaque to BPF,
 * sized and aligned as in the kernel's uapi and BTF (bpf_experimental.h). */
#ifndef BD_HAVE_STRUCT_BPF_ITER_NUM
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));
#endif
#ifndef BD_HAVE_STRUCT_BPF_ITER_TASK
struct bpf_iter_task {
	__u64 __opaque[3];
} __attribute__((aligned(8)));
#endif
#ifndef BD_HAVE_STRUCT_BPF_ITER_TASK_VMA
struct bpf_iter_task_vma {
	__u64 __opaque[1];
} __attribute__((aligned(8)));
#endif
/* bpf_iter_task_new()'s flags (kernel/bpf/task_iter.c, 6.7) */
#ifndef BD_HAVE_BPF_TASK_ITER_PROC_THREADS
#define BPF_TASK_ITER_PROC_THREADS 2
#endif

/*
 * &mm->rss_stat[i]: the per-CPU counter of 6.2 and later (before: atomics in a
 * struct mm_rss_stat, which snapshot_classic.bpf.c reads as mm_struct___atomic).
 */
#ifdef BD_HAVE_MM_RSS_STAT_PERCPU
#define BD_MM_RSS_STAT(mm, i) (&(mm)->rss_stat[i])
#else
struct mm_struct___pcpu {
	struct percpu_counter rss_stat[4];	/* NR_MM_COUNTERS */
} __attribute__((preserve_access_index));
#define BD_MM_RSS_STAT(mm, i) (&((struct mm_struct___pcpu *)(mm))->rss_stat[i])
#endif

/*
 * A cred's kernel_cap_t as the __u64 val of 6.3 and later (before: __u32 cap[2],
 * the same 8 bytes): BD_CRED_CAP(c, cap_effective).
 */
#ifdef BD_HAVE_KERNEL_CAP_VAL
#define BD_CRED_CAP(c, field) BPF_CORE_READ(c, field.val)
#else
struct kernel_cap___u64 {
	__u64 val;
} __attribute__((preserve_access_index));
struct cred___capval {
	struct kernel_cap___u64 cap_inheritable, cap_permitted, cap_effective, cap_bset,
		cap_ambient;
} __attribute__((preserve_access_index));
#define BD_CRED_CAP(c, field) BPF_CORE_READ((struct cred___capval *)(c), field.val)
#endif

/*
 * A socket buffer's fragment since 6.9 (struct skb_frag with a netmem_ref), as a flavor:
 * 6.1's BTF has no struct skb_frag (skb_frag_t is a bio_vec there), and the program
 * builds against any kernel's BTF. Older fragments are read as bio_vec, whose layout
 * (page, len, offset) the 6.2-6.8 struct skb_frag shares.
 */
struct skb_frag___netmem {
	unsigned long netmem;
	unsigned int len;
	unsigned int offset;
} __attribute__((preserve_access_index));

#endif /* BPFDUMP_KERNEL_COMPAT_H */
