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
	r->frozen = BPF_CORE_READ_BITFIELD(task, frozen);
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
		struct iter_trailer t = { .records_in_map = nr_task_records };
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

/*
 * Records that did not fit in a ring buffer, one slot per ring
 * (DROPS_*); user space mmaps it to report losses.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} event_drops SEC(".maps");

static __always_inline void count_drop(__u32 slot)
{
	__u64 *drops = bpf_map_lookup_elem(&event_drops, &slot);
	if (drops)
		__sync_fetch_and_add(drops, 1);
}

static __always_inline struct event_record *reserve_event(void)
{
	struct event_record *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		count_drop(DROPS_PROCESS_EVENTS);
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

/* ---- network: per-socket counters, connection lifecycle, socket iterators -- */

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define MSG_PEEK 2
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_CLOSE 7
#define TCP_LISTEN 10

/* What bpftop learned about a socket while it lived; freed with the socket. */
struct sock_stats {
	__u64 bytes_sent;
	__u64 bytes_received;
	__u64 sends;
	__u64 recvs;
	__u64 first_seen_ns;
	__u32 tgid;
	__u32 uid;
	__u32 resets_sent;
	__u32 resets_received;
	__u32 states_seen;
	__u32 flags;
	char comm[TASK_COMM_LEN];
};

/*
 * Socket-local storage: the kernel frees an entry when its socket is
 * destroyed, so the state is bounded by the live sockets and needs no
 * cleanup from user space.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sock_stats);
} sock_stats SEC(".maps");

/* iter/tcp and iter/udp write their rows here (mmapped by user space), like task_records. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct conn_record);
} conn_records SEC(".maps");

__u32 nr_conn_records = 0;

/* TCP connections as they close, with their final counters (tcplife-style). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} conn_events SEC(".maps");

static __always_inline bool traced_socket(const struct sock *sk)
{
	__u16 family = sk->__sk_common.skc_family;
	__u16 proto = sk->sk_protocol;
	return (family == AF_INET || family == AF_INET6) && (proto == IPPROTO_TCP || proto == IPPROTO_UDP);
}

static __always_inline struct sock_stats *stats_of(const struct sock *sk, bool create)
{
	return bpf_sk_storage_get(&sock_stats, (struct sock *)sk, 0, create ? BPF_SK_STORAGE_GET_F_CREATE : 0);
}

/* Record the current process as the socket's owner, once. */
static __always_inline void claim_owner(struct sock_stats *st)
{
	if (st->flags & CONN_OWNER_KNOWN)
		return;
	st->tgid = bpf_get_current_pid_tgid() >> 32;
	st->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(st->comm, sizeof(st->comm));
	st->flags |= CONN_OWNER_KNOWN;
}

static __always_inline void count_io(struct sock *sk, int ret, bool send)
{
	struct sock_stats *st;

	if (ret <= 0 || !traced_socket(sk))
		return;
	st = stats_of(sk, true);
	if (!st)
		return;
	if (!st->first_seen_ns)
		st->first_seen_ns = bpf_ktime_get_boot_ns();
	/* sock_*_length runs in the context of the process doing the I/O. */
	claim_owner(st);
	if (send) {
		__sync_fetch_and_add(&st->bytes_sent, ret);
		__sync_fetch_and_add(&st->sends, 1);
	} else {
		__sync_fetch_and_add(&st->bytes_received, ret);
		__sync_fetch_and_add(&st->recvs, 1);
	}
}

/* Kernel 6.3+: optional, the network view falls back to the iterators without them. */
SEC("?tp_btf/sock_send_length")
int BPF_PROG(sock_send, struct sock *sk, int ret, int flags)
{
	count_io(sk, ret, true);
	return 0;
}

SEC("?tp_btf/sock_recv_length")
int BPF_PROG(sock_recv, struct sock *sk, int ret, int flags)
{
	if (!(flags & MSG_PEEK))
		count_io(sk, ret, false);
	return 0;
}

static __always_inline void fill_conn_common(struct conn_record *r, const struct sock_common *skc)
{
	r->family = skc->skc_family;
	r->state = skc->skc_state;
	r->lport = skc->skc_num;
	r->rport = __builtin_bswap16(skc->skc_dport);
	if (r->family == AF_INET) {
		__builtin_memcpy(r->laddr, &skc->skc_rcv_saddr, 4);
		__builtin_memcpy(r->raddr, &skc->skc_daddr, 4);
	} else {
		BPF_CORE_READ_INTO(&r->laddr, skc, skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&r->raddr, skc, skc_v6_daddr.in6_u.u6_addr8);
	}
	r->cookie = bpf_get_socket_cookie((void *)skc);
}

static __always_inline void fill_conn_stats(struct conn_record *r, struct sock_stats *st)
{
	if (!st)
		return;
	r->bytes_sent = st->bytes_sent;
	r->bytes_received = st->bytes_received;
	r->sends = st->sends;
	r->recvs = st->recvs;
	r->first_seen_ns = st->first_seen_ns;
	r->resets_sent = st->resets_sent;
	r->resets_received = st->resets_received;
	r->states_seen = st->states_seen;
	r->flags = st->flags;
	r->tgid = st->tgid;
	r->uid = st->uid;
	__builtin_memcpy(r->comm, st->comm, sizeof(r->comm));
}

static __always_inline void fill_conn_tcp(struct conn_record *r, struct tcp_sock *tp)
{
	r->wire_bytes_acked = tp->bytes_acked;
	r->wire_bytes_received = tp->bytes_received;
	r->segs_out = tp->segs_out;
	r->segs_in = tp->segs_in;
	r->srtt_us = tp->srtt_us >> 3;
	r->retransmits = tp->total_retrans;
	r->cwnd = tp->snd_cwnd;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct sock_stats *st;
	struct conn_record *r;
	struct tcp_sock *tp;

	if (sk->sk_protocol != IPPROTO_TCP || !traced_socket(sk))
		return 0;
	st = stats_of(sk, true);
	if (!st)
		return 0;
	if (!st->first_seen_ns)
		st->first_seen_ns = bpf_ktime_get_boot_ns();
	st->states_seen |= 1 << (newstate & 31);
	/* Born under our eyes: connect(), listen(), or a child of a listener. */
	if (oldstate == TCP_CLOSE || oldstate == TCP_LISTEN)
		st->flags |= CONN_BORN_SEEN;
	/* connect() and listen() run in the owner's context; SYN_RECV children do not. */
	if (newstate == TCP_SYN_SENT || newstate == TCP_LISTEN)
		claim_owner(st);
	if (newstate != TCP_CLOSE)
		return 0;

	r = bpf_ringbuf_reserve(&conn_events, sizeof(*r), 0);
	if (!r) {
		count_drop(DROPS_CONN_EVENTS);
		return 0;
	}
	__builtin_memset(r, 0, sizeof(*r));
	fill_conn_common(r, &sk->__sk_common);
	fill_conn_stats(r, st);
	/* The verifier knows sk only as a struct sock: ask for the tcp_sock. */
	tp = bpf_skc_to_tcp_sock((void *)sk);
	if (tp) {
		fill_conn_tcp(r, tp);
		/* Closing unhashed the socket and cleared skc_num; the bound port is still here. */
		if (!r->lport)
			r->lport = __builtin_bswap16(tp->inet_conn.icsk_inet.inet_sport);
	}
	r->protocol = IPPROTO_TCP;
	r->state = TCP_CLOSE;
	r->ts_ns = bpf_ktime_get_boot_ns();
	bpf_ringbuf_submit(r, 0);
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(tcp_send_rst, const struct sock *sk)
{
	struct sock_stats *st;

	/* A reset for a packet without a socket has sk == NULL. */
	if (!sk)
		return 0;
	st = stats_of(sk, false);
	if (st)
		__sync_fetch_and_add(&st->resets_sent, 1);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(tcp_recv_rst, struct sock *sk)
{
	struct sock_stats *st = stats_of(sk, false);

	if (st)
		__sync_fetch_and_add(&st->resets_received, 1);
	return 0;
}

/* Put a finished row in conn_records, or stream it when the array is full. */
static __always_inline void emit_conn(struct seq_file *seq, struct conn_record *r)
{
	__u32 idx = nr_conn_records;
	struct conn_record *slot = bpf_map_lookup_elem(&conn_records, &idx);

	if (slot) {
		__builtin_memcpy(slot, r, sizeof(*r));
		nr_conn_records = idx + 1;
	} else {
		bpf_seq_write(seq, r, sizeof(*r));
	}
}

static __always_inline int end_conn_iter(struct seq_file *seq)
{
	struct iter_trailer t = { .records_in_map = nr_conn_records };

	bpf_seq_write(seq, &t, sizeof(t));
	nr_conn_records = 0;
	return 0;
}

SEC("iter/tcp")
int dump_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct conn_record r = {};
	struct tcp_sock *tp;

	if (!skc)
		return end_conn_iter(ctx->meta->seq);
	if (skc->skc_family != AF_INET && skc->skc_family != AF_INET6)
		return 0;
	fill_conn_common(&r, skc);
	r.protocol = IPPROTO_TCP;
	/* Time-wait and request sockets are not full sockets: addresses and state only. */
	tp = bpf_skc_to_tcp_sock(skc);
	if (tp) {
		fill_conn_tcp(&r, tp);
		fill_conn_stats(&r, stats_of((struct sock *)tp, false));
	}
	emit_conn(ctx->meta->seq, &r);
	return 0;
}

SEC("iter/udp")
int dump_udp(struct bpf_iter__udp *ctx)
{
	struct udp_sock *udp = ctx->udp_sk;
	struct conn_record r = {};
	struct sock *sk;

	if (!udp)
		return end_conn_iter(ctx->meta->seq);
	sk = &udp->inet.sk;
	if (sk->__sk_common.skc_family != AF_INET && sk->__sk_common.skc_family != AF_INET6)
		return 0;
	fill_conn_common(&r, &sk->__sk_common);
	r.protocol = IPPROTO_UDP;
	fill_conn_stats(&r, stats_of(sk, false));
	emit_conn(ctx->meta->seq, &r);
	return 0;
}

/*
 * Owners of sockets bpftop did not see being created (opened before it
 * started, or idle since): walk every process's open files once and claim
 * each socket for the process holding it. O(open files), so user space runs
 * it at start and then only while unowned sockets remain (src/collect/net.ts).
 */
SEC("iter/task_file")
int claim_socket_owners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct sock_stats *st;
	struct socket *sock;
	struct sock *sk;

	if (!task || !file)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	sk = sock->sk;
	if (!sk || !traced_socket(sk))
		return 0;
	st = stats_of(sk, true);
	if (!st || (st->flags & CONN_OWNER_KNOWN))
		return 0;
	st->tgid = task->tgid;
	st->uid = task->real_cred->uid.val;
	__builtin_memcpy(st->comm, task->group_leader->comm, sizeof(st->comm));
	st->flags |= CONN_OWNER_KNOWN;
	return 0;
}

/*
 * bpftop bench: count the system calls of bpftop's refreshing thread. Slot 0
 * holds that thread's id (written by user space), slot 1 the count. Bun's GC
 * and JIT helper threads are left out: their wake-ups are the runtime's, not
 * the refresh's. Loaded only by bench.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} syscall_counter SEC(".maps");

SEC("?raw_tp/sys_enter")
int count_syscalls(void *ctx)
{
	__u32 target_key = 0, count_key = 1;
	__u64 *target = bpf_map_lookup_elem(&syscall_counter, &target_key);
	__u64 *count;

	if (!target || *target != (__u32)bpf_get_current_pid_tgid())
		return 0;
	count = bpf_map_lookup_elem(&syscall_counter, &count_key);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}
