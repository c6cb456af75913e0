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
	__u32 frozen;          /* task->frozen: stopped by the cgroup v2 freezer */
	char comm[TASK_COMM_LEN];
};

/*
 * Written once at the end of every iterator run (iter/task, iter/tcp,
 * iter/udp), after any record that did not fit in the iterator's mmapped
 * array (those are streamed instead).
 */
struct iter_trailer {
	__u32 records_in_map;  /* array[0 .. records_in_map) are this run's */
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

#define CONN_BORN_SEEN 0x1   /* bpftop saw the socket start: its application byte counts are complete */
#define CONN_OWNER_KNOWN 0x2 /* tgid/uid/comm name the process that connected, listened or did I/O */

/* event_drops slots */
#define DROPS_PROCESS_EVENTS 0
#define DROPS_CONN_EVENTS 1

/*
 * One TCP or UDP socket: a row of iter/tcp or iter/udp, or (in the
 * conn_events ring buffer) a TCP connection that just closed, with its final
 * counters.
 */
struct conn_record {
	__u64 cookie;              /* socket cookie: unique for the socket's life, never reused */
	__u64 bytes_sent;          /* application bytes (sock_send_length) since bpftop saw the socket */
	__u64 bytes_received;      /* application bytes (sock_recv_length, MSG_PEEK excluded) */
	__u64 sends;               /* send calls */
	__u64 recvs;               /* receive calls */
	__u64 wire_bytes_acked;    /* TCP: tcp_sock.bytes_acked (the SYN and FIN count one each) */
	__u64 wire_bytes_received; /* TCP: tcp_sock.bytes_received (likewise) */
	__u64 first_seen_ns;       /* boot ns when bpftop first saw the socket; 0 if only the iterator has */
	__u64 ts_ns;               /* close record: boot ns of the close */
	__u32 segs_out;
	__u32 segs_in;
	__u32 srtt_us;             /* smoothed RTT, us */
	__u32 retransmits;         /* tcp_sock.total_retrans */
	__u32 cwnd;                /* send congestion window, segments */
	__u32 resets_sent;
	__u32 resets_received;
	__u32 tgid;                /* owner (see CONN_OWNER_KNOWN) */
	__u32 uid;
	__u32 state;               /* TCP state (1 ESTABLISHED … 12); UDP: 1 connected, 7 unconnected */
	__u32 states_seen;         /* bit (1 << state) for every TCP state the socket entered while traced */
	__u32 flags;               /* CONN_* */
	__u16 family;              /* AF_INET 2, AF_INET6 10 */
	__u16 protocol;            /* IPPROTO_TCP 6, IPPROTO_UDP 17 */
	__u16 lport;               /* host byte order */
	__u16 rport;
	__u8 laddr[16];            /* IPv4 in the first 4 bytes, or IPv6 */
	__u8 raddr[16];
	char comm[TASK_COMM_LEN];
};

#endif /* __BPFTOP_H */
