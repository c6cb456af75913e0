/*
 * bpftop-launcher: the only file that carries bpftop's capabilities.
 *
 * bpftop is a Bun-compiled program, and Bun obeys inputs the caller controls
 * (BUN_BE_BUN, BUN_OPTIONS, BUN_INSPECT, a bunfig.toml or .env in the current
 * directory, OpenTUI's OTUI_ASSET_ROOT): with file capabilities of its own,
 * any caller could run their code with them. So the capabilities sit on this
 * launcher instead (installed root:bpftop 0750, permitted set only), which
 *   1. raises its permitted capabilities to inheritable and ambient, so that
 *      they survive the execve of a binary without file capabilities;
 *   2. replaces the environment with an allow-list, a fixed PATH, and
 *      OTUI_ASSET_ROOT naming a root-owned copy of OpenTUI's native library:
 *      otherwise Bun extracts the embedded copy to /tmp/.bun-UID-*.so, a
 *      file the caller owns and could rewrite while bpftop has it mapped;
 *   3. changes to "/", so nothing can be read from the caller's directory;
 *   4. execs the root-owned bpftop binary at a path fixed at compile time.
 * argv is passed through unchanged. bpftop clears the ambient set at start-up,
 * so nothing it might spawn inherits the capabilities.
 *
 * Build (scripts/install.sh does): cc -DBPFTOP_BINARY='"/usr/local/lib/bpftop/bpftop"'
 *   -DBPFTOP_ASSET_ROOT='"/usr/local/lib/bpftop/opentui"' -DOPENTUI_LIBRARY='"@opentui/core-linux-x64/libopentui.so"'
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if !defined(BPFTOP_BINARY) || !defined(BPFTOP_ASSET_ROOT) || !defined(OPENTUI_LIBRARY)
#error "define BPFTOP_BINARY, BPFTOP_ASSET_ROOT and OPENTUI_LIBRARY (see above)"
#endif

extern char **environ;

#define SAFE_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAX_ENV 64

/* Variables bpftop's terminal output and user lookup need; "LC_" matches LC_ALL, LC_CTYPE, ... */
static const char *const allowed[] = {
  "TERM=", "COLORTERM=", "LANG=", "LC_", "NO_COLOR=", "HOME=", "USER=", "LOGNAME=", NULL,
};

static int die(const char *what) {
  fprintf(stderr, "bpftop-launcher: %s: %s\n", what, strerror(errno));
  return 126; /* the shell's "found but could not run" */
}

/* Only root may be able to change what runs with the capabilities. */
static int not_root_only(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return die(path);
  if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
    fprintf(stderr, "bpftop-launcher: %s must be a regular file owned by root and writable only by root\n", path);
    return 126;
  }
  return 0;
}

static int is_allowed(const char *entry) {
  for (const char *p = entry; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f) return 0; /* no control characters, no escape sequences */
  for (int i = 0; allowed[i]; i++)
    if (strncmp(entry, allowed[i], strlen(allowed[i])) == 0) return strchr(entry, '=') != NULL;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 1) return 126; /* an empty argv would reach bpftop as something it never expects */

  /* Permitted -> inheritable, then each permitted capability -> ambient. */
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
  if (syscall(SYS_capget, &hdr, caps) != 0) return die("capget");
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) caps[i].inheritable = caps[i].permitted;
  if (syscall(SYS_capset, &hdr, caps) != 0) return die("capset");
  for (unsigned cap = 0; cap < 32 * _LINUX_CAPABILITY_U32S_3; cap++)
    if (caps[cap / 32].permitted & (1u << (cap % 32)))
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) return die("raising ambient capabilities");

  char *env[MAX_ENV + 3] = { SAFE_PATH, "OTUI_ASSET_ROOT=" BPFTOP_ASSET_ROOT };
  int n = 2;
  for (char **e = environ; *e && n < MAX_ENV + 2; e++)
    if (is_allowed(*e)) env[n++] = *e;
  env[n] = NULL;

  if (chdir("/") != 0) return die("chdir /");

  if (not_root_only(BPFTOP_BINARY) || not_root_only(BPFTOP_ASSET_ROOT "/" OPENTUI_LIBRARY)) return 126;

  execve(BPFTOP_BINARY, argv, env);
  return die(BPFTOP_BINARY);
}
