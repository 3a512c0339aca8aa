/* lp-status-format.h: `canonical-livepatch status` output, built from the
 * daemon's properties so it can be tested without a bus
 *
 * Copyright 2026 The livepatch authors
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

/* What the CLI reads about this machine itself (lp-machine-facts.c): the
 * reference client reports them, the daemon has no reason to. */
typedef struct
{
  char *cpu_model;  /* "" when unknown */
  gint64 boot_time; /* unix seconds; 0 = unknown */
  gboolean cloud_enabled;
  char *cloud, *region, *az; /* from cloud-init's instance data; "" when none */
} LpMachineFacts;

/* What one `status` prints besides the properties. */
typedef struct
{
  const LpMachineFacts *facts; /* NULL: all unknown */
  gint64 now;                  /* unix seconds, the reference for "5 minutes ago" */
  gboolean verbose;
  const char *machine_token; /* --show-secrets; NULL otherwise */
} LpStatusContext;

/* "humane", "json" or "yaml" */
gboolean lp_status_format_parse (const char *name, LpStatusFormat *out_format);

/* Each function takes the properties of com.canonical.Livepatch as an a{sv}
 * dictionary (property name -> value), already stripped of control
 * characters (lp_cli_strip_variant); a missing property reads as empty, so
 * older daemons without UpgradeRequiredDate, TierDescription,
 * HeldBackPatches or LastErrorCode still work. */

/* The reference client's JSON tree: Client-Version, Machine-Id,
 * Architecture, CPU-Model, Last-Check, Boot-Time, Uptime, Status: [{Kernel,
 * Running, Livepatch: {CheckState, State, Version, Fixes: [{Name,
 * Description, Bug, Patched}]}, Supported, UpgradeRequiredDate}], tier,
 * Cloud-Enabled: {cloud-enabled, cloud, region, az}. */
JsonNode *lp_status_build_tree (GVariant *props, const LpStatusContext *ctx);

/* Every renderer returns text ending in a newline. */
char *lp_status_render (GVariant *props, LpStatusFormat format, const LpStatusContext *ctx);
char *lp_status_render_humane (GVariant *props, const LpStatusContext *ctx);
char *lp_status_render_yaml (GVariant *props, const LpStatusContext *ctx);

/* status --summary: the state lines only (check, kernel, patch). */
char *lp_status_render_summary (GVariant *props, const LpStatusContext *ctx);

/* One humane value: "✓ all applicable live kernel patch modules applied";
 * NULL when there is nothing to say yet (not checked). */
char *lp_status_describe_patch_state (GVariant *props);
char *lp_status_describe_kernel_state (GVariant *props, gint64 now);

/* "5 minutes ago", "in 2 hours", "never" when @when is 0 */
char *lp_status_format_relative (gint64 when, gint64 now);

/* Go's duration notation, as the reference prints uptime: "19h19m56s" */
char *lp_status_format_duration (gint64 seconds);

/* "[#########                     ]  30%", @width columns between the brackets */
char *lp_status_format_progress (guint percent, guint width);

/* "6.1" for "6.1.0-57-amd64"; NULL when @kernel does not start with N.N */
char *lp_status_kernel_series (const char *kernel);

/* The two lines printed on standard error when the machine is not enabled */
const char *lp_status_not_enabled_hint (void);

G_END_DECLS
