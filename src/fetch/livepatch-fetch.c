/* livepatch-fetch: one server operation for livepatchd, run as an
 * unprivileged user in a seccomp sandbox (docs/ARCHITECTURE.md, "Privilege
 * separation")
 *
 * livepatchd starts it for each register, check, CVE data fetch, download
 * and deregister. It reads the request from stdin (LP_FETCH_REQUEST_TYPE),
 * does the HTTPS exchange with LpClient, parses what the server sent (JSON,
 * and for a download the tarball and patch.json), and writes records to fd
 * 3: progress, then one reply (lp-fetch-message.h). A downloaded module goes
 * with the reply as a sealed memfd. Nothing here is trusted by the daemon
 * beyond what it checks again.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "livepatch-fetch"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-archive.h"
#include "lp-client.h"
#include "lp-cve-json.h"
#include "lp-error.h"
#include "lp-fetch-message.h"
#include "lp-fetch-sandbox.h"
#include "lp-manifest.h"
#include "lp-trust.h"

#define LP_FETCH_REPLY_FD 3
/* The request: configuration (ca-certs is the largest part) and arguments. */
#define LP_FETCH_REQUEST_MAX_SIZE (1024 * 1024)

typedef struct
{
  GMainLoop *loop;
  LpFetchOperation op;
  GVariant *args; /* a{sv} */
  LpClient *client;
  GVariant *reply;    /* what to send, floating until sent */
  int module_fd;      /* download: the sealed module, -1 otherwise */
  int tarball_fd;     /* download: the tarball as received */
  guint last_percent; /* progress sent so far */
} LpFetch;

static const char *
arg_string (LpFetch *fetch, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (fetch->args, key, "&s", &value))
    return "";
  return value;
}

static const char *
arg_optional (LpFetch *fetch, const char *key)
{
  const char *value = arg_string (fetch, key);

  return *value != '\0' ? value : NULL;
}

static gint64
arg_int64 (LpFetch *fetch, const char *key)
{
  gint64 value = 0;

  g_variant_lookup (fetch->args, key, "x", &value);
  return value;
}

/* ---- sending ---- */

static gboolean
write_all (int fd, const void *data, gsize len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= n;
    }
  return TRUE;
}

/* The header goes in one sendmsg with the fd, if any, so the fd is bound to
 * this very record; the payload follows on the stream. */
static gboolean
send_record (guint32 kind, const void *payload, gsize len, int fd)
{
  LpFetchRecordHeader header = { kind, (guint32) len };
  struct iovec iov = { &header, sizeof header };
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  ssize_t n;

  if (fd >= 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));
    }
  do
    n = sendmsg (LP_FETCH_REPLY_FD, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t) sizeof header && write_all (LP_FETCH_REPLY_FD, payload, len);
}

static void
progress_cb (guint64 received, guint64 total, gpointer user_data)
{
  LpFetch *fetch = user_data;
  guint percent = total > 0 ? (guint) (MIN (received, total) * 100 / total) : 0;

  /* A record per percent: enough for the Progress property, few wake-ups. */
  if (percent == fetch->last_percent)
    return;
  fetch->last_percent = percent;
  send_record (LP_FETCH_RECORD_PROGRESS, &received, sizeof received, -1);
}

static void
finish (LpFetch *fetch, GVariant *reply)
{
  fetch->reply = g_variant_ref_sink (reply);
  g_main_loop_quit (fetch->loop);
}

static void
finish_error (LpFetch *fetch, GError *error)
{
  finish (fetch, lp_fetch_reply_new_error (error));
  g_error_free (error);
}

/* ---- the operations ---- */

static void
register_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LpFetch *fetch = user_data;
  GError *error = NULL;
  g_autoptr (LpRegistration) reg = lp_client_register_finish (LP_CLIENT (source), result, &error);

  if (reg == NULL)
    finish_error (fetch, error);
  else
    finish (fetch, lp_fetch_reply_new_registration (reg));
}

static void
check_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LpFetch *fetch = user_data;
  GError *error = NULL;
  g_autoptr (LpCheckReply) reply = lp_client_check_finish (LP_CLIENT (source), result, &error);

  if (reply == NULL)
    finish_error (fetch, error);
  else
    finish (fetch, lp_fetch_reply_new_check (reply));
}

static void
cve_data_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LpFetch *fetch = user_data;
  GError *error = NULL;
  g_autoptr (LpCveReply) reply =
      lp_client_fetch_cve_data_finish (LP_CLIENT (source), result, &error);
  g_autoptr (GVariant) fixes = NULL;
  g_autofree char *digest = NULL;
  gint64 timestamp = 0;

  if (reply == NULL)
    {
      finish_error (fetch, error);
      return;
    }
  if (reply->body == NULL) /* 304, or 404: the server has none */
    {
      finish (fetch, lp_fetch_reply_new_cve_data (reply->not_modified, "", 0, NULL));
      return;
    }
  if (!lp_cve_data_parse (reply->body, reply->etag, &timestamp, &fixes, &error))
    {
      finish_error (fetch, error);
      return;
    }
  digest = g_ascii_strdown (reply->etag, -1);
  finish (fetch, lp_fetch_reply_new_cve_data (FALSE, digest, timestamp, fixes));
}

static void
deregister_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LpFetch *fetch = user_data;
  GError *error = NULL;

  if (!lp_client_deregister_finish (LP_CLIENT (source), result, &error))
    finish_error (fetch, error);
  else
    finish (fetch, lp_fetch_reply_new_done ());
}

/* ---- download: unpack into memory, seal the module ---- */

static char *
read_small_memfd (int fd, gsize max, gsize *out_len, GError **error)
{
  struct stat st;
  g_autofree char *data = NULL;

  if (fstat (fd, &st) < 0 || (guint64) st.st_size > max)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_METADATA, "%s: unreadable or too large",
                   LP_MANIFEST_FILENAME);
      return NULL;
    }
  data = g_malloc (st.st_size + 1);
  if (pread (fd, data, st.st_size, 0) != st.st_size)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "reading %s: %s", LP_MANIFEST_FILENAME,
                   g_strerror (errno));
      return NULL;
    }
  data[st.st_size] = '\0';
  *out_len = st.st_size;
  return g_steal_pointer (&data);
}

static LpManifest *
read_manifest (GHashTable *members, GPtrArray *names, GError **error)
{
  gpointer fd_plus_one = g_hash_table_lookup (members, LP_MANIFEST_FILENAME);
  g_autofree char *json = NULL;
  g_autoptr (LpManifest) manifest = NULL;
  gsize len = 0;

  if (fd_plus_one == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARCHIVE, "patch archive: no %s member",
                   LP_MANIFEST_FILENAME);
      return NULL;
    }
  json = read_small_memfd (GPOINTER_TO_INT (fd_plus_one) - 1, LP_MANIFEST_MAX_SIZE, &len, error);
  if (json == NULL)
    return NULL;
  manifest = lp_manifest_new_from_data (json, len, error);
  if (manifest == NULL || !lp_manifest_check_members (manifest, names, error))
    return NULL;
  return g_steal_pointer (&manifest);
}

/* The module's memfd, sealed so nothing can change it after it is sent. */
static int
take_module (GHashTable *members, LpManifest *manifest, guint64 *out_size, GError **error)
{
  const char *name = lp_manifest_get_module (manifest);
  gpointer key = NULL, fd_plus_one = NULL;
  struct stat st;
  int fd;

  g_hash_table_steal_extended (members, name, &key, &fd_plus_one);
  g_free (key);
  fd = GPOINTER_TO_INT (fd_plus_one) - 1;
  if (fcntl (fd, F_ADD_SEALS, LP_FETCH_MODULE_SEALS) < 0 || fstat (fd, &st) < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "sealing the module: %s",
                   g_strerror (errno));
      close (fd);
      return -1;
    }
  *out_size = st.st_size;
  return fd;
}

static void
unpack (LpFetch *fetch)
{
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (GHashTable) members = NULL;
  g_autoptr (LpManifest) manifest = NULL;
  GError *error = NULL;
  guint64 size = 0;

  if (lseek (fetch->tarball_fd, 0, SEEK_SET) < 0)
    {
      finish_error (fetch, g_error_new (LP_ERROR, LP_ERROR_INTERNAL, "rewinding the download: %s",
                                        g_strerror (errno)));
      return;
    }
  members = lp_archive_extract_to_memory (fetch->tarball_fd, NULL, &names, &error);
  if (members != NULL)
    manifest = read_manifest (members, names, &error);
  if (manifest != NULL)
    fetch->module_fd = take_module (members, manifest, &size, &error);
  if (fetch->module_fd < 0)
    finish_error (fetch, error);
  else
    finish (fetch, lp_fetch_reply_new_download (manifest, size));
}

static void
download_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LpFetch *fetch = user_data;
  GError *error = NULL;

  if (!lp_client_download_finish (LP_CLIENT (source), result, &error))
    finish_error (fetch, error);
  else
    unpack (fetch);
}

static void
start_download (LpFetch *fetch)
{
  LpPatchOffer offer = {
    .version = (char *) arg_string (fetch, "version"),
    .url = (char *) arg_string (fetch, "url"),
    .sha256 = (char *) arg_string (fetch, "sha256"),
  };

  g_variant_lookup (fetch->args, "size", "t", &offer.size);
  g_variant_lookup (fetch->args, "replacement", "b", &offer.replacement);
  fetch->tarball_fd = memfd_create ("patch-download", MFD_CLOEXEC);
  if (fetch->tarball_fd < 0)
    {
      finish_error (
          fetch, g_error_new (LP_ERROR, LP_ERROR_INTERNAL, "memfd_create: %s", g_strerror (errno)));
      return;
    }
  lp_client_download_to_fd_async (fetch->client, arg_optional (fetch, "machine-token"), &offer,
                                  fetch->tarball_fd, progress_cb, fetch, NULL, download_done_cb,
                                  fetch);
}

static void
start_check (LpFetch *fetch)
{
  LpCheckRequest request = {
    .kernel = arg_string (fetch, "kernel"),
    .architecture = arg_string (fetch, "architecture"),
    .patch_version = arg_string (fetch, "patch-version"),
    .patch_state = arg_string (fetch, "patch-state"),
    .check_state = arg_string (fetch, "check-state"),
    .uptime = arg_int64 (fetch, "uptime"),
    .boot_time = arg_int64 (fetch, "boot-time"),
    .cutoff_date = arg_optional (fetch, "cutoff-date"),
    .patch_delay = arg_optional (fetch, "patch-delay"),
  };

  lp_client_check_async (fetch->client, arg_string (fetch, "client-id"),
                         arg_string (fetch, "machine-token"), &request, NULL, check_done_cb, fetch);
}

static void
start (LpFetch *fetch)
{
  LpMachineInfo info = {
    .machine_id = arg_string (fetch, "machine-id"),
    .architecture = arg_string (fetch, "architecture"),
    .kernel = arg_string (fetch, "kernel"),
  };
  g_autofree const char **kernels = NULL;
  const char *origin = NULL;

  /* Absent: the client's default (remote-server's origin), as for Enable. */
  if (g_variant_lookup (fetch->args, "token-origin", "&s", &origin))
    lp_client_set_token_origin (fetch->client, origin);
  switch (fetch->op)
    {
      case LP_FETCH_REGISTER:
        lp_client_register_async (fetch->client, arg_string (fetch, "token"), &info, NULL,
                                  register_done_cb, fetch);
        break;
      case LP_FETCH_CHECK:
        start_check (fetch);
        break;
      case LP_FETCH_CVE_DATA:
        if (!g_variant_lookup (fetch->args, "kernels", "^a&s", &kernels))
          kernels = g_new0 (const char *, 1);
        lp_client_fetch_cve_data_async (
            fetch->client, arg_string (fetch, "client-id"), arg_string (fetch, "machine-token"),
            kernels, arg_optional (fetch, "digest"), NULL, cve_data_done_cb, fetch);
        break;
      case LP_FETCH_DOWNLOAD:
        start_download (fetch);
        break;
      case LP_FETCH_DEREGISTER:
        lp_client_deregister_async (fetch->client, arg_string (fetch, "client-id"),
                                    arg_string (fetch, "machine-token"), NULL, deregister_done_cb,
                                    fetch);
        break;
    }
}

/* ---- the request ---- */

static GBytes *
read_request_bytes (GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  guint8 buf[16384];

  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || data->len + n > LP_FETCH_REQUEST_MAX_SIZE)
        {
          lp_error_fail (error, LP_ERROR_INTERNAL, "reading the request: %s",
                         n < 0 ? g_strerror (errno) : "too large");
          return NULL;
        }
      if (n == 0)
        break;
      g_byte_array_append (data, buf, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static gboolean
read_request (LpFetch *fetch, GError **error)
{
  g_autoptr (GBytes) bytes = read_request_bytes (error);
  g_autoptr (GVariant) request = NULL;
  g_autoptr (GVariant) config_values = NULL;
  g_autoptr (GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (LpConfig) config = NULL;
  const char *op, *key, *value;
  GVariantIter iter;

  if (bytes == NULL)
    return FALSE;
  request = g_variant_ref_sink (
      g_variant_new_from_bytes (G_VARIANT_TYPE (LP_FETCH_REQUEST_TYPE), bytes, FALSE));
  if (!g_variant_is_normal_form (request))
    return lp_error_fail (error, LP_ERROR_INTERNAL, "the request is not a normal-form %s",
                          LP_FETCH_REQUEST_TYPE);
  g_variant_get (request, "(&s@a{ss}@a{sv})", &op, &config_values, &fetch->args);
  if (!lp_fetch_operation_from_string (op, &fetch->op))
    return lp_error_fail (error, LP_ERROR_INTERNAL, "unknown operation \"%s\"", op);
  g_variant_iter_init (&iter, config_values);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    g_hash_table_insert (values, (gpointer) key, (gpointer) value);
  config = lp_config_new_from_values (values, error);
  if (config == NULL)
    return FALSE;
  fetch->client = lp_client_new (config);
  return TRUE;
}

static void
log_to_stderr (const char *log_domain, GLogLevelFlags level, const char *message,
               gpointer user_data)
{
  /* The daemon logs stderr lines as they are, through its redactor. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    {
      if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
        return;
    }
  g_printerr ("%s\n", message);
}

int
main (int argc, char **argv)
{
  LpFetch fetch = { .module_fd = -1, .tarball_fd = -1 };
  g_autoptr (GError) error = NULL;
  gboolean sent;

  /* Before any thread or TLS use: the TLS 1.2 floor for every connection. */
  lp_trust_init_process ();
  setlocale (LC_ALL, "C.UTF-8");
  g_log_set_default_handler (log_to_stderr, NULL);
  if (argc != 1)
    {
      g_printerr ("livepatch-fetch is started by livepatchd; it takes no arguments\n");
      return 2;
    }
  if (!lp_fetch_sandbox_enter (&error) || !read_request (&fetch, &error))
    {
      g_autoptr (GVariant) reply = g_variant_ref_sink (lp_fetch_reply_new_error (error));
      send_record (LP_FETCH_RECORD_REPLY, g_variant_get_data (reply), g_variant_get_size (reply),
                   -1);
      return 1;
    }
  fetch.loop = g_main_loop_new (NULL, FALSE);
  start (&fetch);
  if (fetch.reply == NULL)
    g_main_loop_run (fetch.loop);
  sent = send_record (LP_FETCH_RECORD_REPLY, g_variant_get_data (fetch.reply),
                      g_variant_get_size (fetch.reply), fetch.module_fd);
  g_variant_unref (fetch.reply);
  g_clear_object (&fetch.client);
  g_clear_pointer (&fetch.args, g_variant_unref);
  g_main_loop_unref (fetch.loop);
  if (fetch.tarball_fd >= 0)
    close (fetch.tarball_fd);
  if (fetch.module_fd >= 0)
    close (fetch.module_fd);
  return sent ? 0 : 1;
}
