/* lp-trust.c: one GTlsDatabase for the host CA store, the baked-in TLS
 * certificates and config ca-certs; the TLS 1.2 floor
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-trust"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/x509.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lp-baked-certs.h"
#include "lp-error.h"
#include "lp-trust.h"

/* Where Debian, Fedora/RHEL, SUSE and others keep the host CA bundle. */
static const char *const system_bundles[] = {
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/ca-bundle.pem",
  "/etc/ssl/cert.pem",
  NULL,
};

void
lp_trust_init_process (void)
{
  /* Overrides whatever the environment says: the floor is not negotiable. */
  g_setenv ("G_TLS_GNUTLS_PRIORITY", LP_TRUST_GNUTLS_PRIORITY, TRUE);
}

static guint
count_substr (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p; p = strstr (p + 1, needle))
    n++;
  return n;
}

static guint
count_parsed_certs (const char *pem)
{
  gnutls_datum_t data = { (unsigned char *) pem, (unsigned int) strlen (pem) };
  gnutls_x509_crt_t *certs = NULL;
  unsigned int n = 0;

  if (gnutls_x509_crt_list_import2 (&certs, &n, &data, GNUTLS_X509_FMT_PEM, 0) < 0)
    return 0;
  for (unsigned int i = 0; i < n; i++)
    gnutls_x509_crt_deinit (certs[i]);
  gnutls_free (certs);
  return n;
}

gboolean
lp_trust_validate_pem (const char *pem, GError **error)
{
  guint blocks, cert_blocks;

  if (pem == NULL || *pem == '\0')
    return TRUE;
  blocks = count_substr (pem, "-----BEGIN ");
  cert_blocks = count_substr (pem, "-----BEGIN CERTIFICATE-----");
  if (cert_blocks == 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "ca-certs: no PEM certificate found (expected -----BEGIN CERTIFICATE-----)");
      return FALSE;
    }
  if (blocks != cert_blocks)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "ca-certs: only certificates are allowed, found another PEM block");
      return FALSE;
    }
  if (count_parsed_certs (pem) != cert_blocks)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "ca-certs: a certificate does not parse as X.509");
      return FALSE;
    }
  return TRUE;
}

static char *
read_system_bundle (void)
{
  const char *override = g_getenv ("LP_SYSTEM_CA_BUNDLE");

  if (override != NULL)
    {
      char *text = NULL;
      /* "" means no host store, for tests that must not trust anything else. */
      if (*override == '\0' || !g_file_get_contents (override, &text, NULL, NULL))
        return g_strdup ("");
      return text;
    }
  for (guint i = 0; system_bundles[i]; i++)
    {
      char *text = NULL;
      if (g_file_get_contents (system_bundles[i], &text, NULL, NULL))
        return text;
    }
  g_warning ("no host CA bundle found; trusting only baked-in and configured certificates");
  return g_strdup ("");
}

static void
close_fd (gpointer data)
{
  close (GPOINTER_TO_INT (data));
}

/* GIO can only build a file database from a path, and glib-networking
 * re-reads that path whenever it sets up a connection. A memfd kept open
 * for the lifetime of the database gives a path with no file on disk to
 * clean up or to be tampered with. */
static GTlsDatabase *
database_from_pem (const char *pem, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize len = strlen (pem);
  GTlsDatabase *db;
  int fd = memfd_create ("livepatch-trust", MFD_CLOEXEC | MFD_ALLOW_SEALING);

  if (fd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "memfd_create: %s", g_strerror (errno));
      return NULL;
    }
  if (write (fd, pem, len) != (ssize_t) len ||
      fcntl (fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "writing trust store: %s",
                   g_strerror (errno));
      close (fd);
      return NULL;
    }
  path = g_strdup_printf ("/proc/self/fd/%d", fd);
  db = g_tls_file_database_new (path, &local_error);
  if (db == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "loading TLS trust store: %s",
                   local_error->message);
      close (fd);
      return NULL;
    }
  g_object_set_data_full (G_OBJECT (db), "lp-trust-fd", GINT_TO_POINTER (fd), close_fd);
  return db;
}

GTlsDatabase *
lp_trust_database_new (const char *ca_certs_pem, GError **error)
{
  g_autoptr (GString) pem = NULL;
  g_autofree char *system = NULL;

  if (!lp_trust_validate_pem (ca_certs_pem, error))
    return NULL;
  system = read_system_bundle ();
  pem = g_string_new (system);
  g_string_append_c (pem, '\n');
  g_string_append (pem, lp_baked_tls_certs_pem);
  g_string_append_c (pem, '\n');
  if (ca_certs_pem != NULL)
    g_string_append (pem, ca_certs_pem);
  if (count_substr (pem->str, "-----BEGIN CERTIFICATE-----") == 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_NETWORK,
                   "no trusted TLS certificate: no host CA store, none baked in, ca-certs unset");
      return NULL;
    }
  return database_from_pem (pem->str, error);
}

gboolean
lp_trust_check_protocol_version (GTlsProtocolVersion version, const char *host, GError **error)
{
  switch (version)
    {
      case G_TLS_PROTOCOL_VERSION_TLS_1_2:
      case G_TLS_PROTOCOL_VERSION_TLS_1_3:
        return TRUE;
      case G_TLS_PROTOCOL_VERSION_UNKNOWN:
        /* A backend that cannot tell; the priority string still applies. */
        return TRUE;
      default:
        g_set_error (error, LP_ERROR, LP_ERROR_NETWORK,
                     "TLS with %s: the server negotiated a protocol older than TLS 1.2, "
                     "which livepatch refuses; the server must support TLS 1.2 or 1.3",
                     host);
        return FALSE;
    }
}
