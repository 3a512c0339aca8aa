/* lp-config.h: configuration keys, defaults, validation and atomic save
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LP_TYPE_CONFIG (lp_config_get_type ())
G_DECLARE_FINAL_TYPE (LpConfig, lp_config, LP, CONFIG, GObject)

/* Key names, as `canonical-livepatch config` and the config file spell them. */
#define LP_CONFIG_REMOTE_SERVER "remote-server"
#define LP_CONFIG_CHECK_INTERVAL "check-interval"
#define LP_CONFIG_HTTP_PROXY "http-proxy"
#define LP_CONFIG_HTTPS_PROXY "https-proxy"
#define LP_CONFIG_NO_PROXY "no-proxy"
#define LP_CONFIG_CA_CERTS "ca-certs"
#define LP_CONFIG_DIAL_TIMEOUT "dial-timeout"
#define LP_CONFIG_LOG_LEVEL "log-level"
#define LP_CONFIG_TLS_PATCH_DOWNLOAD "tls-patch-download"
#define LP_CONFIG_CUTOFF_DATE "cutoff-date"
#define LP_CONFIG_PATCH_DELAY "patch-delay"

/* Loads @path if it exists (a missing file means all defaults). */
LpConfig *lp_config_new (const char *path, GError **error);
gboolean lp_config_reload (LpConfig *self, GError **error);
/* A configuration in memory only (livepatch-fetch): @values (key -> text)
 * validated as lp_config_set_many() does; it cannot be saved. */
LpConfig *lp_config_new_from_values (GHashTable *values, GError **error);
/* key -> value of every key not at its default, unmasked (transfer full:
 * a reference; do not modify): what livepatch-fetch is given. */
GHashTable *lp_config_dup_values (LpConfig *self);
const char *lp_config_get_path (LpConfig *self);

/* NULL-terminated list of every key, in display order. */
const char *const *lp_config_list_keys (void);
/* Checks one value without touching any LpConfig; "" means "reset to default". */
gboolean lp_config_validate (const char *key, const char *value, GError **error);

/* key -> current value as text ("" when unset), proxy credentials masked. */
GHashTable *lp_config_dump (LpConfig *self);
/* Signal "changed" (no arguments): emitted once after lp_config_set_many()
 * or lp_config_reload() changed at least one value; read the getters again. */

/* Validates every change first; then saves them atomically and applies them,
 * or fails with LP_ERROR_INVALID_ARGUMENT naming the key and changes nothing.
 * Emits ::changed once if anything changed. */
gboolean lp_config_set_many (LpConfig *self, GHashTable *changes, GError **error);

const char *lp_config_get_remote_server (LpConfig *self);
guint lp_config_get_check_interval (LpConfig *self); /* minutes, 0 = no automatic checks */
/* Proxy URLs; a bare host[:port] is returned as http://host[:port]. */
const char *lp_config_get_http_proxy (LpConfig *self);  /* NULL when unset */
const char *lp_config_get_https_proxy (LpConfig *self); /* NULL when unset */
const char *lp_config_get_no_proxy (LpConfig *self);    /* NULL when unset */
const char *lp_config_get_ca_certs (LpConfig *self);    /* PEM text, NULL when unset */
guint lp_config_get_dial_timeout (LpConfig *self);      /* seconds */
const char *lp_config_get_log_level (LpConfig *self);
gboolean lp_config_get_tls_patch_download (LpConfig *self);
gint64 lp_config_get_cutoff_date (LpConfig *self);           /* unix seconds, 0 when unset */
const char *lp_config_get_cutoff_date_text (LpConfig *self); /* RFC 3339, NULL when unset */
guint64 lp_config_get_patch_delay (LpConfig *self);          /* seconds, 0 when unset */
const char *lp_config_get_patch_delay_text (LpConfig *self); /* as set, e.g. "3d", NULL when 0 */

G_END_DECLS
