/* lp-sha256.c: streaming SHA-256 over GnuTLS (nettle picks the CPU's SHA
 * extensions when present, which GChecksum does not)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gnutls/crypto.h>

#include "lp-error.h"
#include "lp-sha256.h"

#define LP_SHA256_CHUNK (256 * 1024)

struct _LpSha256
{
  gnutls_hash_hd_t hash;
};

LpSha256 *
lp_sha256_new (void)
{
  LpSha256 *self = g_new0 (LpSha256, 1);

  /* Fails only when memory runs out, where g_malloc would abort too. */
  if (gnutls_hash_init (&self->hash, GNUTLS_DIG_SHA256) < 0)
    g_abort ();
  return self;
}

void
lp_sha256_update (LpSha256 *self, const void *data, gsize len)
{
  gnutls_hash (self->hash, data, len);
}

/* Returns the lowercase hex digest; @self must not be updated afterwards. */
char *
lp_sha256_finish_hex (LpSha256 *self)
{
  guint8 digest[LP_SHA256_LEN];
  char *hex = g_malloc (LP_SHA256_HEX_LEN + 1);

  gnutls_hash_output (self->hash, digest);
  for (guint i = 0; i < LP_SHA256_LEN; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
}

void
lp_sha256_free (LpSha256 *self)
{
  if (self == NULL)
    return;
  gnutls_hash_deinit (self->hash, NULL);
  g_free (self);
}

char *
lp_sha256_hex_of_stream (GInputStream *stream, guint64 *out_size, GCancellable *cancellable,
                         GError **error)
{
  g_autoptr (LpSha256) sha = lp_sha256_new ();
  g_autofree guint8 *buffer = g_malloc (LP_SHA256_CHUNK);
  guint64 total = 0;

  for (;;)
    {
      g_autoptr (GError) local_error = NULL;
      gssize n = g_input_stream_read (stream, buffer, LP_SHA256_CHUNK, cancellable, &local_error);

      if (n < 0)
        {
          g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot read while hashing: %s",
                       local_error->message);
          return NULL;
        }
      if (n == 0)
        break;
      lp_sha256_update (sha, buffer, (gsize) n);
      total += (guint64) n;
    }
  if (out_size != NULL)
    *out_size = total;
  return lp_sha256_finish_hex (sha);
}

char *
lp_sha256_hex_of_bytes (GBytes *bytes)
{
  g_autoptr (LpSha256) sha = lp_sha256_new ();
  gsize len = 0;
  const void *data = g_bytes_get_data (bytes, &len);

  lp_sha256_update (sha, data, len);
  return lp_sha256_finish_hex (sha);
}

/* Exactly 64 hex digits, either case: what a server may send. */
gboolean
lp_sha256_hex_is_valid (const char *hex)
{
  if (hex == NULL || strlen (hex) != LP_SHA256_HEX_LEN)
    return FALSE;
  for (const char *p = hex; *p != '\0'; p++)
    {
      if (!g_ascii_isxdigit (*p))
        return FALSE;
    }
  return TRUE;
}

/* Compares two hex digests without an early exit, case-insensitively, so the
 * time taken says nothing about where they differ. */
gboolean
lp_sha256_hex_equal (const char *a, const char *b)
{
  guint8 diff = 0;

  if (!lp_sha256_hex_is_valid (a) || !lp_sha256_hex_is_valid (b))
    return FALSE;
  for (guint i = 0; i < LP_SHA256_HEX_LEN; i++)
    diff |= (guint8) (g_ascii_tolower (a[i]) ^ g_ascii_tolower (b[i]));
  return diff == 0;
}
