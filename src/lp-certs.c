/* lp-certs.c: the set of trusted module signing certificates
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-certs"

#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lp-baked-certs.h"
#include "lp-certs.h"
#include "lp-error.h"

/* A PEM file bigger than this is not a certificate bundle anyone meant. */
#define LP_CERTS_MAX_FILE_SIZE (1024 * 1024)

typedef struct
{
  gnutls_x509_crt_t crt;
  char *origin;
} LpCertEntry;

struct _LpCertSet
{
  GObject parent_instance;
  GPtrArray *entries; /* LpCertEntry */
};

G_DEFINE_TYPE (LpCertSet, lp_cert_set, G_TYPE_OBJECT)

static void
lp_cert_entry_free (LpCertEntry *entry)
{
  gnutls_x509_crt_deinit (entry->crt);
  g_free (entry->origin);
  g_free (entry);
}

static void
lp_cert_set_finalize (GObject *object)
{
  LpCertSet *self = LP_CERT_SET (object);

  g_ptr_array_unref (self->entries);
  G_OBJECT_CLASS (lp_cert_set_parent_class)->finalize (object);
}

static void
lp_cert_set_class_init (LpCertSetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lp_cert_set_finalize;
}

static void
lp_cert_set_init (LpCertSet *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) lp_cert_entry_free);
}

LpCertSet *
lp_cert_set_new (void)
{
  return g_object_new (LP_TYPE_CERT_SET, NULL);
}

gboolean
lp_cert_set_add_pem (LpCertSet *self, const char *pem, gsize len, const char *origin,
                     GError **error)
{
  gnutls_x509_crt_t *certs = NULL;
  unsigned int n_certs = 0;
  gnutls_datum_t datum = { (unsigned char *) pem, (unsigned int) len };
  int rc;

  g_return_val_if_fail (LP_IS_CERT_SET (self), FALSE);

  if (len > LP_CERTS_MAX_FILE_SIZE)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "%s: too large for a PEM bundle",
                   origin);
      return FALSE;
    }
  rc = gnutls_x509_crt_list_import2 (&certs, &n_certs, &datum, GNUTLS_X509_FMT_PEM, 0);
  if (rc < 0 || n_certs == 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "%s: no usable PEM certificate: %s",
                   origin, rc < 0 ? gnutls_strerror (rc) : "none found");
      return FALSE;
    }
  for (unsigned int i = 0; i < n_certs; i++)
    {
      LpCertEntry *entry = g_new0 (LpCertEntry, 1);

      entry->crt = certs[i];
      entry->origin = g_strdup (origin);
      g_ptr_array_add (self->entries, entry);
    }
  gnutls_free (certs);
  return TRUE;
}

gboolean
lp_cert_set_add_file (LpCertSet *self, const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr (GError) local_error = NULL;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "%s", local_error->message);
      return FALSE;
    }
  return lp_cert_set_add_pem (self, contents, len, path, error);
}

/* Root-owned (or owned by the user this process runs as, who could change
 * the process anyway) and writable by nobody else: anyone who could change
 * the file could make the daemon load their code into the kernel. The
 * service runs as root, so there it means root-owned; the exception lets the
 * test suites and livepatch-verify run as a normal user with their own
 * certificates. */
static gboolean
lp_certs_stat_is_trusted (const struct stat *st, const char *path, GError **error)
{
  uid_t self = geteuid ();

  if (st->st_uid != 0 && st->st_uid != self)
    {
      if (self == 0)
        g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "%s: not owned by root", path);
      else
        g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                     "%s: not owned by root or by uid %u", path, (guint) self);
      return FALSE;
    }
  if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "%s: writable by group or others",
                   path);
      return FALSE;
    }
  return TRUE;
}

static char *
lp_certs_read_trusted_file (int dirfd, const char *name, const char *path, gsize *out_len,
                            GError **error)
{
  g_autofree char *buf = NULL;
  struct stat st;
  gsize done = 0;
  int fd;

  fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "%s: %s", path, g_strerror (errno));
      return NULL;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > LP_CERTS_MAX_FILE_SIZE)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "%s: not a regular file of at most 1 MiB", path);
      close (fd);
      return NULL;
    }
  if (!lp_certs_stat_is_trusted (&st, path, error))
    {
      close (fd);
      return NULL;
    }
  buf = g_malloc (st.st_size + 1);
  while (done < (gsize) st.st_size)
    {
      ssize_t n = read (fd, buf + done, st.st_size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }
  close (fd);
  buf[done] = '\0';
  *out_len = done;
  return g_steal_pointer (&buf);
}

static GPtrArray *
lp_certs_list_pem_names (int dirfd)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DIR *dir;
  struct dirent *de;
  int fd = dup (dirfd);

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return g_steal_pointer (&names);
    }
  while ((de = readdir (dir)) != NULL)
    {
      if (de->d_name[0] != '.' && g_str_has_suffix (de->d_name, ".pem"))
        g_ptr_array_add (names, g_strdup (de->d_name));
    }
  closedir (dir);
  return g_steal_pointer (&names);
}

/* g_ptr_array_sort passes pointers to elements. */
static int
lp_certs_compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static guint
lp_cert_set_add_directory_files (LpCertSet *self, int dirfd, const char *dir)
{
  g_autoptr (GPtrArray) names = lp_certs_list_pem_names (dirfd);
  guint added = 0;

  g_ptr_array_sort (names, lp_certs_compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *pem = NULL;
      g_autoptr (GError) local_error = NULL;
      guint before = lp_cert_set_get_n_certs (self);
      gsize len = 0;

      pem = lp_certs_read_trusted_file (dirfd, name, path, &len, &local_error);
      if (pem == NULL || !lp_cert_set_add_pem (self, pem, len, path, &local_error))
        {
          g_warning ("ignoring module certificate file: %s", local_error->message);
          continue;
        }
      added += lp_cert_set_get_n_certs (self) - before;
    }
  return added;
}

gboolean
lp_cert_set_add_directory (LpCertSet *self, const char *dir, guint *out_added, GError **error)
{
  struct stat st;
  guint added;
  int dirfd;

  g_return_val_if_fail (LP_IS_CERT_SET (self), FALSE);

  if (out_added != NULL)
    *out_added = 0;
  dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd < 0 && errno == ENOENT)
    return TRUE;
  if (dirfd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "%s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  if (fstat (dirfd, &st) < 0 || !lp_certs_stat_is_trusted (&st, dir, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "%s: cannot stat", dir);
      close (dirfd);
      return FALSE;
    }
  added = lp_cert_set_add_directory_files (self, dirfd, dir);
  close (dirfd);
  if (out_added != NULL)
    *out_added = added;
  return TRUE;
}

LpCertSet *
lp_cert_set_new_default (const char *dir, GError **error)
{
  g_autoptr (LpCertSet) self = lp_cert_set_new ();
  g_autoptr (GError) local_error = NULL;

  if (!lp_cert_set_add_pem (self, lp_baked_module_certs_pem, strlen (lp_baked_module_certs_pem),
                            "built-in", &local_error))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "built-in certificates: %s",
                   local_error->message);
      return NULL;
    }
  if (dir == NULL)
    dir = LP_MODULE_CERTS_DIR;
  if (!lp_cert_set_add_directory (self, dir, NULL, &local_error))
    g_warning ("ignoring module certificate directory: %s", local_error->message);
  return g_steal_pointer (&self);
}

guint
lp_cert_set_get_n_certs (LpCertSet *self)
{
  g_return_val_if_fail (LP_IS_CERT_SET (self), 0);
  return self->entries->len;
}

gnutls_x509_crt_t
lp_cert_set_get_cert (LpCertSet *self, guint index)
{
  LpCertEntry *entry;

  g_return_val_if_fail (LP_IS_CERT_SET (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);
  entry = g_ptr_array_index (self->entries, index);
  return entry->crt;
}

const char *
lp_cert_set_get_origin (LpCertSet *self, guint index)
{
  LpCertEntry *entry;

  g_return_val_if_fail (LP_IS_CERT_SET (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);
  entry = g_ptr_array_index (self->entries, index);
  return entry->origin;
}

/* As the kernel's key ids (asymmetric_key_generate_id): issuer Name and
 * serial contents compared byte for byte, never as numbers, so a serial
 * with a superfluous leading zero names no certificate. */
gboolean
lp_cert_matches_issuer_serial (gnutls_x509_crt_t cert, const gnutls_datum_t *issuer_dn,
                               const gnutls_datum_t *serial)
{
  gnutls_datum_t dn = { NULL, 0 };
  guint8 buf[64];
  size_t buf_len = sizeof buf;
  gboolean match;

  if (gnutls_x509_crt_get_raw_issuer_dn (cert, &dn) < 0)
    return FALSE;
  match = dn.size == issuer_dn->size && memcmp (dn.data, issuer_dn->data, dn.size) == 0;
  gnutls_free (dn.data);
  if (!match || gnutls_x509_crt_get_serial (cert, buf, &buf_len) < 0)
    return FALSE;
  return buf_len == serial->size && memcmp (buf, serial->data, buf_len) == 0;
}

gnutls_x509_crt_t
lp_cert_set_find_by_issuer_serial (LpCertSet *self, const gnutls_datum_t *issuer_dn,
                                   const gnutls_datum_t *serial)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      LpCertEntry *entry = g_ptr_array_index (self->entries, i);

      if (lp_cert_matches_issuer_serial (entry->crt, issuer_dn, serial))
        return entry->crt;
    }
  return NULL;
}

gnutls_x509_crt_t
lp_cert_set_find_by_key_id (LpCertSet *self, const gnutls_datum_t *key_id)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      LpCertEntry *entry = g_ptr_array_index (self->entries, i);
      guint8 buf[128];
      size_t buf_len = sizeof buf;
      unsigned int critical = 0;

      if (gnutls_x509_crt_get_subject_key_id (entry->crt, buf, &buf_len, &critical) < 0)
        continue;
      if (buf_len == key_id->size && memcmp (buf, key_id->data, buf_len) == 0)
        return entry->crt;
    }
  return NULL;
}

char *
lp_cert_describe_subject (gnutls_x509_crt_t cert)
{
  gnutls_datum_t dn = { NULL, 0 };
  char *result;

  if (gnutls_x509_crt_get_dn3 (cert, &dn, 0) < 0)
    return g_strdup ("(unreadable subject)");
  result = g_strndup ((const char *) dn.data, dn.size);
  gnutls_free (dn.data);
  return result;
}

char *
lp_cert_describe_key_id (gnutls_x509_crt_t cert)
{
  guint8 buf[128];
  size_t buf_len = sizeof buf;
  unsigned int critical = 0;
  GString *hex = g_string_new (NULL);

  if (gnutls_x509_crt_get_subject_key_id (cert, buf, &buf_len, &critical) < 0)
    buf_len = 0;
  for (size_t i = 0; i < buf_len; i++)
    g_string_append_printf (hex, "%02x", buf[i]);
  return g_string_free (hex, FALSE);
}

char *
lp_cert_describe_serial (gnutls_x509_crt_t cert)
{
  guint8 buf[64];
  size_t buf_len = sizeof buf;
  GString *hex = g_string_new (NULL);

  if (gnutls_x509_crt_get_serial (cert, buf, &buf_len) < 0)
    buf_len = 0;
  for (size_t i = 0; i < buf_len; i++)
    g_string_append_printf (hex, "%02x", buf[i]);
  return g_string_free (hex, FALSE);
}
