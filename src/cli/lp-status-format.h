/* lp-status-format.h: `canonical-livepatch status` output, built from the
 * daemon's properties so it can be tested without a bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  LP_STATUS_FORMAT_HUMANE,
  LP_STATUS_FORMAT_JSON,
  LP_STATUS_FORMAT_YAML,
} LpStatusFormat;

/* "humane", "json" or "yaml" */
gboolean lp_status_format_parse (const char *name, LpStatusFormat *out_format);

/* Each function takes the properties of com.canonical.Livepatch as an a{sv}
 * dictionary (property name -> value); a missing property reads as empty. */

/* The reference client's JSON tree: Client-Version, Machine-Id, Architecture,
 * Last-Check (RFC 3339 in UTC, "" = never), Status: [{Kernel, Running,
 * Supported, Livepatch: {CheckState, State, Version, Fixes: [{Name,
 * Description, Bug, Patched}]}}]. */
JsonNode *lp_status_build_tree (GVariant *props);

/* Every renderer returns text ending in a newline. @now (unix seconds) is the
 * reference for "5 minutes ago" in the humane format. */
char *lp_status_render (GVariant *props, LpStatusFormat format, gboolean verbose, gint64 now);

char *lp_status_render_humane (GVariant *props, gboolean verbose, gint64 now);

/* One humane line: "patch state: ✓ all applicable livepatch modules inserted" */
char *lp_status_describe_patch_state (GVariant *props);
char *lp_status_describe_kernel_state (GVariant *props);

/* "5 minutes ago", "in 2 hours", "never" when @when is 0 */
char *lp_status_format_relative (gint64 when, gint64 now);

/* "[#########                     ]  30%", @width columns between the brackets */
char *lp_status_format_progress (guint percent, guint width);

/* "6.1" for "6.1.0-57-amd64"; NULL when @kernel does not start with N.N */
char *lp_status_kernel_series (const char *kernel);

/* The hint printed when the machine is not enabled */
const char *lp_status_not_enabled_hint (void);

G_END_DECLS
