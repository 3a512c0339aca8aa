/* lp-fetcher.c: starting livepatch-fetch, unprivileged, and taking its reply
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fetcher"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>

#include "lp-client.h"
#include "lp-error.h"
#include "lp-fetcher.h"

/* Lines of the helper's stderr logged per run, and bytes per line. */
#define LP_FETCHER_MAX_LOG_LINES 100
#define LP_FETCHER_MAX_LOG_LINE 1024

struct _LpFetcher
{
  GObject parent_instance;
  LpConfig *config;
  char *token_origin; /* NULL = remote-server's */
};

G_DEFINE_TYPE (LpFetcher, lp_fetcher, G_TYPE_OBJECT)

/* Who the helper runs as; resolved before the fork, used in the child. */
typedef struct
{
  gboolean switch_user;
  uid_t uid;
  gid_t gid;
} LpFetchIdentity;

/* One helper process and what it has sent so far. */
typedef struct
{
  LpFetchOperation op;
  LpFetchIdentity identity;
  GSubprocess *process;
  GCancellable *cancellable;
  gulong cancel_id;
  int socket_fd;
  guint socket_source;
  guint deadline_source;
  GByteArray *received;   /* bytes not yet taken as records */
  GBytes *reply;          /* the reply record's payload, once complete */
  int module_fd;          /* received with SCM_RIGHTS, -1 = none */
  GError *failure;        /* the first thing that went wrong on our side */
  gboolean socket_closed; /* EOF, or we stopped reading */
  gboolean exited;
  gboolean returned; /* the task has its result */
  guint log_lines;
  guint64 total; /* download size, for progress */
  LpFetchProgressFunc progress;
  gpointer progress_data;
} LpFetchRun;

static void
lp_fetch_run_stop_reading (LpFetchRun *run)
{
  g_clear_handle_id (&run->socket_source, g_source_remove);
  if (run->socket_fd >= 0)
    close (run->socket_fd);
  run->socket_fd = -1;
  run->socket_closed = TRUE;
}

static void
lp_fetch_run_free (LpFetchRun *run)
{
  lp_fetch_run_stop_reading (run);
  g_clear_handle_id (&run->deadline_source, g_source_remove);
  if (run->cancellable != NULL)
    g_cancellable_disconnect (run->cancellable, run->cancel_id);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->process);
  g_byte_array_unref (run->received);
  g_clear_pointer (&run->reply, g_bytes_unref);
  if (run->module_fd >= 0)
    close (run->module_fd);
  g_clear_error (&run->failure);
  g_free (run);
}

/* The first failure wins; the helper is killed so the run ends soon. */
static void
lp_fetch_run_fail (LpFetchRun *run, GError *error)
{
  if (run->failure == NULL)
    run->failure = error;
  else
    g_error_free (error);
  lp_fetch_run_stop_reading (run);
  if (!run->exited)
    g_subprocess_force_exit (run->process);
}

/* ---- completion ---- */

static GError *
lp_fetch_run_exit_error (LpFetchRun *run)
{
  GSubprocess *p = run->process;

  if (g_subprocess_get_if_signaled (p))
    return g_error_new (LP_ERROR, LP_ERROR_INTERNAL, "livepatch-fetch crashed (signal %d: %s)",
                        g_subprocess_get_term_sig (p), g_strsignal (g_subprocess_get_term_sig (p)));
  if (run->reply == NULL)
    return g_error_new (LP_ERROR, LP_ERROR_INTERNAL,
                        "livepatch-fetch exited with status %d without a reply",
                        g_subprocess_get_exit_status (p));
  return NULL;
}

/* A module must be a memfd that nobody can change any more. */
static gboolean
lp_fetch_check_module_fd (int fd, guint64 size, GError **error)
{
  int seals = fcntl (fd, F_GET_SEALS);
  struct stat st;

  if (seals < 0 || (seals & LP_FETCH_MODULE_SEALS) != LP_FETCH_MODULE_SEALS)
    return lp_error_fail (error, LP_ERROR_INTERNAL,
                          "livepatch-fetch sent a module fd without all four seals");
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size != size)
    return lp_error_fail (error, LP_ERROR_INTERNAL,
                          "livepatch-fetch sent a module fd that is not the %" G_GUINT64_FORMAT
                          " bytes it announced",
                          size);
  return TRUE;
}

static LpFetchResult *
lp_fetch_run_result (LpFetchRun *run, GError **error)
{
  g_autoptr (LpFetchResult) result = NULL;
  GError *exit_error;

  if (run->failure != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run->failure));
      return NULL;
    }
  exit_error = lp_fetch_run_exit_error (run);
  if (exit_error != NULL)
    {
      g_propagate_error (error, exit_error);
      return NULL;
    }
  result = lp_fetch_result_parse (run->op, run->reply, error);
  if (result == NULL)
    return NULL;
  if ((run->op == LP_FETCH_DOWNLOAD) != (run->module_fd >= 0))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "livepatch-fetch sent %s",
                   run->module_fd >= 0 ? "an fd it was not asked for" : "no module fd");
      return NULL;
    }
  if (run->module_fd >= 0 && !lp_fetch_check_module_fd (run->module_fd, result->module_size, error))
    return NULL;
  result->module_fd = run->module_fd;
  run->module_fd = -1;
  return g_steal_pointer (&result);
}

/* Takes @task_ref: ends the run once the helper has exited and its socket
 * is closed (either may come first). */
static void
lp_fetch_run_maybe_done (GTask *task_ref)
{
  g_autoptr (GTask) task = task_ref;
  LpFetchRun *run = g_task_get_task_data (task);
  GError *error = NULL;
  LpFetchResult *result;

  if (!run->exited || !run->socket_closed || run->returned)
    return;
  run->returned = TRUE;
  result = lp_fetch_run_result (run, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) lp_fetch_result_free);
}

static void lp_fetch_run_drain (LpFetchRun *run);

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  LpFetchRun *run = g_task_get_task_data (task);

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  run->exited = TRUE;
  g_clear_handle_id (&run->deadline_source, g_source_remove);
  /* Whatever it sent is in the socket buffer: read it all before judging,
   * then stop. A process it left behind holding fd 3 does not keep the run
   * open (and with no deadline any more, that could be for ever). */
  lp_fetch_run_drain (run);
  lp_fetch_run_maybe_done (task);
}

/* ---- records ---- */

static gboolean
lp_fetch_run_take_record (LpFetchRun *run, GError **error)
{
  LpFetchRecordHeader header;

  if (run->received->len < sizeof header)
    return FALSE;
  memcpy (&header, run->received->data, sizeof header);
  if (run->reply != NULL)
    return lp_error_fail (error, LP_ERROR_INTERNAL, "livepatch-fetch sent data after its reply");
  if (header.kind == LP_FETCH_RECORD_PROGRESS && header.length != sizeof (guint64))
    return lp_error_fail (error, LP_ERROR_INTERNAL, "livepatch-fetch sent a bad progress record");
  if (header.kind != LP_FETCH_RECORD_PROGRESS && header.kind != LP_FETCH_RECORD_REPLY)
    return lp_error_fail (error, LP_ERROR_INTERNAL, "livepatch-fetch sent a record of kind %u",
                          header.kind);
  if (header.length > LP_FETCH_REPLY_MAX_SIZE)
    return lp_error_fail (error, LP_ERROR_INTERNAL,
                          "livepatch-fetch sent a reply of %u bytes, over the cap", header.length);
  if (run->received->len - sizeof header < header.length)
    return FALSE;
  if (header.kind == LP_FETCH_RECORD_REPLY)
    run->reply = g_bytes_new (run->received->data + sizeof header, header.length);
  else if (run->progress != NULL)
    {
      guint64 received;

      memcpy (&received, run->received->data + sizeof header, sizeof received);
      run->progress (MIN (received, run->total), run->total, run->progress_data);
    }
  g_byte_array_remove_range (run->received, 0, sizeof header + header.length);
  return TRUE;
}

static gboolean
lp_fetch_run_take_fds (LpFetchRun *run, struct msghdr *msg, GError **error)
{
  gboolean ok = (msg->msg_flags & MSG_CTRUNC) == 0;

  for (struct cmsghdr *c = CMSG_FIRSTHDR (msg); c != NULL; c = CMSG_NXTHDR (msg, c))
    {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      for (gsize i = 0; i < (c->cmsg_len - CMSG_LEN (0)) / sizeof (int); i++)
        {
          int fd;

          memcpy (&fd, CMSG_DATA (c) + i * sizeof (int), sizeof fd);
          if (run->module_fd < 0 && ok)
            run->module_fd = fd;
          else
            {
              close (fd);
              ok = FALSE;
            }
        }
    }
  if (!ok)
    return lp_error_fail (error, LP_ERROR_INTERNAL, "livepatch-fetch sent more than one fd");
  return TRUE;
}

typedef enum
{
  LP_FETCH_READ_MORE, /* got bytes; there may be more */
  LP_FETCH_READ_WAIT, /* nothing now */
  LP_FETCH_READ_DONE, /* EOF or a failure (@error set) */
} LpFetchReadState;

static LpFetchReadState
lp_fetch_run_read_once (LpFetchRun *run, GError **error)
{
  guint8 data[65536];
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (4 * sizeof (int))];
  } control;
  struct iovec iov = { data, sizeof data };
  struct msghdr msg = { .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  ssize_t n = recvmsg (run->socket_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  GError *local_error = NULL;

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return LP_FETCH_READ_WAIT;
  if (n < 0)
    {
      lp_error_fail (error, LP_ERROR_INTERNAL, "reading from livepatch-fetch: %s",
                     g_strerror (errno));
      return LP_FETCH_READ_DONE;
    }
  if (!lp_fetch_run_take_fds (run, &msg, error) || n == 0)
    return LP_FETCH_READ_DONE;
  g_byte_array_append (run->received, data, n);
  while (lp_fetch_run_take_record (run, &local_error))
    ;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return LP_FETCH_READ_DONE;
    }
  return LP_FETCH_READ_MORE;
}

static gboolean
socket_cb (int fd, GIOCondition condition, gpointer user_data)
{
  GTask *task = user_data;
  LpFetchRun *run = g_task_get_task_data (task);
  GError *error = NULL;

  for (guint i = 0; i < 64; i++) /* at most 4 MiB a turn: others run too */
    {
      switch (lp_fetch_run_read_once (run, &error))
        {
          case LP_FETCH_READ_MORE:
            continue;
          case LP_FETCH_READ_WAIT:
            return G_SOURCE_CONTINUE;
          case LP_FETCH_READ_DONE:
            run->socket_source = 0;
            if (error != NULL)
              lp_fetch_run_fail (run, error);
            lp_fetch_run_stop_reading (run);
            lp_fetch_run_maybe_done (g_object_ref (task));
            return G_SOURCE_REMOVE;
        }
    }
  return G_SOURCE_CONTINUE;
}

/* After the helper exited: what the socket holds now is all it sent. */
static void
lp_fetch_run_drain (LpFetchRun *run)
{
  GError *error = NULL;

  while (!run->socket_closed && lp_fetch_run_read_once (run, &error) == LP_FETCH_READ_MORE)
    ;
  if (error != NULL)
    lp_fetch_run_fail (run, error);
  lp_fetch_run_stop_reading (run);
}

/* ---- stderr: the helper's log lines, through the daemon's own logging
 * (and so its redactor) ---- */

static void
log_line_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LpFetchRun *run = g_task_get_task_data (task);
  GDataInputStream *lines = G_DATA_INPUT_STREAM (source);
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (lines, result, NULL, NULL);

  if (line == NULL)
    return;
  if (run->log_lines++ < LP_FETCHER_MAX_LOG_LINES)
    {
      if (strlen (line) > LP_FETCHER_MAX_LOG_LINE)
        line[LP_FETCHER_MAX_LOG_LINE] = '\0';
      g_message ("livepatch-fetch: %s", line);
    }
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, log_line_cb,
                                       g_steal_pointer (&task));
}

static void
lp_fetch_run_log_stderr (GTask *task)
{
  LpFetchRun *run = g_task_get_task_data (task);
  g_autoptr (GDataInputStream) lines =
      g_data_input_stream_new (g_subprocess_get_stderr_pipe (run->process));

  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, log_line_cb,
                                       g_object_ref (task));
}

/* ---- starting ---- */

/* In the child, between fork and exec: only async-signal-safe calls. With
 * uid 0 gone every capability goes too; no-new-privs keeps set-uid binaries
 * and file capabilities from giving any back. */
static void
drop_privileges (gpointer user_data)
{
  const LpFetchIdentity *id = user_data;

  if (id->switch_user && (setgroups (0, NULL) != 0 || setresgid (id->gid, id->gid, id->gid) != 0 ||
                          setresuid (id->uid, id->uid, id->uid) != 0))
    _exit (126);
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl (PR_SET_PDEATHSIG, SIGKILL) != 0)
    _exit (126);
}

static gboolean
lp_fetch_resolve_identity (LpFetchIdentity *id, GError **error)
{
  const char *user = g_getenv (LP_FETCHER_USER_ENV);
  struct passwd *pw;

  if (user == NULL || *user == '\0')
    user = LP_FETCH_USER;
  id->switch_user = geteuid () == 0;
  if (!id->switch_user)
    return TRUE; /* not root: the helper runs as we do */
  pw = getpwnam (user);
  if (pw == NULL || pw->pw_uid == 0)
    return lp_error_fail (error, LP_ERROR_INTERNAL,
                          "cannot run livepatch-fetch: the user \"%s\" %s", user,
                          pw == NULL ? "does not exist (systemd-sysusers creates it)" : "is root");
  id->uid = pw->pw_uid;
  id->gid = pw->pw_gid;
  return TRUE;
}

static const char *
lp_fetch_helper_path (void)
{
  const char *path = g_getenv (LP_FETCHER_HELPER_ENV);

  return path != NULL && *path != '\0' ? path : LP_FETCH_HELPER_PATH;
}

static GSubprocess *
lp_fetch_run_spawn (LpFetchRun *run, int child_fd, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                 G_SUBPROCESS_FLAGS_STDERR_PIPE);
  GSubprocess *process;

  g_subprocess_launcher_set_cwd (launcher, "/");
  /* Nothing that would make GLib in the helper reach for a session bus,
   * dconf or a home directory it cannot read. */
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "XDG_RUNTIME_DIR");
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "GIO_USE_VFS", "local", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", "/", TRUE);
  g_subprocess_launcher_take_fd (launcher, child_fd, 3);
  g_subprocess_launcher_set_child_setup (launcher, drop_privileges, &run->identity, NULL);
  process = g_subprocess_launcher_spawn (launcher, error, lp_fetch_helper_path (), NULL);
  if (process == NULL)
    g_prefix_error (error, "cannot start livepatch-fetch: ");
  return process;
}

static void
request_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GBytes) request = user_data;

  /* A helper that died before reading gets judged by its exit. */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  g_output_stream_close (G_OUTPUT_STREAM (source), NULL, NULL);
}

static gboolean
deadline_cb (gpointer user_data)
{
  LpFetchRun *run = g_task_get_task_data (G_TASK (user_data));

  run->deadline_source = 0;
  lp_fetch_run_fail (run, g_error_new (LP_ERROR, LP_ERROR_INTERNAL,
                                       "livepatch-fetch did not finish in time and was killed"));
  lp_fetch_run_maybe_done (g_object_ref (G_TASK (user_data)));
  return G_SOURCE_REMOVE;
}

static gboolean
cancel_idle_cb (gpointer user_data)
{
  LpFetchRun *run = g_task_get_task_data (G_TASK (user_data));

  lp_fetch_run_fail (run, g_error_new_literal (LP_ERROR, LP_ERROR_CANCELLED, "cancelled"));
  lp_fetch_run_maybe_done (g_object_ref (G_TASK (user_data)));
  return G_SOURCE_REMOVE;
}

/* Not in the handler itself: ending the run there could drop the task's
 * last reference, and lp_fetch_run_free()'s g_cancellable_disconnect()
 * would then wait for this very handler to return, for ever. */
static void
cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, cancel_idle_cb, g_object_ref (user_data), g_object_unref);
}

static guint
lp_fetch_deadline (LpFetchOperation op, guint64 size)
{
  const char *test = g_getenv (LP_FETCHER_DEADLINE_ENV);
  guint64 seconds = LP_CLIENT_REQUEST_DEADLINE + LP_FETCHER_GRACE;

  if (test != NULL && g_ascii_strtoull (test, NULL, 10) > 0)
    return (guint) MIN (g_ascii_strtoull (test, NULL, 10), 3600);
  if (op == LP_FETCH_DOWNLOAD)
    seconds += size / LP_CLIENT_MIN_DOWNLOAD_RATE;
  return (guint) seconds;
}

static GVariant *
lp_fetcher_request (LpFetcher *self, LpFetchOperation op, GVariant *args)
{
  g_autoptr (GHashTable) values = lp_config_dup_values (self->config);
  GVariantBuilder config;
  GHashTableIter iter;
  gpointer key, value;

  g_variant_builder_init (&config, G_VARIANT_TYPE ("a{ss}"));
  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_variant_builder_add (&config, "{ss}", key, value);
  return g_variant_ref_sink (g_variant_new ("(s@a{ss}@a{sv})", lp_fetch_operation_to_string (op),
                                            g_variant_builder_end (&config), args));
}

static gboolean
lp_fetch_run_start (LpFetcher *self, GTask *task, GVariant *args, GError **error)
{
  LpFetchRun *run = g_task_get_task_data (task);
  g_autoptr (GVariant) request = lp_fetcher_request (self, run->op, args);
  GBytes *bytes;
  int fds[2];

  if (!lp_fetch_resolve_identity (&run->identity, error))
    return FALSE;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return lp_error_fail (error, LP_ERROR_INTERNAL, "socketpair: %s", g_strerror (errno));
  run->socket_fd = fds[0];
  run->process = lp_fetch_run_spawn (run, fds[1], error);
  if (run->process == NULL)
    {
      g_clear_error (error);
      return lp_error_fail (error, LP_ERROR_INTERNAL, "cannot start livepatch-fetch (%s)",
                            lp_fetch_helper_path ());
    }
  /* The bytes are the callback's to free: they outlive @request. */
  bytes = g_variant_get_data_as_bytes (request);
  g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (run->process),
                                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, NULL, request_written_cb, bytes);
  lp_fetch_run_log_stderr (task);
  run->socket_source =
      g_unix_fd_add_full (run->socket_fd, G_PRIORITY_DEFAULT, G_IO_IN | G_IO_HUP | G_IO_ERR,
                          socket_cb, g_object_ref (task), g_object_unref);
  run->deadline_source =
      g_timeout_add_seconds (lp_fetch_deadline (run->op, run->total), deadline_cb, task);
  g_subprocess_wait_async (run->process, NULL, wait_cb, g_object_ref (task));
  return TRUE;
}

/* ---- public ---- */

void
lp_fetcher_run_async (LpFetcher *self, LpFetchOperation op, GVariant *args,
                      LpFetchProgressFunc progress, gpointer progress_data,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GVariant) owned_args = g_variant_ref_sink (args);
  g_autoptr (GVariantDict) dict = g_variant_dict_new (args);
  LpFetchRun *run = g_new0 (LpFetchRun, 1);
  GError *error = NULL;

  g_return_if_fail (LP_IS_FETCHER (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lp_fetcher_run_async);
  g_task_set_check_cancellable (task, FALSE);
  run->op = op;
  run->socket_fd = -1;
  run->module_fd = -1;
  run->received = g_byte_array_new ();
  run->progress = progress;
  run->progress_data = progress_data;
  g_variant_dict_lookup (dict, "size", "t", &run->total);
  if (self->token_origin != NULL && !g_variant_dict_contains (dict, "token-origin"))
    g_variant_dict_insert (dict, "token-origin", "s", self->token_origin);
  g_task_set_task_data (task, run, (GDestroyNotify) lp_fetch_run_free);
  if (!lp_fetch_run_start (self, task, g_variant_dict_end (dict), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (cancellable != NULL)
    {
      run->cancellable = g_object_ref (cancellable);
      run->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), task, NULL);
    }
}

LpFetchResult *
lp_fetcher_run_finish (LpFetcher *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lp_fetcher_set_token_origin (LpFetcher *self, const char *origin)
{
  g_return_if_fail (LP_IS_FETCHER (self));
  g_free (self->token_origin);
  self->token_origin = g_strdup (origin);
}

LpFetcher *
lp_fetcher_new (LpConfig *config)
{
  LpFetcher *self = g_object_new (LP_TYPE_FETCHER, NULL);

  self->config = g_object_ref (config);
  return self;
}

static void
lp_fetcher_finalize (GObject *object)
{
  LpFetcher *self = LP_FETCHER (object);

  g_clear_object (&self->config);
  g_free (self->token_origin);
  G_OBJECT_CLASS (lp_fetcher_parent_class)->finalize (object);
}

static void
lp_fetcher_class_init (LpFetcherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lp_fetcher_finalize;
}

static void
lp_fetcher_init (LpFetcher *self)
{
}
