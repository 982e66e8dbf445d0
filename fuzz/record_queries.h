/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The queries whose records record_fuzz.c decodes and record_seeds.c dumps:
 * plan i of the harness (first byte of an input) is queries[i]. */
#ifndef RECORD_QUERIES_H
#define RECORD_QUERIES_H

static const struct record_query {
	const char *target, *columns;	/* NULL columns: the target's defaults */
} queries[] = {
	{ "task", NULL }, { "task_file", NULL }, { "task_vma", NULL }, { "tcp", NULL },
	{ "udp", NULL }, { "unix", NULL }, { "netlink", NULL }, { "ksym", NULL },
	{ "bpf_map", NULL }, { "bpf_prog", NULL }, { "cgroup", NULL }, { "kmem_cache", NULL },
	{ "bpf_link", NULL }, { "ipv6_route", NULL },
	/* strings, signed, pointers, bitfields, nspid(), a path behind a pointer */
	{ "task", "comm=task->comm,prio=task->prio,nice=task->static_prio,"
		  "oom=task->signal->oom_score_adj,mm=task->mm,flags=hex(task->flags),"
		  "reset=task->sched_reset_on_fork,nspid=nspid(task),nstgid=nstgid(task),"
		  "exe=path(task->mm->exe_file),state=task->__state,exit=task->exit_code" },
	{ "task", "cap=task->cred->cap_effective,comm=hex(task->comm),"
		  "start=task->start_time,policy=task->policy,cpu=task->on_cpu" },
	/* file paths, modes, positions */
	{ "task_file", "fd=fd,path=path(file),ino=file->f_inode->i_ino,mode=file->f_mode,"
		       "flags=hex(file->f_flags),pos=file->f_pos,dpath=path(file->f_path)" },
	{ "task_vma", "path=path(vma->vm_file),flags=vmflags(vma->vm_flags),"
		      "start=vma->vm_start,anon=vma->anon_vma" },
	/* IPv4/IPv6 addresses, __be16 ports, enums */
	{ "tcp", "src=ip(sk_common->skc_rcv_saddr),dst=ip(sk_common->skc_daddr),"
		 "src6=ip(sk_common->skc_v6_rcv_saddr),dport=sk_common->skc_dport,"
		 "sport=sk_common->skc_num,fam=sk_common->skc_family,raw=sk_common->skc_daddr,"
		 "v6=sk_common->skc_v6_daddr,bound=sk_common->skc_bound_dev_if" },
	{ "udp", "laddr=laddr(udp_sk->inet.sk.__sk_common),raddr=raddr(udp_sk->inet.sk.__sk_common),"
		 "state=tcpstate(udp_sk->inet.sk.__sk_common.skc_state),"
		 "family=family(udp_sk->inet.sk.__sk_common.skc_family)" },
	{ "unix", "path=sunpath(unix_sk),type=unix_sk->sk.sk_type,"
		  "proto=unix_sk->sk.sk_protocol,shut=unix_sk->sk.sk_shutdown" },
	/* enums and arrays of bytes */
	{ "bpf_map", "type=map->map_type,name=map->name,hname=hex(map->name),"
		     "frozen=map->frozen,btf=map->btf" },
	{ "bpf_prog", "type=prog->type,tag=prog->tag,htag=hex(prog->tag),"
		      "attach=prog->expected_attach_type,name=prog->aux->name" },
	{ "ksym", "name=ksym->name,type=ksym->type,value=ksym->value,mod=ksym->module_name" },
	{ "cgroup", "name=cgroup->kn->name,level=cgroup->level,flags=hex(cgroup->flags)" },
};

#endif
