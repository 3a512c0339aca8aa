/* lp-config.c: configuration keys, defaults, validation and atomic save
 *
 * Values are kept as the text the administrator set (so `config` shows them
 * back unchanged); getters parse that text, which validation has already
 * proven parseable. Only keys that differ from their default are written to
 * the file, so a changed default reaches everyone who never touched the key.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-config"

#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/x509.h>
#include <string.h>

#include "lp-atomic-file.h"
#include "lp-config.h"
#include "lp-error.h"
#include "lp-redact.h"

#define LP_CONFIG_GROUP "livepatch"
#define LP_CONFIG_MIN_CHECK_INTERVAL 60            /* minutes, as documented */
#define LP_CONFIG_MAX_CHECK_INTERVAL (7 * 24 * 60) /* a week, in minutes */
#define LP_CONFIG_MAX_DIAL_TIMEOUT 300
#define LP_CONFIG_MAX_PATCH_DELAY (365 * 24 * 3600) /* a year, in seconds */
#define LP_CONFIG_MAX_VALUE 65536                   /* a CA bundle of a few dozen certificates */

typedef gboolean (*LpConfigValidator) (const char *value, GError **error);

typedef struct
{
  const char *name;
  const char *default_value;
  LpConfigValidator validate;
} LpConfigKey;

struct _LpConfig
{
  GObject parent_instance;

  char *path;
  GHashTable *values; /* key -> text, only keys set to a non-default value */

  /* parsed caches, refreshed whenever @values changes */
  gint64 cutoff_date;
  guint64 patch_delay;
  char *http_proxy; /* proxy URLs, a bare host[:port] made http:// */
  char *https_proxy;
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE (LpConfig, lp_config, G_TYPE_OBJECT)

/* --- validators --- */

static gboolean
parse_uint (const char *value, guint min, guint max, guint *out, GError **error)
{
  guint64 n = 0;
  g_autoptr (GError) local_error = NULL;

  if (!g_ascii_string_to_unsigned (value, 10, min, max, &n, &local_error))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a whole number from %u to %u", value, min, max);
      return FALSE;
    }
  if (out != NULL)
    *out = (guint) n;
  return TRUE;
}

/* 0 turns automatic checks off; anything else is at least the documented hour. */
static gboolean
validate_check_interval (const char *value, GError **error)
{
  guint minutes = 0;

  if (!parse_uint (value, 0, LP_CONFIG_MAX_CHECK_INTERVAL, &minutes, NULL) ||
      (minutes != 0 && minutes < LP_CONFIG_MIN_CHECK_INTERVAL))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "“%s” is not 0 (no automatic checks) or a number of minutes from %u to %u",
                   value, LP_CONFIG_MIN_CHECK_INTERVAL, LP_CONFIG_MAX_CHECK_INTERVAL);
      return FALSE;
    }
  return TRUE;
}

static guint64
unit_seconds (char unit, const char *units)
{
  static const struct
  {
    char unit;
    guint64 seconds;
  } table[] = {
    { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 24 * 3600 }, { 'w', 7 * 24 * 3600 }
  };

  if (unit == '\0' || strchr (units, unit) == NULL)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].unit == unit)
      return table[i].seconds;
  return 0;
}

/* One or more <number><unit> with a unit from @units, as Go's durations are
 * written: "3d", "1h30m". FALSE for anything else or a total over @max. */
static gboolean
parse_duration (const char *value, const char *units, guint64 max, guint64 *out)
{
  const char *p = value;
  guint64 total = 0;

  while (g_ascii_isdigit (*p))
    {
      char *end = NULL;
      guint64 n = g_ascii_strtoull (p, &end, 10);
      guint64 unit = unit_seconds (*end, units);

      if (unit == 0 || n > max / unit || total + n * unit > max)
        return FALSE;
      total += n * unit;
      p = end + 1;
    }
  if (*p != '\0' || p == value)
    return FALSE;
  *out = total;
  return TRUE;
}

/* A duration in s, m or h; a bare number is seconds, as in older releases. */
static gboolean
parse_dial_timeout (const char *value, guint64 *out)
{
  guint64 seconds = 0;

  if (!g_ascii_string_to_unsigned (value, 10, 0, LP_CONFIG_MAX_DIAL_TIMEOUT, &seconds, NULL) &&
      !parse_duration (value, "smh", LP_CONFIG_MAX_DIAL_TIMEOUT, &seconds))
    return FALSE;
  if (seconds == 0)
    return FALSE;
  *out = seconds;
  return TRUE;
}

static gboolean
validate_dial_timeout (const char *value, GError **error)
{
  guint64 seconds;

  if (parse_dial_timeout (value, &seconds))
    return TRUE;
  g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
               "“%s” is not a duration such as 12s, 1m or 1h from 1s to %us (units s, m, h)", value,
               LP_CONFIG_MAX_DIAL_TIMEOUT);
  return FALSE;
}

/* A URL with one of @schemes (NULL-terminated) and a host; @allow_userinfo
 * admits proxy credentials. */
static gboolean
validate_url (const char *value, const char *const *schemes, gboolean allow_userinfo,
              GError **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *list = g_strjoinv ("://, ", (char **) schemes);

  uri = g_uri_parse (value, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "“%s” is not a URL: %s", value,
                   local_error->message);
      return FALSE;
    }
  if (!g_strv_contains (schemes, g_uri_get_scheme (uri)))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "“%s” must start with %s://", value,
                   list);
      return FALSE;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "“%s” has no host name", value);
      return FALSE;
    }
  if (!allow_userinfo && g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "“%s” must not contain a user name or password", value);
      return FALSE;
    }
  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "“%s” must not contain a query or fragment", value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_remote_server (const char *value, GError **error)
{
  static const char *const schemes[] = { "https", "http", NULL };
  return validate_url (value, schemes, FALSE, error);
}

static gboolean is_hostname (const char *name);

/* A bare "host[:port]" names an HTTP proxy, as the reference client reads it. */
static char *
normalize_proxy (const char *value)
{
  if (strstr (value, "://") != NULL)
    return g_strdup (value);
  return g_strconcat ("http://", value, NULL);
}

static gboolean
proxy_host_valid (GUri *uri)
{
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  return host != NULL && (g_hostname_is_ip_address (host) || is_hostname (host));
}

static gboolean
validate_proxy (const char *value, GError **error)
{
  /* HTTP CONNECT (to an http:// or, over TLS, an https:// proxy) and SOCKS5. */
  static const char *const schemes[] = { "http", "https", "socks5", NULL };
  g_autofree char *url = normalize_proxy (value);
  g_autoptr (GUri) uri = NULL;

  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
  if (strstr (value, "://") == NULL &&
      (!validate_url (url, schemes, TRUE, NULL) || !proxy_host_valid (uri)))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "“%s” is neither a proxy URL nor a host name with an optional port", value);
      return FALSE;
    }
  if (!validate_url (url, schemes, TRUE, error))
    return FALSE;
  if (!proxy_host_valid (uri))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "“%s” has no valid host name",
                   value);
      return FALSE;
    }
  /* A proxy is a host and port; a path would be silently ignored by libsoup. */
  if (*g_uri_get_path (uri) != '\0' && g_strcmp0 (g_uri_get_path (uri), "/") != 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "“%s” must not contain a path",
                   value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_hostname (const char *name)
{
  g_auto (GStrv) labels = NULL;

  if (*name == '\0' || strlen (name) > 253)
    return FALSE;
  labels = g_strsplit (name, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *label = labels[i];
      gsize len = strlen (label);

      /* A trailing dot (fully qualified name) leaves one empty last label. */
      if (len == 0 && labels[i + 1] == NULL && i > 0)
        continue;
      if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
        return FALSE;
      for (gsize j = 0; j < len; j++)
        if (!g_ascii_isalnum (label[j]) && label[j] != '-' && label[j] != '_')
          return FALSE;
    }
  return TRUE;
}

static gboolean
is_no_proxy_entry (const char *entry)
{
  g_autoptr (GInetAddress) addr = NULL;
  g_autoptr (GInetAddressMask) mask = NULL;

  if (g_strcmp0 (entry, "*") == 0)
    return TRUE;
  addr = g_inet_address_new_from_string (entry);
  if (addr != NULL)
    return TRUE;
  if (strchr (entry, '/') != NULL)
    {
      mask = g_inet_address_mask_new_from_string (entry, NULL);
      return mask != NULL;
    }
  /* ".example.com" and "*.example.com" both mean "example.com and below". */
  if (g_str_has_prefix (entry, "*."))
    entry += 2;
  else if (entry[0] == '.')
    entry += 1;
  return is_hostname (entry);
}

static gboolean
validate_no_proxy (const char *value, GError **error)
{
  g_auto (GStrv) entries = g_strsplit (value, ",", -1);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *entry = g_strstrip (g_strdup (entries[i]));

      if (!is_no_proxy_entry (entry))
        {
          g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                       "“%s” is not a host name, domain, IP address or CIDR block", entry);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
validate_ca_certs (const char *value, GError **error)
{
  gnutls_x509_crt_t *certs = NULL;
  unsigned int n_certs = 0;
  gnutls_datum_t data = { (unsigned char *) value, (unsigned int) strlen (value) };
  int rc;

  rc = gnutls_x509_crt_list_import2 (&certs, &n_certs, &data, GNUTLS_X509_FMT_PEM, 0);
  if (rc < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "not PEM certificates: %s",
                   gnutls_strerror (rc));
      return FALSE;
    }
  for (unsigned int i = 0; i < n_certs; i++)
    gnutls_x509_crt_deinit (certs[i]);
  gnutls_free (certs);
  if (n_certs == 0)
    {
      g_set_error_literal (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "no PEM certificate found");
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_log_level (const char *value, GError **error)
{
  static const char *const levels[] = { "debug", "info", "notice", "warning", "error", NULL };

  if (g_strv_contains (levels, value))
    return TRUE;
  g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
               "“%s” is not one of debug, info, notice, warning, error", value);
  return FALSE;
}

static gboolean
validate_bool (const char *value, GError **error)
{
  if (g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "false") == 0)
    return TRUE;
  g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "“%s” is neither true nor false", value);
  return FALSE;
}

/* RFC 3339 is stricter than ISO 8601 (which GLib parses): full date, full
 * time, and an explicit offset, so no date depends on the daemon's zone. */
static gboolean
parse_rfc3339 (const char *value, gint64 *out, GError **error)
{
  g_autoptr (GDateTime) dt = NULL;

  if (!g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}"
                             "(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$",
                             value, 0, 0) ||
      (dt = g_date_time_new_from_iso8601 (value, NULL)) == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an RFC 3339 date such as 2026-01-31T00:00:00Z", value);
      return FALSE;
    }
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

static gboolean
validate_cutoff_date (const char *value, GError **error)
{
  gint64 when = 0;

  if (!parse_rfc3339 (value, &when, error))
    return FALSE;
  if (when > g_get_real_time () / G_USEC_PER_SEC)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "“%s” is in the future", value);
      return FALSE;
    }
  return TRUE;
}

/* "0", or a duration in s, m, h, d or w: "3d", "1w", "1d12h". */
static gboolean
parse_patch_delay (const char *value, guint64 *out)
{
  if (g_strcmp0 (value, "0") == 0)
    {
      *out = 0;
      return TRUE;
    }
  return parse_duration (value, "smhdw", LP_CONFIG_MAX_PATCH_DELAY, out);
}

static gboolean
validate_patch_delay (const char *value, GError **error)
{
  guint64 seconds;

  if (parse_patch_delay (value, &seconds))
    return TRUE;
  g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
               "“%s” is not a duration such as 1w, 3d, 12h, 30m or 0 (units s, m, h, d, w; "
               "at most 365d)",
               value);
  return FALSE;
}

/* Display order; defaults follow the reference client. */
static const LpConfigKey keys[] = {
  { LP_CONFIG_REMOTE_SERVER, "https://livepatch.canonical.com", validate_remote_server },
  { LP_CONFIG_CHECK_INTERVAL, "60", validate_check_interval },
  { LP_CONFIG_HTTP_PROXY, "", validate_proxy },
  { LP_CONFIG_HTTPS_PROXY, "", validate_proxy },
  { LP_CONFIG_NO_PROXY, "", validate_no_proxy },
  { LP_CONFIG_CA_CERTS, "", validate_ca_certs },
  { LP_CONFIG_DIAL_TIMEOUT, "12s", validate_dial_timeout },
  { LP_CONFIG_LOG_LEVEL, "warning", validate_log_level },
  /* Patches are authenticated by checksum and module signature either way,
   * and the reference client fetches them from a plain-http CDN. */
  { LP_CONFIG_TLS_PATCH_DOWNLOAD, "false", validate_bool },
  { LP_CONFIG_CUTOFF_DATE, "", validate_cutoff_date },
  { LP_CONFIG_PATCH_DELAY, "0", validate_patch_delay },
};

static const LpConfigKey *
find_key (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_strcmp0 (keys[i].name, name) == 0)
      return &keys[i];
  return NULL;
}

const char *const *
lp_config_list_keys (void)
{
  static const char *names[G_N_ELEMENTS (keys) + 1];

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    names[i] = keys[i].name;
  return names;
}

gboolean
lp_config_validate (const char *key, const char *value, GError **error)
{
  const LpConfigKey *entry = find_key (key);

  if (entry == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "unknown configuration key “%s”",
                   key);
      return FALSE;
    }
  if (value == NULL || *value == '\0')
    return TRUE;
  if (strlen (value) > LP_CONFIG_MAX_VALUE || !g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "%s: value is too long or not UTF-8",
                   key);
      return FALSE;
    }
  if (!entry->validate (value, error))
    {
      g_prefix_error (error, "%s: ", key);
      return FALSE;
    }
  return TRUE;
}

/* --- loading and saving --- */

static void
refresh_caches (LpConfig *self)
{
  const char *cutoff = g_hash_table_lookup (self->values, LP_CONFIG_CUTOFF_DATE);
  const char *delay = g_hash_table_lookup (self->values, LP_CONFIG_PATCH_DELAY);

  self->cutoff_date = 0;
  self->patch_delay = 0;
  if (cutoff != NULL)
    parse_rfc3339 (cutoff, &self->cutoff_date, NULL);
  if (delay != NULL)
    parse_patch_delay (delay, &self->patch_delay);
  g_clear_pointer (&self->http_proxy, g_free);
  g_clear_pointer (&self->https_proxy, g_free);
  if (g_hash_table_contains (self->values, LP_CONFIG_HTTP_PROXY))
    self->http_proxy = normalize_proxy (g_hash_table_lookup (self->values, LP_CONFIG_HTTP_PROXY));
  if (g_hash_table_contains (self->values, LP_CONFIG_HTTPS_PROXY))
    self->https_proxy = normalize_proxy (g_hash_table_lookup (self->values, LP_CONFIG_HTTPS_PROXY));
}

/* Stores @value for @key in @values, or drops it when it is the default. */
static void
put_value (GHashTable *values, const LpConfigKey *entry, const char *value)
{
  if (value == NULL || *value == '\0' || g_strcmp0 (value, entry->default_value) == 0)
    g_hash_table_remove (values, entry->name);
  else
    g_hash_table_insert (values, g_strdup (entry->name), g_strdup (value));
}

static GHashTable *
new_values (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* A hand-edited file may hold bad values; the service must still start, so
 * those fall back to their defaults with a warning. */
static GHashTable *
read_file (const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GHashTable) values = new_values ();
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) names = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&values);
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot read configuration %s: %s", path,
                   local_error->message);
      return NULL;
    }
  names = g_key_file_get_keys (kf, LP_CONFIG_GROUP, NULL, NULL);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (kf, LP_CONFIG_GROUP, names[i], NULL);
      g_autoptr (GError) bad = NULL;

      if (value == NULL || !lp_config_validate (names[i], value, &bad))
        {
          g_autofree char *why = lp_redact_text (bad ? bad->message : "unreadable");

          g_warning ("%s: ignoring %s: %s", path, names[i], why);
          continue;
        }
      put_value (values, find_key (names[i]), value);
    }
  return g_steal_pointer (&values);
}

static gboolean
write_file (const char *path, GHashTable *values, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *data = NULL;

  g_key_file_set_comment (kf, NULL, NULL,
                          " livepatchd configuration; change it with `canonical-livepatch config`",
                          NULL);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *value = g_hash_table_lookup (values, keys[i].name);

      if (value != NULL)
        g_key_file_set_string (kf, LP_CONFIG_GROUP, keys[i].name, value);
    }
  data = g_key_file_to_data (kf, NULL, NULL);
  if (!lp_atomic_file_write (path, data, strlen (data), 0600, error))
    {
      g_prefix_error (error, "cannot save the configuration: ");
      return FALSE;
    }
  return TRUE;
}

static gboolean
values_equal (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (value, g_hash_table_lookup (b, key)) != 0)
      return FALSE;
  return TRUE;
}

/* Takes @values; emits ::changed when they differ from the current ones. */
static void
replace_values (LpConfig *self, GHashTable *values)
{
  gboolean changed = !values_equal (self->values, values);

  g_hash_table_unref (self->values);
  self->values = values;
  refresh_caches (self);
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* --- public API --- */

LpConfig *
lp_config_new (const char *path, GError **error)
{
  g_autoptr (LpConfig) self = g_object_new (LP_TYPE_CONFIG, NULL);
  GHashTable *values;

  g_return_val_if_fail (path != NULL, NULL);
  self->path = g_strdup (path);
  values = read_file (path, error);
  if (values == NULL)
    return NULL;
  g_hash_table_unref (self->values);
  self->values = values;
  refresh_caches (self);
  return g_steal_pointer (&self);
}

static gboolean validate_changes (GHashTable *changes, GError **error);

/* No file behind it: livepatch-fetch gets the values from the daemon. */
LpConfig *
lp_config_new_from_values (GHashTable *values, GError **error)
{
  g_autoptr (LpConfig) self = g_object_new (LP_TYPE_CONFIG, NULL);

  GHashTableIter iter;
  gpointer key, value;

  if (!validate_changes (values, error))
    return NULL;
  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    put_value (self->values, find_key (key), value);
  refresh_caches (self);
  return g_steal_pointer (&self);
}

GHashTable *
lp_config_dup_values (LpConfig *self)
{
  g_return_val_if_fail (LP_IS_CONFIG (self), NULL);
  return g_hash_table_ref (self->values);
}

/* Re-reads the file (SIGHUP); on failure the current values stay. */
gboolean
lp_config_reload (LpConfig *self, GError **error)
{
  GHashTable *values;

  g_return_val_if_fail (LP_IS_CONFIG (self), FALSE);
  values = read_file (self->path, error);
  if (values == NULL)
    return FALSE;
  replace_values (self, values);
  return TRUE;
}

const char *
lp_config_get_path (LpConfig *self)
{
  g_return_val_if_fail (LP_IS_CONFIG (self), NULL);
  return self->path;
}

GHashTable *
lp_config_dump (LpConfig *self)
{
  GHashTable *dump = new_values ();

  g_return_val_if_fail (LP_IS_CONFIG (self), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *value = g_hash_table_lookup (self->values, keys[i].name);
      const char *shown = value != NULL ? value : keys[i].default_value;
      g_hash_table_insert (dump, g_strdup (keys[i].name),
                           lp_redact_config_value (keys[i].name, shown));
    }
  return dump;
}

static gboolean
validate_changes (GHashTable *changes, GError **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!lp_config_validate (key, value, error))
      return FALSE;
  return TRUE;
}

gboolean
lp_config_set_many (LpConfig *self, GHashTable *changes, GError **error)
{
  g_autoptr (GHashTable) values = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (LP_IS_CONFIG (self), FALSE);
  if (!validate_changes (changes, error))
    return FALSE;
  values = new_values ();
  g_hash_table_iter_init (&iter, self->values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (values, g_strdup (key), g_strdup (value));
  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    put_value (values, find_key (key), value);
  if (values_equal (self->values, values))
    return TRUE;
  /* Disk first: memory changes only once the new file is in place. */
  if (!write_file (self->path, values, error))
    return FALSE;
  replace_values (self, g_steal_pointer (&values));
  return TRUE;
}

/* --- getters --- */

static const char *
get_text (LpConfig *self, const char *key)
{
  const char *value;

  g_return_val_if_fail (LP_IS_CONFIG (self), NULL);
  value = g_hash_table_lookup (self->values, key);
  if (value == NULL)
    {
      const LpConfigKey *entry = find_key (key);
      value = entry != NULL ? entry->default_value : "";
    }
  return value;
}

static const char *
get_optional (LpConfig *self, const char *key)
{
  const char *value = get_text (self, key);
  return value != NULL && *value != '\0' ? value : NULL;
}

static guint
get_uint (LpConfig *self, const char *key)
{
  return (guint) g_ascii_strtoull (get_text (self, key), NULL, 10);
}

const char *
lp_config_get_remote_server (LpConfig *self)
{
  return get_text (self, LP_CONFIG_REMOTE_SERVER);
}

guint
lp_config_get_check_interval (LpConfig *self)
{
  return get_uint (self, LP_CONFIG_CHECK_INTERVAL);
}

const char *
lp_config_get_http_proxy (LpConfig *self)
{
  g_return_val_if_fail (LP_IS_CONFIG (self), NULL);
  return self->http_proxy;
}

const char *
lp_config_get_https_proxy (LpConfig *self)
{
  g_return_val_if_fail (LP_IS_CONFIG (self), NULL);
  return self->https_proxy;
}

const char *
lp_config_get_no_proxy (LpConfig *self)
{
  return get_optional (self, LP_CONFIG_NO_PROXY);
}

const char *
lp_config_get_ca_certs (LpConfig *self)
{
  return get_optional (self, LP_CONFIG_CA_CERTS);
}

guint
lp_config_get_dial_timeout (LpConfig *self)
{
  guint64 seconds = 0;

  parse_dial_timeout (get_text (self, LP_CONFIG_DIAL_TIMEOUT), &seconds);
  return (guint) seconds;
}

const char *
lp_config_get_log_level (LpConfig *self)
{
  return get_text (self, LP_CONFIG_LOG_LEVEL);
}

gboolean
lp_config_get_tls_patch_download (LpConfig *self)
{
  return g_strcmp0 (get_text (self, LP_CONFIG_TLS_PATCH_DOWNLOAD), "true") == 0;
}

gint64
lp_config_get_cutoff_date (LpConfig *self)
{
  g_return_val_if_fail (LP_IS_CONFIG (self), 0);
  return self->cutoff_date;
}

const char *
lp_config_get_cutoff_date_text (LpConfig *self)
{
  return get_optional (self, LP_CONFIG_CUTOFF_DATE);
}

guint64
lp_config_get_patch_delay (LpConfig *self)
{
  g_return_val_if_fail (LP_IS_CONFIG (self), 0);
  return self->patch_delay;
}

const char *
lp_config_get_patch_delay_text (LpConfig *self)
{
  g_return_val_if_fail (LP_IS_CONFIG (self), NULL);
  if (self->patch_delay == 0)
    return NULL;
  return get_optional (self, LP_CONFIG_PATCH_DELAY);
}

/* --- GObject --- */

static void
lp_config_finalize (GObject *object)
{
  LpConfig *self = LP_CONFIG (object);

  g_free (self->path);
  g_free (self->http_proxy);
  g_free (self->https_proxy);
  g_hash_table_unref (self->values);
  G_OBJECT_CLASS (lp_config_parent_class)->finalize (object);
}

static void
lp_config_class_init (LpConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lp_config_finalize;

  /* Emitted once after a SetConfig or reload that changed at least one value. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lp_config_init (LpConfig *self)
{
  self->values = new_values ();
}
