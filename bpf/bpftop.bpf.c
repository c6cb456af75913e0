// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpftop's kernel side. Only iter/, tp_btf/ and raw_tp/ programs: the kernels
 * bpftop runs on include ones without kprobes, without fentry attach and
 * without tracefs (see shared/design.md).
 *
 * Fields are read by direct dereference of the iterator's BTF-typed task
 * pointer: the JIT turns those into inline guarded loads, several times
 * cheaper than one bpf_probe_read_kernel() call per field.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bpftop.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PF_KTHREAD 0x00200000
/* enum mm counters (include/linux/mm_types_task.h) */
#define MM_FILEPAGES 0
#define MM_ANONPAGES 1
#define MM_SHMEMPAGES 3

/* Before 6.2 the RSS counters were atomics in struct mm_rss_stat. */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

static __always_inline __u64 mm_rss_pages(struct mm_struct *mm)
{
	if (bpf_core_type_exists(struct mm_rss_stat___pre62)) {
		struct mm_struct___pre62 *old = (void *)mm;
		long file = BPF_CORE_READ(old, rss_stat.count[MM_FILEPAGES].counter);
		long anon = BPF_CORE_READ(old, rss_stat.count[MM_ANONPAGES].counter);
		long shmem = BPF_CORE_READ(old, rss_stat.count[MM_SHMEMPAGES].counter);
		long sum = file + anon + shmem;
		return sum > 0 ? sum : 0;
	}
	/* The approximate per-cpu counter sum, as /proc/PID/statm reports it. */
	s64 sum = mm->rss_stat[MM_FILEPAGES].count + mm->rss_stat[MM_ANONPAGES].count +
		  mm->rss_stat[MM_SHMEMPAGES].count;
	return sum > 0 ? sum : 0;
}

/*
 * The iterator's output: user space mmaps this array, so a refresh reads
 * every task without a read() per 32 KiB of records. Sized at load time
 * (src/collect/tasks.ts); tasks beyond it are streamed through the seq_file.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct task_record);
} task_records SEC(".maps");

/* Records written to task_records by the current run (one run at a time). */
__u32 nr_task_records = 0;

static __always_inline void fill_task_record(struct task_record *r, struct task_struct *task)
{
	struct mm_struct *mm = task->mm;

	r->pid = task->pid;
	r->tgid = task->tgid;
	r->ppid = task->real_parent->tgid;
	r->uid = task->real_cred->uid.val;
	r->euid = task->real_cred->euid.val;
	r->state = task->__state;
	r->exit_state = task->exit_state;
	r->flags = task->flags;
	r->prio = task->prio;
	r->static_prio = task->static_prio;
	r->runtime_ns = task->se.sum_exec_runtime;
	r->start_ns = task->start_boottime;
	r->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	r->nr_threads = task->signal->nr_threads;
	r->dead_runtime_ns = task->signal->sum_sched_runtime;
	r->_pad = 0;
	__builtin_memcpy(r->comm, task->comm, sizeof(r->comm));
	if (mm && !(r->flags & PF_KTHREAD)) {
		r->vm_pages = mm->total_vm;
		r->rss_pages = mm_rss_pages(mm);
	} else {
		r->vm_pages = 0;
		r->rss_pages = 0;
	}
}

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct task_record *r;
	__u32 idx;

	if (!task) {
		/*
		 * Called once more with no task when the walk ends: report the
		 * count and start the next run at index 0. (meta->seq_num is not
		 * a reliable "first task" signal: it is 0 for the first two.)
		 */
		struct task_iter_trailer t = { .records_in_map = nr_task_records };
		bpf_seq_write(seq, &t, sizeof(t));
		nr_task_records = 0;
		return 0;
	}

	idx = nr_task_records;
	r = bpf_map_lookup_elem(&task_records, &idx);
	if (r) {
		fill_task_record(r, task);
		nr_task_records = idx + 1;
	} else {
		struct task_record overflow;
		fill_task_record(&overflow, task);
		bpf_seq_write(seq, &overflow, sizeof(overflow));
	}
	return 0;
}

/* ---- process events: exec, exit, fork ---------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* resized at load time (src/bpf/bpftop.ts) */
} events SEC(".maps");

/* Records that did not fit in `events`; user space mmaps it to report losses. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} event_drops SEC(".maps");

static __always_inline struct event_record *reserve_event(void)
{
	struct event_record *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__u32 zero = 0;
		__u64 *drops = bpf_map_lookup_elem(&event_drops, &zero);
		if (drops)
			__sync_fetch_and_add(drops, 1);
	}
	return e;
}

static __always_inline void fill_event(struct event_record *e, __u32 type, struct task_struct *task)
{
	e->type = type;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = task->tgid;
	e->ppid = task->real_parent->tgid;
	e->uid = task->real_cred->uid.val;
	e->start_ns = task->group_leader->start_boottime;
	e->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	e->cpu_ns = 0;
	e->peak_rss_pages = 0;
	e->exit_code = 0;
	e->_pad = 0;
	e->filename[0] = 0;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct event_record *e = reserve_event();

	if (!e)
		return 0;
	fill_event(e, EVENT_EXEC, task);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), bprm->filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *task)
{
	struct event_record *e;

	/*
	 * Every thread passes here; only the last one of its group has brought
	 * signal->live to zero (do_exit decrements it before this tracepoint on
	 * every kernel since 5.x). Kernel 6.16 also passes group_dead, but
	 * reading live works everywhere.
	 */
	if (task->signal->live.counter != 0)
		return 0;
	e = reserve_event();
	if (!e)
		return 0;
	fill_event(e, EVENT_EXIT, task);
	e->exit_code = task->exit_code;
	/* The exiting thread's own runtime is folded into the signal later (__exit_signal). */
	e->cpu_ns = task->signal->sum_sched_runtime + task->se.sum_exec_runtime;
	e->peak_rss_pages = task->signal->maxrss;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Off unless asked for (bpftop trace --fork): forks double the event rate. */
SEC("?tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	struct event_record *e;

	if (child->pid != child->tgid)
		return 0; /* a new thread, not a new process */
	e = reserve_event();
	if (!e)
		return 0;
	fill_event(e, EVENT_FORK, child);
	e->ppid = parent->tgid;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
