/*
 * Benchmark load: spawn-load N         N extra sleeping processes
 *                 spawn-load -t N      N extra sleeping threads in this process
 *
 * Children and threads block in pause() and cost no CPU. Prints "ready" once
 * all exist, then waits for SIGTERM, SIGINT or SIGHUP, kills and reaps every
 * child, and exits 0. If this process dies some other way (SIGKILL), the
 * children still go: each asked the kernel for SIGKILL when its parent dies
 * (PR_SET_PDEATHSIG). Threads die with the process anyway.
 *
 * Build: cc -O2 -pthread -o spawn-load spawn-load.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t *children;
static long nchildren;

static void die(const char *what)
{
	fprintf(stderr, "spawn-load: %s: %s\n", what, strerror(errno));
	/* Kill what was started so far: a half-built load must not linger. */
	for (long i = 0; i < nchildren; i++)
		kill(children[i], SIGKILL);
	exit(1);
}

static void *sleep_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void start_children(long n, pid_t parent, const sigset_t *child_mask)
{
	children = calloc(n, sizeof *children);
	if (!children)
		die("calloc");
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			/* Default dispositions: the parent's handlers would keep them alive. */
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			sigprocmask(SIG_SETMASK, child_mask, NULL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			/* The parent may have died before prctl took effect. */
			if (getppid() != parent)
				_exit(0);
			for (;;)
				pause();
		}
		children[nchildren++] = pid;
	}
}

static void start_threads(long n)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	/* Smallest stacks: 20,000 threads then reserve ~400 MiB of address space, not 160 GiB. */
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
	for (long i = 0; i < n; i++) {
		pthread_t t;
		int err = pthread_create(&t, &attr, sleep_forever, NULL);
		if (err) {
			errno = err;
			die("pthread_create");
		}
	}
	pthread_attr_destroy(&attr);
}

static void on_signal(int sig)
{
	(void)sig; /* sigsuspend returns; main does the work */
}

int main(int argc, char **argv)
{
	int threads = argc == 3 && strcmp(argv[1], "-t") == 0;
	char *end;
	long n = argc >= 2 ? strtol(argv[argc - 1], &end, 10) : -1;
	if (argc < 2 || argc > 2 + threads || *end || n < 0) {
		fprintf(stderr, "usage: spawn-load [-t] N\n");
		return 2;
	}

	/* Block the stop signals before starting anything, so none is lost before sigsuspend. */
	sigset_t stop, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigprocmask(SIG_BLOCK, &stop, &old);

	if (threads)
		start_threads(n);
	else
		/* Children get the caller's mask back, so a stray SIGTERM kills them too. */
		start_children(n, getpid(), &old);

	printf("ready\n");
	fflush(stdout);

	sigset_t wait_mask = old;
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGHUP);
	sigsuspend(&wait_mask);

	for (long i = 0; i < nchildren; i++)
		kill(children[i], SIGKILL);
	for (long i = 0; i < nchildren; i++)
		while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR)
			;
	return 0;
}
