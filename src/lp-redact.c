/* lp-redact.c: mask credentials in text bound for logs and replies
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-redact"

#include "config.h"

#include "lp-redact.h"

#define LP_REDACT_PEM_BEGIN "-----BEGIN "
#define LP_REDACT_PEM_END "-----END "
#define LP_REDACT_PEM_DASHES "-----"

static GMutex secrets_lock;
static GPtrArray *secrets; /* char *, never freed: they live as long as the process */

void
lp_redact_add_secret (const char *secret)
{
  g_autoptr (GMutexLocker) locker = NULL;

  if (secret == NULL || strlen (secret) < LP_REDACT_MIN_SECRET)
    return;
  locker = g_mutex_locker_new (&secrets_lock);
  if (secrets == NULL)
    secrets = g_ptr_array_new ();
  if (!g_ptr_array_find_with_equal_func (secrets, secret, g_str_equal, NULL))
    g_ptr_array_add (secrets, g_strdup (secret));
}

static void
mask_secrets (GString *text)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&secrets_lock);

  for (guint i = 0; secrets != NULL && i < secrets->len; i++)
    g_string_replace (text, g_ptr_array_index (secrets, i), LP_REDACT_MASK, 0);
}

/* Where the user-info before text[at] == '@' starts: user-info is made of
 * unreserved, sub-delim, ':' and '%' characters, so anything else (a space,
 * '/', '"', a non-ASCII quote) ends it. Masking a little too much (a key
 * name before '=') is better than leaving part of a password. */
static gsize
userinfo_start (const char *text, gsize at)
{
  gsize start = at;

  while (start > 0)
    {
      guchar c = text[start - 1];

      if (!(g_ascii_isalnum (c) || strchr ("-._~!$&'()*+,;=:%", c) != NULL))
        break;
      start--;
    }
  return start;
}

static void
mask_userinfo (GString *text)
{
  for (gsize i = 0; i < text->len; i++)
    {
      gsize start;

      if (text->str[i] != '@')
        continue;
      start = userinfo_start (text->str, i);
      if (start == i || g_str_has_prefix (text->str + start, LP_REDACT_MASK "@"))
        continue;
      g_string_erase (text, start, i - start);
      g_string_insert (text, start, LP_REDACT_MASK);
      i = start + strlen (LP_REDACT_MASK);
    }
}

/* Keeps the BEGIN and END lines, so the log still says what was there. */
static void
mask_pem (GString *text)
{
  gsize from = 0;
  const char *begin;

  while ((begin = strstr (text->str + from, LP_REDACT_PEM_BEGIN)) != NULL)
    {
      const char *label_end = strstr (begin + strlen (LP_REDACT_PEM_BEGIN), LP_REDACT_PEM_DASHES);
      const char *end;
      gsize body;

      if (label_end == NULL)
        return;
      body = label_end + strlen (LP_REDACT_PEM_DASHES) - text->str;
      end = strstr (text->str + body, LP_REDACT_PEM_END);
      g_string_erase (text, body, end != NULL ? (gssize) (end - (text->str + body)) : -1);
      g_string_insert (text, body, " " LP_REDACT_MASK " ");
      from = body + strlen (" " LP_REDACT_MASK " ");
      if (end != NULL)
        from += strlen (LP_REDACT_PEM_END);
    }
}

char *
lp_redact_text (const char *text)
{
  GString *out;

  if (text == NULL)
    return NULL;
  out = g_string_new (text);
  mask_secrets (out);
  mask_pem (out);
  mask_userinfo (out);
  return g_string_free (out, FALSE);
}

char *
lp_redact_config_value (const char *key, const char *value)
{
  /* Even a body that is not PEM (a refused or hand-edited one) is hidden. */
  if (g_strcmp0 (key, "ca-certs") == 0 && value != NULL && *value != '\0')
    return g_strdup (LP_REDACT_MASK);
  return lp_redact_text (value);
}
