/* lp-fetch-sandbox.c: the seccomp allow-list of the unprivileged download helper
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list was measured, not guessed: strace -f of the transport suite
 * (LpClient register/check/download over TLS, proxies, deadlines) and of the
 * verify suite's archive tests (libarchive with gzip, xz, bzip2 and zstd),
 * keeping only the test programs' own threads, minus what only the test
 * harness does (fork/exec of servers, writing files, rename, chmod, fsync).
 * Resolver paths the loopback tests never reach (UDP DNS, nscd, netlink for
 * AI_ADDRCONFIG) were added from glibc's getaddrinfo.
 */
#include "config.h"

#define G_LOG_DOMAIN "livepatch-fetch"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "lp-error.h"
#include "lp-fetch-sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define LP_FETCH_SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LP_FETCH_SANDBOX_ASAN 1
#endif
#endif

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (scmp_filter_ctx, seccomp_release, NULL)

/* Rule actions besides SCMP_ACT_ALLOW, kept as small codes so the table
 * stays a constant initializer. */
typedef enum
{
  LP_RULE_ALLOW,
  LP_RULE_EACCES, /* a refusal the libraries handle: they get an error, not a kill */
  LP_RULE_ENOSYS, /* "not implemented": glibc falls back to an older call */
} LpRuleAction;

typedef struct
{
  const char *name;
  LpRuleAction action;
  guint n_args;
  struct scmp_arg_cmp args[2];
} LpSyscallRule;

/* One rule per line: clang-format would spread each macro over ten. */
/* clang-format off */
#define ARG_EQ(n, v) { .arg = (n), .op = SCMP_CMP_EQ, .datum_a = (scmp_datum_t) (v) }
#define ARG_BITS(n, mask, v) \
  { .arg = (n), .op = SCMP_CMP_MASKED_EQ, .datum_a = (scmp_datum_t) (mask), \
    .datum_b = (scmp_datum_t) (v) }
#define ALLOW(name) { name, LP_RULE_ALLOW, 0, { { 0 } } }
#define ALLOW_IF(name, a) { name, LP_RULE_ALLOW, 1, { a } }
#define ALLOW_IF2(name, a, b) { name, LP_RULE_ALLOW, 2, { a, b } }
#define DENY(name, action) { name, action, 0, { { 0 } } }
#define DENY_IF(name, action, a) { name, action, 1, { a } }
/* clang-format on */

/* Flags that make an open able to change a file. */
#define LP_OPEN_WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)

static const LpSyscallRule lp_fetch_rules[] = {
  /* Process life: exits, signals delivered to us, restarted sleeps. */
  ALLOW ("exit"),
  ALLOW ("exit_group"),
  ALLOW ("restart_syscall"),
  ALLOW ("rt_sigreturn"),
  ALLOW ("rt_sigaction"),
  ALLOW ("rt_sigprocmask"),
  ALLOW ("sigaltstack"),

  /* Memory: malloc, thread stacks, dlopen of GIO modules (glib-networking's
   * TLS backend maps code), and free() giving pages back. */
  ALLOW ("brk"),
  ALLOW ("mmap"),
  ALLOW ("munmap"),
  ALLOW ("mremap"),
  ALLOW ("mprotect"),
  ALLOW ("madvise"),

  /* Threads: GLib's worker, GTask and resolver pools.  glibc creates threads
   * with clone3, whose flags live in memory a filter cannot read; ENOSYS
   * makes glibc fall back to clone, which is allowed only for threads, so
   * the helper cannot fork. */
  DENY ("clone3", LP_RULE_ENOSYS),
  ALLOW_IF ("clone", ARG_BITS (0, CLONE_THREAD, CLONE_THREAD)),
  ALLOW ("futex"),
  ALLOW ("set_robust_list"),
  ALLOW ("rseq"),
  ALLOW ("set_tid_address"),
  ALLOW ("sched_yield"),
  ALLOW ("sched_getaffinity"), /* g_get_num_processors() sizes thread pools */
  /* GLib copies the creating thread's scheduling settings to new pool threads;
   * unprivileged, these can only lower our own priority. */
  ALLOW ("sched_getattr"),
  ALLOW ("sched_setattr"),
  ALLOW_IF ("prctl", ARG_EQ (0, PR_SET_NAME)), /* GLib names its threads */
  ALLOW_IF ("prctl", ARG_EQ (0, PR_GET_NAME)),

  /* Identity and time: GLib, GnuTLS and the resolver ask, nothing changes. */
  ALLOW ("getpid"),
  ALLOW ("gettid"),
  ALLOW ("getppid"),
  ALLOW ("getuid"),
  ALLOW ("geteuid"),
  ALLOW ("getgid"),
  ALLOW ("getegid"),
  ALLOW ("getresuid"),
  ALLOW ("getresgid"),
  ALLOW ("getgroups"),
  ALLOW ("uname"),
  ALLOW ("sysinfo"), /* glibc's qsort sizes its buffer from physical memory */
  ALLOW ("getrlimit"),
  ALLOW_IF2 ("prlimit64", ARG_EQ (0, 0), ARG_EQ (2, 0)), /* read our own limits only */
  ALLOW ("clock_gettime"),
  ALLOW ("clock_getres"),
  ALLOW ("gettimeofday"),
  ALLOW ("time"),
  ALLOW ("clock_nanosleep"),
  ALLOW ("nanosleep"),
  ALLOW ("getrandom"), /* GnuTLS and GLib's hash seeds */

  /* Reading files: CA certificates, /etc/hosts, resolv.conf, nsswitch.conf
   * and the NSS modules it names, gio modules, /proc/self.  An open that
   * could change a file is refused with EACCES. */
  ALLOW_IF ("openat", ARG_BITS (2, LP_OPEN_WRITE_FLAGS, 0)),
  DENY_IF ("openat", LP_RULE_EACCES, ARG_BITS (2, O_WRONLY, O_WRONLY)),
  DENY_IF ("openat", LP_RULE_EACCES, ARG_BITS (2, O_RDWR, O_RDWR)),
  DENY_IF ("openat", LP_RULE_EACCES, ARG_BITS (2, O_CREAT, O_CREAT)),
  DENY_IF ("openat", LP_RULE_EACCES, ARG_BITS (2, O_TRUNC, O_TRUNC)),
  /* Changing the file system fails the same way, as on a read-only mount:
   * GLib and dconf try to create cache directories (GSettings behind the
   * default proxy resolver) and carry on without them. */
  DENY ("mkdir", LP_RULE_EACCES),
  DENY ("mkdirat", LP_RULE_EACCES),
  DENY ("rmdir", LP_RULE_EACCES),
  DENY ("unlink", LP_RULE_EACCES),
  DENY ("unlinkat", LP_RULE_EACCES),
  DENY ("rename", LP_RULE_EACCES),
  DENY ("renameat", LP_RULE_EACCES),
  DENY ("renameat2", LP_RULE_EACCES),
  DENY ("link", LP_RULE_EACCES),
  DENY ("linkat", LP_RULE_EACCES),
  DENY ("symlink", LP_RULE_EACCES),
  DENY ("symlinkat", LP_RULE_EACCES),
  DENY ("chmod", LP_RULE_EACCES),
  DENY ("fchmodat", LP_RULE_EACCES),
  DENY ("truncate", LP_RULE_EACCES),
  ALLOW ("read"),
  ALLOW ("pread64"),
  ALLOW ("readv"),
  ALLOW ("preadv"),
  ALLOW ("lseek"),
  ALLOW ("close"),
  ALLOW ("close_range"),
  ALLOW ("newfstatat"),
  ALLOW ("fstat"),
  ALLOW ("stat"),
  ALLOW ("lstat"),
  ALLOW ("statx"),
  ALLOW ("statfs"), /* libselinux in GIO checks for /sys/fs/selinux */
  ALLOW ("fstatfs"),
  ALLOW ("access"),
  ALLOW ("faccessat"),
  ALLOW ("faccessat2"),
  ALLOW ("readlink"),
  ALLOW ("readlinkat"),
  ALLOW ("getdents64"),
  ALLOW ("getcwd"),

  /* Writing to descriptors already open (stdout/stderr, the reply socket,
   * the module memfd, sockets, eventfds): opening is what the rules above
   * restrict. */
  ALLOW ("write"),
  ALLOW ("writev"),
  ALLOW ("pwrite64"),
  ALLOW ("dup"),
  ALLOW ("dup2"),
  ALLOW ("dup3"),

  /* Descriptor flags and the module memfd's seals. */
  ALLOW_IF ("fcntl", ARG_EQ (1, F_GETFD)),
  ALLOW_IF ("fcntl", ARG_EQ (1, F_SETFD)),
  ALLOW_IF ("fcntl", ARG_EQ (1, F_GETFL)),
  ALLOW_IF ("fcntl", ARG_EQ (1, F_SETFL)),
  ALLOW_IF ("fcntl", ARG_EQ (1, F_DUPFD_CLOEXEC)),
  ALLOW_IF ("fcntl", ARG_EQ (1, F_ADD_SEALS)),
  ALLOW_IF ("fcntl", ARG_EQ (1, F_GET_SEALS)),
  ALLOW ("memfd_create"),
  ALLOW ("ftruncate"),
  ALLOW_IF ("ioctl", ARG_EQ (1, FIONREAD)), /* g_socket_get_available_bytes() */
  ALLOW_IF ("ioctl", ARG_EQ (1, FIONBIO)),
  ALLOW_IF ("ioctl", ARG_EQ (1, FIOCLEX)),
  ALLOW_IF ("ioctl", ARG_EQ (1, TCGETS)), /* isatty() on stdio */

  /* Main loop: GMainContext wakeups and polling. */
  ALLOW ("eventfd2"),
  ALLOW ("pipe2"),
  ALLOW ("poll"),
  ALLOW ("ppoll"),
  ALLOW ("epoll_create1"),
  ALLOW ("epoll_ctl"),
  ALLOW ("epoll_wait"),
  ALLOW ("epoll_pwait"),
  ALLOW ("epoll_pwait2"),

  /* Networking: TCP to the server or proxy, UDP DNS, the nscd and
   * systemd-resolved sockets, NETLINK_ROUTE for getaddrinfo's AI_ADDRCONFIG,
   * the reply socketpair and its SCM_RIGHTS message.  No listen/accept. */
  ALLOW_IF ("socket", ARG_EQ (0, AF_UNIX)),
  ALLOW_IF ("socket", ARG_EQ (0, AF_INET)),
  ALLOW_IF ("socket", ARG_EQ (0, AF_INET6)),
  ALLOW_IF2 ("socket", ARG_EQ (0, AF_NETLINK), ARG_EQ (2, NETLINK_ROUTE)),
  ALLOW_IF ("socketpair", ARG_EQ (0, AF_UNIX)),
  ALLOW ("connect"),
  ALLOW ("bind"), /* the netlink socket of getaddrinfo */
  ALLOW ("getsockname"),
  ALLOW ("getpeername"),
  ALLOW ("getsockopt"),
  ALLOW ("setsockopt"),
  ALLOW ("shutdown"),
  ALLOW ("sendto"),
  ALLOW ("sendmsg"),
  ALLOW ("sendmmsg"), /* the resolver sends the A and AAAA queries at once */
  ALLOW ("recvfrom"),
  ALLOW ("recvmsg"),
  ALLOW ("recvmmsg"),
};

#ifdef LP_FETCH_SANDBOX_ASAN
/* ASan+UBSan builds (tools/check's sanitizer stage) only; never a shipped
 * build.  At exit LeakSanitizer stops the world: it clones a tracer task
 * (CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_UNTRACED, no CLONE_THREAD), lets it
 * trace us with PR_SET_PTRACER, and the tracer PTRACE_ATTACHes every thread
 * listed in /proc/self/task, reads its registers (PTRACE_GETREGS), waits for
 * it with wait4 and detaches.  Without ptrace there is no leak check, and a
 * failed check ends the process with an error, so the least bad option is
 * to allow exactly those ptrace requests in these builds: the helper runs as
 * the unprivileged fetch user and can reach only its own processes. */
static const LpSyscallRule lp_fetch_asan_rules[] = {
  ALLOW_IF ("clone", ARG_EQ (0, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED)),
  ALLOW_IF ("prctl", ARG_EQ (0, PR_SET_PTRACER)),
  ALLOW_IF ("prctl", ARG_EQ (0, PR_SET_PDEATHSIG)), /* the tracer dies with us */
  ALLOW_IF ("prctl", ARG_EQ (0, PR_GET_DUMPABLE)),
  ALLOW_IF ("prctl", ARG_EQ (0, PR_SET_DUMPABLE)), /* the tracer may attach only if set */
  ALLOW_IF ("ptrace", ARG_EQ (0, PTRACE_ATTACH)),
  ALLOW_IF ("ptrace", ARG_EQ (0, PTRACE_GETREGS)),
  ALLOW_IF ("ptrace", ARG_EQ (0, PTRACE_GETREGSET)),
  ALLOW_IF ("ptrace", ARG_EQ (0, PTRACE_CONT)),
  ALLOW_IF ("ptrace", ARG_EQ (0, PTRACE_DETACH)),
  ALLOW ("wait4"),
  /* The runtime's own raw calls are x86_64's legacy ones: the tracer lists
   * /proc/PID/task with open and getdents (read-only opens only). */
  ALLOW_IF ("open", ARG_BITS (1, LP_OPEN_WRITE_FLAGS, 0)),
  ALLOW ("getdents"),
};
#endif

static gboolean sandbox_fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
sandbox_fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  lp_error_failv (error, LP_ERROR_INTERNAL, "sandbox: ", format, args);
  va_end (args);
  return FALSE;
}

static gboolean
refuse_capabilities (GError **error)
{
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

  if (syscall (SYS_capget, &header, data) != 0)
    return sandbox_fail (error, "cannot read capabilities: %s", g_strerror (errno));
  for (guint i = 0; i < G_N_ELEMENTS (data); i++)
    {
      if (data[i].effective != 0 || data[i].permitted != 0)
        return sandbox_fail (error,
                             "refusing to run with capabilities (uid %u); drop privileges first",
                             (guint) geteuid ());
    }
  return TRUE;
}

static uint32_t
rule_action (LpRuleAction action)
{
  switch (action)
    {
      case LP_RULE_EACCES:
        return SCMP_ACT_ERRNO (EACCES);
      case LP_RULE_ENOSYS:
        return SCMP_ACT_ERRNO (ENOSYS);
      case LP_RULE_ALLOW:
      default:
        return SCMP_ACT_ALLOW;
    }
}

/* Names this architecture does not have (stat on arm64, say) are skipped:
 * the table names x86_64's calls and stays valid elsewhere. */
static gboolean
add_rules (scmp_filter_ctx ctx, const LpSyscallRule *rules, gsize n_rules, GError **error)
{
  for (gsize i = 0; i < n_rules; i++)
    {
      int nr = seccomp_syscall_resolve_name (rules[i].name);
      int rc;

      if (nr == __NR_SCMP_ERROR)
        {
          g_debug ("sandbox: no system call %s on this architecture", rules[i].name);
          continue;
        }
      rc = seccomp_rule_add_array (ctx, rule_action (rules[i].action), nr, rules[i].n_args,
                                   rules[i].args);
      if (rc < 0)
        return sandbox_fail (error, "cannot add the rule for %s: %s", rules[i].name,
                             g_strerror (-rc));
    }
  return TRUE;
}

static gboolean
load_filter (GError **error)
{
  g_auto (scmp_filter_ctx) ctx = seccomp_init (SCMP_ACT_KILL_PROCESS);
  int rc;

  if (ctx == NULL)
    return sandbox_fail (error, "cannot create the seccomp filter");
  /* GLib may already run threads (its worker): the filter must cover them. */
  rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  if (rc < 0)
    return sandbox_fail (error, "cannot synchronize the filter across threads: %s",
                         g_strerror (-rc));
  if (!add_rules (ctx, lp_fetch_rules, G_N_ELEMENTS (lp_fetch_rules), error))
    return FALSE;
#ifdef LP_FETCH_SANDBOX_ASAN
  if (!add_rules (ctx, lp_fetch_asan_rules, G_N_ELEMENTS (lp_fetch_asan_rules), error))
    return FALSE;
#endif
  /* abort() and g_error() signal our own threads; no other process. */
  rc = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (tgkill), 1,
                         SCMP_A0 (SCMP_CMP_EQ, getpid ()));
  if (rc < 0)
    return sandbox_fail (error, "cannot add the rule for tgkill: %s", g_strerror (-rc));
  rc = seccomp_load (ctx);
  if (rc < 0)
    return sandbox_fail (error, "cannot load the seccomp filter: %s", g_strerror (-rc));
  return TRUE;
}

gboolean
lp_fetch_sandbox_enter (GError **error)
{
  /* First, so that nothing exec'd from here on can gain privileges; the
   * kernel also requires it of an unprivileged seccomp filter. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return sandbox_fail (error, "cannot set no_new_privs: %s", g_strerror (errno));
  if (!refuse_capabilities (error))
    return FALSE;
  return load_filter (error);
}
