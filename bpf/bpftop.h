/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records shared by the kernel side (bpftop.bpf.c) and user space
 * (src/bpf/records.ts). Only fixed-width fields, widest first, explicit
 * padding: the layout test (test/unit/records-layout.test.ts) compiles this
 * header and compares every offset with the TypeScript decoder.
 */
#ifndef __BPFTOP_H
#define __BPFTOP_H

#define TASK_COMM_LEN 16

/* One record per task (thread) written by the iter/task program. */
struct task_record {
	__u64 runtime_ns;      /* this thread's CPU time: se.sum_exec_runtime */
	__u64 dead_runtime_ns; /* CPU time of the group's exited threads: signal->sum_sched_runtime */
	__u64 start_ns;        /* this thread's start, ns since boot (start_boottime) */
	__u64 cgroup_id;       /* cgroup v2 id (kernfs node id of the default hierarchy's cgroup) */
	__u64 rss_pages;       /* resident pages: file + anon + shmem; 0 for kernel threads */
	__u64 vm_pages;        /* mm->total_vm */
	__u32 pid;             /* thread id */
	__u32 tgid;            /* process id */
	__u32 ppid;            /* tgid of the real parent */
	__u32 uid;             /* real uid */
	__u32 euid;            /* effective uid */
	__u32 state;           /* task->__state */
	__u32 exit_state;      /* task->exit_state (zombies live here) */
	__u32 flags;           /* task->flags (PF_KTHREAD) */
	__u32 nr_threads;      /* signal->nr_threads */
	__s32 prio;            /* task->prio (0..139) */
	__s32 static_prio;     /* task->static_prio: nice + 120 */
	__u32 _pad;
	char comm[TASK_COMM_LEN];
};

/*
 * Written once at the end of every iter/task run, after any task_record that
 * did not fit in the task_records map (those are streamed instead).
 */
struct task_iter_trailer {
	__u32 records_in_map;  /* task_records[0 .. records_in_map) are this run's */
	__u32 _pad;
};

#define FILENAME_LEN 256

enum event_type {
	EVENT_EXEC = 1,
	EVENT_EXIT = 2, /* the last thread of a process exited */
	EVENT_FORK = 3, /* a new process (not a thread) */
};

/* One process event, sent through the `events` ring buffer. */
struct event_record {
	__u64 ts_ns;          /* bpf_ktime_get_boot_ns(): the clock of start_boottime */
	__u64 start_ns;       /* the process's start, ns since boot */
	__u64 cpu_ns;         /* EXIT: CPU time of all the process's threads */
	__u64 cgroup_id;
	__u64 peak_rss_pages; /* EXIT: signal->maxrss, the largest RSS any thread saw */
	__u32 type;           /* enum event_type */
	__u32 pid;            /* tgid (FORK: the child's) */
	__u32 ppid;           /* tgid of the real parent (FORK: the forking process) */
	__u32 uid;
	__u32 exit_code;      /* EXIT: wait status: exit status << 8 | core dump 0x80 | signal */
	__u32 _pad;
	char comm[TASK_COMM_LEN];
	char filename[FILENAME_LEN]; /* EXEC: the path given to execve, NUL-terminated */
};

#endif /* __BPFTOP_H */
