// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Default columns per iterator target, written in the field language. A target
 * without a preset gets one column per context member (bd_target_member_columns).
 *
 * Presets hold for every kernel: a column may name alternatives, "name=a|b", and
 * the planner takes the first this kernel's BTF resolves, or leaves the column out
 * (plan.c: preset_resolve). Only presets take '|'; no ',' inside a column. */
#include <string.h>

#include "internal.h"

#define SK(p, op) "family=family(" p op "skc_family),state=tcpstate(" p op "skc_state),"	\
	"laddr=laddr(" p "),lport=" p op "skc_num,raddr=raddr(" p "),rport=" p op "skc_dport"

struct preset {
	const char *target, *columns;
};

static const struct preset presets[] = {
	{ "task", "pid=task->tgid,tid=task->pid,ppid=task->real_parent->tgid,"
		  "uid=task->cred->uid.val,state=taskstate(task),comm=task->comm" },
	{ "task_file", "pid=task->tgid,comm=task->comm,fd=fd,path=path(file),inode=ino(file)" },
	{ "task_vma", "pid=task->tgid,start=hex(vma->vm_start),end=hex(vma->vm_end),"
		      "perms=vmflags(vma->vm_flags),pgoff=fileoff(vma),"
		      "path=path(vma->vm_file)" },
	/* inode: the socket's, as /proc/net/{tcp,udp,unix} and socket:[N] show it */
	{ "tcp", SK("sk_common", "->") ",uid=uid,inode=ino(sk_common)" },
	{ "udp", SK("udp_sk->inet.sk.__sk_common", ".") ",uid=uid,inode=ino(udp_sk)" },
	{ "unix", "type=socktype(unix_sk->sk),state=tcpstate(unix_sk->sk.__sk_common.skc_state),"
		  "uid=uid,path=sunpath(unix_sk),inode=ino(unix_sk)" },
	{ "netlink", "protocol=sk->sk.sk_protocol,portid=sk->portid,"
		     "dst_portid=sk->dst_portid,rmem=sk->sk.sk_backlog.rmem_alloc.counter" },
	{ "ipv6_route", "dst=ip(rt->fib6_dst.addr),plen=rt->fib6_dst.plen,"
			"gateway=ip(rt->fib6_nh[0].nh_common.nhc_gw.ipv6),"
			"metric=rt->fib6_metric,flags=hex(rt->fib6_flags),"
			"dev=rt->fib6_nh[0].nh_common.nhc_dev->name" },
	{ "bpf_map", "id=map->id,type=map->map_type,name=map->name,key_size=map->key_size,"
		     "value_size=map->value_size,max_entries=map->max_entries,"
		     "flags=hex(map->map_flags)" },
	{ "bpf_map_elem", "key=key,value=value" },
	{ "bpf_prog", "id=prog->aux->id,type=prog->type,name=prog->aux->name,tag=hex(prog->tag),"
		      "insns=prog->len,jited=prog->jited" },
	{ "bpf_link", "id=link->id,type=link->type,prog_id=link->prog->aux->id,"
		      /* newer kernels keep the attach type in struct bpf_link;
		       * 6.1 and 6.12 only in its program */
		      "attach_type=link->attach_type|link->prog->expected_attach_type" },
	{ "bpf_sk_storage_map", "family=family(sk->__sk_common.skc_family),"
				"lport=sk->__sk_common.skc_num,rport=sk->__sk_common.skc_dport,"
				"value=value" },
	{ "sockmap", "key=key,family=family(sk->__sk_common.skc_family),"
		     "state=tcpstate(sk->__sk_common.skc_state),lport=sk->__sk_common.skc_num" },
	{ "cgroup", "id=cgroup->kn->id,level=cgroup->level,name=cgroup->kn->name" },
	{ "ksym", "addr=hex(ksym->value),type=ksym->type,name=ksym->name,"
		  "module=ksym->module_name" },
	{ "kmem_cache", "name=s->name,size=s->size,object_size=s->object_size,align=s->align" },
	{ "dmabuf", "size=dmabuf->size,exp_name=dmabuf->exp_name,name=dmabuf->name,"
		    "inode=dmabuf->file->f_inode->i_ino" },
};

static const char *find_preset(const struct preset *tab, size_t cnt, const char *target)
{
	size_t i;

	for (i = 0; i < cnt; i++)
		if (!strcmp(tab[i].target, target))
			return tab[i].columns;
	return NULL;
}

const char *bd_target_preset(const char *target)
{
	return find_preset(presets, sizeof(presets) / sizeof(presets[0]), target);
}

static bool in_table(const struct preset *tab, size_t cnt, const char *columns)
{
	size_t i;

	for (i = 0; i < cnt; i++)
		if (tab[i].columns == columns)
			return true;
	return false;
}

/* With --pidns, pids as the namespace numbers them (0: not visible there, like
 * the PPid of a namespace's init in /proc/PID/status). */
static const struct preset pidns_presets[] = {
	{ "task", "pid=nstgid(task),tid=nspid(task),ppid=nstgid(task->real_parent),"
		  "uid=task->cred->uid.val,state=taskstate(task),comm=task->comm" },
	{ "task_file", "pid=nstgid(task),comm=task->comm,fd=fd,path=path(file),inode=ino(file)" },
	{ "task_vma", "pid=nstgid(task),start=hex(vma->vm_start),end=hex(vma->vm_end),"
		      "perms=vmflags(vma->vm_flags),pgoff=fileoff(vma),"
		      "path=path(vma->vm_file)" },
};

const char *bd_target_preset_pidns(const char *target)
{
	return find_preset(pidns_presets, sizeof(pidns_presets) / sizeof(pidns_presets[0]),
			   target);
}

/* Whether columns is one of the tables' own strings (so its '|' are alternatives). */
bool bd_target_is_preset(const char *columns)
{
	return columns && (in_table(presets, sizeof(presets) / sizeof(presets[0]), columns) ||
			   in_table(pidns_presets, sizeof(pidns_presets) / sizeof(pidns_presets[0]),
				    columns));
}
