/* test-fetch-sandbox.c: the download helper's seccomp allow-list
 * (src/fetch/lp-fetch-sandbox.c), each case in a forked child
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lp-error.h"
#include "lp-fetch-sandbox.h"

/* The uid and gid the children drop to when the test runs as root, as
 * livepatchd drops to the fetch user before it starts the helper. */
#define UNPRIVILEGED_ID 65534

typedef void (*ChildBody) (gpointer data);

static void
drop_privileges (void)
{
  if (geteuid () != 0)
    return;
  if (setgroups (0, NULL) != 0 ||
      setresgid (UNPRIVILEGED_ID, UNPRIVILEGED_ID, UNPRIVILEGED_ID) != 0 ||
      setresuid (UNPRIVILEGED_ID, UNPRIVILEGED_ID, UNPRIVILEGED_ID) != 0)
    {
      g_printerr ("cannot drop privileges: %s\n", g_strerror (errno));
      _exit (98);
    }
}

/* Forks a child that drops privileges, enters the sandbox and runs @body;
 * returns its wait status.  A child that cannot enter exits 99. */
static int
run_sandboxed (ChildBody body, gpointer data)
{
  struct rlimit no_core = { 0, 0 };
  int status = 0;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr (GError) error = NULL;

      /* A SIGSYS kill would otherwise leave a core file per case. */
      setrlimit (RLIMIT_CORE, &no_core);
      drop_privileges ();
      if (!lp_fetch_sandbox_enter (&error))
        {
          g_printerr ("cannot enter the sandbox: %s\n", error->message);
          _exit (99);
        }
      body (data);
      /* exit(), not _exit(): in the sanitizer build LeakSanitizer runs its
       * check at exit, inside the sandbox, as it will in the helper. */
      exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return status;
}

static void
assert_exited_zero (int status)
{
  if (WIFSIGNALED (status))
    g_error ("child killed by signal %d (%s)", WTERMSIG (status), g_strsignal (WTERMSIG (status)));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
assert_killed_by_sigsys (int status)
{
  if (WIFEXITED (status))
    g_error ("child exited %d instead of being killed", WEXITSTATUS (status));
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGSYS);
}

/* --- allowed work --- */

static void
seal_memfd (void)
{
  const char payload[] = "module bytes";
  int fd = memfd_create ("lp-module", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  int seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, payload, sizeof payload), ==, sizeof payload);
  g_assert_cmpint (fcntl (fd, F_ADD_SEALS, seals), ==, 0);
  g_assert_cmpint (fcntl (fd, F_GET_SEALS), ==, seals);
  g_assert_cmpint (write (fd, payload, 1), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  close (fd);
}

static void
send_memfd_over_socketpair (void)
{
  int pair[2];
  int fd = memfd_create ("lp-module", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  char byte = 'm';
  struct iovec iov = { &byte, 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control = { { 0 } };
  struct msghdr msg = { .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), ==, 0);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof fd);
  g_assert_cmpint (sendmsg (pair[0], &msg, MSG_NOSIGNAL), ==, 1);
  msg.msg_controllen = sizeof control.buf;
  g_assert_cmpint (recvmsg (pair[1], &msg, MSG_CMSG_CLOEXEC), ==, 1);
  close (pair[0]);
  close (pair[1]);
  close (fd);
}

static void
connect_loopback (guint16 port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = g_htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);

  addr.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (write (fd, "GET", 3), ==, 3);
  close (fd);
}

typedef struct
{
  GMainContext *context;
  GMainLoop *loop;
  char *digest;
} ThreadWork;

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
checksum_thread (gpointer data)
{
  ThreadWork *work = data;

  work->digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "abc", -1);
  g_main_context_invoke (work->context, quit_loop_cb, work->loop);
  return NULL;
}

static void
run_thread_and_loop (void)
{
  ThreadWork work = { g_main_context_new (), NULL, NULL };
  g_autoptr (GThread) thread = NULL;

  work.loop = g_main_loop_new (work.context, FALSE);
  g_main_context_push_thread_default (work.context);
  thread = g_thread_new ("lp-sandbox-test", checksum_thread, &work);
  g_main_loop_run (work.loop);
  g_thread_join (g_steal_pointer (&thread));
  g_main_context_pop_thread_default (work.context);
  g_assert_cmpstr (work.digest, ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_free (work.digest);
  g_main_loop_unref (work.loop);
  g_main_context_unref (work.context);
}

static void
allowed_work_body (gpointer data)
{
  g_autofree char *hosts = NULL;

  seal_memfd ();
  send_memfd_over_socketpair ();
  connect_loopback (GPOINTER_TO_UINT (data));
  run_thread_and_loop ();
  g_assert_true (g_file_get_contents ("/etc/hosts", &hosts, NULL, NULL));
}

static int
listen_loopback (guint16 *out_port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  addr.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 4), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  *out_port = g_ntohs (addr.sin_port);
  return fd;
}

static void
test_allowed_work (void)
{
  guint16 port = 0;
  int listener = listen_loopback (&port);

  assert_exited_zero (run_sandboxed (allowed_work_body, GUINT_TO_POINTER (port)));
  close (listener);
}

/* Opening for writing or changing the file system is an error the
 * libraries can report, not a kill. */
static void
open_for_writing_body (gpointer data)
{
  const char *path = data;

  g_assert_cmpint (open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600), ==, -1);
  g_assert_cmpint (errno, ==, EACCES);
  g_assert_cmpint (open ("/etc/hosts", O_RDWR | O_CLOEXEC), ==, -1);
  g_assert_cmpint (errno, ==, EACCES);
  g_assert_cmpint (mkdir (path, 0700), ==, -1);
  g_assert_cmpint (errno, ==, EACCES);
}

static void
test_open_for_writing_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lp-sandbox-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "written", NULL);

  g_assert_nonnull (dir);
  g_assert_cmpint (chmod (dir, 0777), ==, 0);
  assert_exited_zero (run_sandboxed (open_for_writing_body, path));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (rmdir (dir), ==, 0);
}

/* glibc makes threads with clone3; ENOSYS sends it back to clone. */
static void
clone3_body (gpointer data)
{
  g_assert_cmpint (syscall (SYS_clone3, NULL, 0), ==, -1);
  g_assert_cmpint (errno, ==, ENOSYS);
}

static void
test_clone3_not_implemented (void)
{
  assert_exited_zero (run_sandboxed (clone3_body, NULL));
}

/* --- forbidden system calls: each must kill the child --- */

static void
forbidden_ptrace (void)
{
  ptrace (PTRACE_TRACEME, 0, NULL, NULL);
}

static void
forbidden_mount (void)
{
  mount ("none", "/tmp", "tmpfs", 0, NULL);
}

static void
forbidden_setuid (void)
{
  syscall (SYS_setuid, 0);
}

static void
forbidden_init_module (void)
{
  syscall (SYS_init_module, NULL, 0, "");
}

static void
forbidden_fork (void)
{
  pid_t pid = fork ();

  if (pid == 0)
    _exit (0);
}

static void
forbidden_execve (void)
{
  char *argv[] = { (char *) "/bin/true", NULL };

  execv (argv[0], argv);
}

static void
forbidden_unshare (void)
{
  unshare (CLONE_NEWUSER);
}

static void
forbidden_packet_socket (void)
{
  socket (AF_PACKET, SOCK_RAW, 0);
}

static void
forbidden_kill_parent (void)
{
  kill (getppid (), 0);
}

static void
forbidden_body (gpointer data)
{
  void (*call) (void) = (void (*) (void)) data;

  call ();
  /* Still alive: the filter let the call through. */
  _exit (3);
}

typedef struct
{
  const char *name;
  void (*call) (void);
} ForbiddenCase;

static const ForbiddenCase forbidden_cases[] = {
  { "ptrace-traceme", forbidden_ptrace },
  { "mount", forbidden_mount },
  { "setuid", forbidden_setuid },
  { "init-module", forbidden_init_module },
  { "fork", forbidden_fork },
  { "execve", forbidden_execve },
  { "unshare", forbidden_unshare },
  { "packet-socket", forbidden_packet_socket },
  { "kill-other-process", forbidden_kill_parent },
};

static void
test_forbidden (gconstpointer data)
{
  const ForbiddenCase *fc = data;

  assert_killed_by_sigsys (run_sandboxed (forbidden_body, (gpointer) fc->call));
}

/* --- a helper still holding capabilities is refused --- */

static void
test_refuse_capabilities (void)
{
  int status = 0;
  pid_t pid;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root with capabilities: the refusal is what is tested");
      return;
    }
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (lp_fetch_sandbox_enter (&error));
      g_assert_error (error, LP_ERROR, LP_ERROR_INTERNAL);
      g_assert_cmpstr (error->message, ==,
                       "sandbox: refusing to run with capabilities (uid 0); drop privileges first");
      /* No filter was loaded: a call the filter would kill still works. */
      g_assert_cmpint (getppid (), >, 1);
      g_assert_cmpint (kill (getppid (), 0), ==, 0);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  assert_exited_zero (status);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fetch-sandbox/allowed-work", test_allowed_work);
  g_test_add_func ("/fetch-sandbox/open-for-writing-refused", test_open_for_writing_refused);
  g_test_add_func ("/fetch-sandbox/clone3-not-implemented", test_clone3_not_implemented);
  for (gsize i = 0; i < G_N_ELEMENTS (forbidden_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/fetch-sandbox/kill/%s", forbidden_cases[i].name);

      g_test_add_data_func (path, &forbidden_cases[i], test_forbidden);
    }
  g_test_add_func ("/fetch-sandbox/refuse-capabilities", test_refuse_capabilities);
  return g_test_run ();
}
