/* lp-status-format.c: `canonical-livepatch status` output
 *
 * The humane lines, the JSON member names and the YAML tree follow the
 * reference client and its documentation (livepatch-docs, "How to check the
 * Livepatch client status"), because Ubuntu Pro, Landscape and admins'
 * scripts parse them; that is also why status output is not translated.
 * Landscape splits every humane line at its first colon, so each line of the
 * default output has one.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-status-format"

#include "config.h"

#include <string.h>

#include "lp-cli-json.h"
#include "lp-status-format.h"
#include "lp-yaml.h"

#define CHECK_MARK "✓"
#define CROSS_MARK "✗"
#define WAIT_MARK "⧗"

/* the reference names its snap's unit; ours is livepatchd */
#define LOGS_HINT "check system logs with journalctl -f -u livepatchd"

gboolean
lp_status_format_parse (const char *name, LpStatusFormat *out_format)
{
  if (g_strcmp0 (name, "humane") == 0)
    *out_format = LP_STATUS_FORMAT_HUMANE;
  else if (g_strcmp0 (name, "json") == 0)
    *out_format = LP_STATUS_FORMAT_JSON;
  else if (g_strcmp0 (name, "yaml") == 0)
    *out_format = LP_STATUS_FORMAT_YAML;
  else
    return FALSE;
  return TRUE;
}

const char *
lp_status_not_enabled_hint (void)
{
  return "Machine is not enabled. Please run 'sudo canonical-livepatch enable' with the\n"
         "token obtained from https://ubuntu.com/livepatch.\n";
}

/* Property lookups tolerate a missing or mistyped property: a newer or
 * older daemon must not make status crash. */
static const char *
prop_str (GVariant *props, const char *name)
{
  const char *value = NULL;

  if (!g_variant_lookup (props, name, "&s", &value))
    return "";
  return value;
}

static gint64
prop_int64 (GVariant *props, const char *name)
{
  gint64 value = 0;

  g_variant_lookup (props, name, "x", &value);
  return value;
}

static const char *
facts_str (const LpStatusContext *ctx, gsize offset)
{
  const char *value;

  if (ctx->facts == NULL)
    return "";
  value = G_STRUCT_MEMBER (const char *, ctx->facts, offset);
  return value != NULL ? value : "";
}

#define FACT(ctx, member) facts_str ((ctx), G_STRUCT_OFFSET (LpMachineFacts, member))

static gint64
facts_boot_time (const LpStatusContext *ctx)
{
  return ctx->facts != NULL ? ctx->facts->boot_time : 0;
}

static gint64
uptime_of (const LpStatusContext *ctx)
{
  gint64 boot = facts_boot_time (ctx);

  return boot > 0 && ctx->now >= boot ? ctx->now - boot : 0;
}

static char *
format_rfc3339 (gint64 when)
{
  g_autoptr (GDateTime) dt = NULL;

  if (when <= 0)
    return g_strdup ("");
  dt = g_date_time_new_from_unix_utc (when);
  if (dt == NULL)
    return g_strdup ("");
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
format_day (gint64 when)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (when);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d") : g_strdup ("");
}

char *
lp_status_format_duration (gint64 seconds)
{
  GString *out = g_string_new (NULL);

  seconds = MAX (seconds, 0);
  if (seconds >= 3600)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "h", seconds / 3600);
  if (seconds >= 60)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "m", seconds % 3600 / 60);
  g_string_append_printf (out, "%" G_GINT64_FORMAT "s", seconds % 60);
  return g_string_free (out, FALSE);
}

/* ---- JSON ---- */

static void
add_string_member (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
build_fixes (JsonBuilder *builder, GVariant *props)
{
  g_autoptr (GVariant) fixes = g_variant_lookup_value (props, "Fixes", G_VARIANT_TYPE ("a(ssbs)"));
  GVariantIter iter;
  const char *name, *description, *bug;
  gboolean patched;

  json_builder_set_member_name (builder, "Fixes");
  json_builder_begin_array (builder);
  if (fixes != NULL)
    {
      g_variant_iter_init (&iter, fixes);
      while (g_variant_iter_next (&iter, "(&s&sb&s)", &name, &description, &patched, &bug))
        {
          json_builder_begin_object (builder);
          add_string_member (builder, "Name", name);
          add_string_member (builder, "Description", description);
          add_string_member (builder, "Bug", bug);
          json_builder_set_member_name (builder, "Patched");
          json_builder_add_boolean_value (builder, patched);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);
}

static void
build_kernel_status (JsonBuilder *builder, GVariant *props)
{
  json_builder_begin_object (builder);
  add_string_member (builder, "Kernel", prop_str (props, "Kernel"));
  /* the daemon only reports the kernel it runs on */
  json_builder_set_member_name (builder, "Running");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "Livepatch");
  json_builder_begin_object (builder);
  add_string_member (builder, "CheckState", prop_str (props, "CheckState"));
  add_string_member (builder, "State", prop_str (props, "PatchState"));
  add_string_member (builder, "Version", prop_str (props, "PatchVersion"));
  build_fixes (builder, props);
  json_builder_end_object (builder);
  add_string_member (builder, "Supported", prop_str (props, "Supported"));
  add_string_member (builder, "UpgradeRequiredDate", prop_str (props, "UpgradeRequiredDate"));
  json_builder_end_object (builder);
}

static void
build_cloud (JsonBuilder *builder, const LpStatusContext *ctx)
{
  json_builder_set_member_name (builder, "Cloud-Enabled");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cloud-enabled");
  json_builder_add_boolean_value (builder, ctx->facts != NULL && ctx->facts->cloud_enabled);
  add_string_member (builder, "cloud", FACT (ctx, cloud));
  add_string_member (builder, "region", FACT (ctx, region));
  add_string_member (builder, "az", FACT (ctx, az));
  json_builder_end_object (builder);
}

JsonNode *
lp_status_build_tree (GVariant *props, const LpStatusContext *ctx)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *last_check = format_rfc3339 (prop_int64 (props, "LastCheck"));
  g_autofree char *boot_time = format_rfc3339 (facts_boot_time (ctx));
  g_autofree char *uptime = g_strdup_printf ("%" G_GINT64_FORMAT, uptime_of (ctx));

  json_builder_begin_object (builder);
  add_string_member (builder, "Client-Version", prop_str (props, "ClientVersion"));
  add_string_member (builder, "Machine-Id", prop_str (props, "MachineId"));
  if (ctx->machine_token != NULL)
    add_string_member (builder, "Machine-Token", ctx->machine_token);
  add_string_member (builder, "Architecture", prop_str (props, "Architecture"));
  add_string_member (builder, "CPU-Model", FACT (ctx, cpu_model));
  add_string_member (builder, "Last-Check", last_check);
  add_string_member (builder, "Boot-Time", boot_time);
  add_string_member (builder, "Uptime", uptime);
  json_builder_set_member_name (builder, "Status");
  json_builder_begin_array (builder);
  build_kernel_status (builder, props);
  json_builder_end_array (builder);
  add_string_member (builder, "tier", prop_str (props, "Tier"));
  build_cloud (builder, ctx);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static char *
render_json (GVariant *props, const LpStatusContext *ctx)
{
  g_autoptr (JsonNode) root = lp_status_build_tree (props, ctx);

  return lp_cli_json_pretty (root);
}

/* ---- YAML: the reference client's own tree, not the JSON one ---- */

/* "* cve-2024-1086" lines, the bug after the name as the reference shows it */
static char *
fixes_block (GVariant *props)
{
  g_autoptr (GVariant) fixes = g_variant_lookup_value (props, "Fixes", G_VARIANT_TYPE ("a(ssbs)"));
  GString *out = g_string_new (NULL);
  GVariantIter iter;
  const char *name, *description, *bug;
  gboolean patched;

  if (fixes != NULL)
    {
      g_variant_iter_init (&iter, fixes);
      while (g_variant_iter_next (&iter, "(&s&sb&s)", &name, &description, &patched, &bug))
        g_string_append_printf (out, "%s* %s%s%s", out->len > 0 ? "\n" : "", name,
                                *bug != '\0' ? " " : "", bug);
    }
  return g_string_free (out, FALSE);
}

static void
append_yaml_kernel (GString *out, GVariant *props)
{
  g_autofree char *fixes = fixes_block (props);

  g_string_append (out, "- ");
  lp_yaml_append_pair (out, 0, "kernel", prop_str (props, "Kernel"));
  lp_yaml_append_raw (out, 2, "running", "true");
  g_string_append (out, "  livepatch:\n");
  lp_yaml_append_pair (out, 4, "checkState", prop_str (props, "CheckState"));
  lp_yaml_append_pair (out, 4, "patchState", prop_str (props, "PatchState"));
  lp_yaml_append_pair (out, 4, "version", prop_str (props, "PatchVersion"));
  lp_yaml_append_literal (out, 4, "fixes", fixes);
  lp_yaml_append_pair (out, 2, "supported", prop_str (props, "Supported"));
  lp_yaml_append_pair (out, 2, "upgradeRequiredDate", prop_str (props, "UpgradeRequiredDate"));
}

char *
lp_status_render_yaml (GVariant *props, const LpStatusContext *ctx)
{
  GString *out = g_string_new (NULL);
  g_autofree char *last_check = format_rfc3339 (prop_int64 (props, "LastCheck"));
  g_autofree char *boot_time = format_rfc3339 (facts_boot_time (ctx));
  g_autofree char *uptime = lp_status_format_duration (uptime_of (ctx));
  gboolean cloud = ctx->facts != NULL && ctx->facts->cloud_enabled;

  lp_yaml_append_pair (out, 0, "client-version", prop_str (props, "ClientVersion"));
  lp_yaml_append_pair (out, 0, "machine-id", prop_str (props, "MachineId"));
  if (ctx->machine_token != NULL)
    lp_yaml_append_pair (out, 0, "machine-token", ctx->machine_token);
  lp_yaml_append_pair (out, 0, "architecture", prop_str (props, "Architecture"));
  lp_yaml_append_pair (out, 0, "cpu-model", FACT (ctx, cpu_model));
  /* timestamps stay plain, as the reference's time values do */
  lp_yaml_append_raw (out, 0, "last-check", *last_check != '\0' ? last_check : "\"\"");
  lp_yaml_append_raw (out, 0, "boot-time", *boot_time != '\0' ? boot_time : "\"\"");
  lp_yaml_append_pair (out, 0, "uptime", uptime);
  g_string_append (out, "status:\n");
  append_yaml_kernel (out, props);
  lp_yaml_append_pair (out, 0, "tier", prop_str (props, "Tier"));
  g_string_append (out, "cloud-enabled:\n");
  lp_yaml_append_raw (out, 2, "cloud-enabled", cloud ? "true" : "false");
  lp_yaml_append_pair (out, 2, "cloud", FACT (ctx, cloud));
  lp_yaml_append_pair (out, 2, "region", FACT (ctx, region));
  lp_yaml_append_pair (out, 2, "az", FACT (ctx, az));
  return g_string_free (out, FALSE);
}

/* ---- humane ---- */

static char *
format_span (gint64 seconds)
{
  struct
  {
    gint64 unit;
    const char *one, *many;
  } const units[] = {
    { 86400, "day", "days" },
    { 3600, "hour", "hours" },
    { 60, "minute", "minutes" },
    { 1, "second", "seconds" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (seconds >= units[i].unit || units[i].unit == 1)
      {
        gint64 n = seconds / units[i].unit;

        return g_strdup_printf ("%" G_GINT64_FORMAT " %s", n,
                                n == 1 ? units[i].one : units[i].many);
      }
  g_assert_not_reached ();
}

char *
lp_status_format_relative (gint64 when, gint64 now)
{
  g_autofree char *span = NULL;

  if (when <= 0)
    return g_strdup ("never");
  if (when <= now)
    {
      span = format_span (now - when);
      return g_strdup_printf ("%s ago", span);
    }
  span = format_span (when - now);
  return g_strdup_printf ("in %s", span);
}

char *
lp_status_format_progress (guint percent, guint width)
{
  g_autoptr (GString) bar = g_string_new ("[");
  guint filled;

  percent = MIN (percent, 100);
  filled = percent * width / 100;
  for (guint i = 0; i < width; i++)
    g_string_append_c (bar, i < filled ? '#' : ' ');
  g_string_append_printf (bar, "] %3u%%", percent);
  return g_string_free (g_steal_pointer (&bar), FALSE);
}

char *
lp_status_kernel_series (const char *kernel)
{
  const char *p = kernel;

  if (!g_ascii_isdigit (*p))
    return NULL;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p != '.' || !g_ascii_isdigit (p[1]))
    return NULL;
  p++;
  while (g_ascii_isdigit (*p))
    p++;
  return g_strndup (kernel, p - kernel);
}

/* The server's coverage date, YYYY-MM-DD; NULL when it gave none. */
static const char *
coverage_date (GVariant *props)
{
  const char *date = prop_str (props, "UpgradeRequiredDate");

  return *date != '\0' ? date : NULL;
}

/* Coverage ends at the end of @date: compared as text, as both are
 * YYYY-MM-DD in UTC. */
static gboolean
coverage_ended (const char *date, gint64 now)
{
  g_autofree char *today = format_day (now);

  return strcmp (today, date) > 0;
}

static char *
describe_supported (GVariant *props, gint64 now)
{
  const char *kernel = prop_str (props, "Kernel");
  const char *date = coverage_date (props);
  g_autofree char *series = lp_status_kernel_series (kernel);

  if (date != NULL && coverage_ended (date, now))
    return g_strdup_printf (CROSS_MARK
                            " Livepatch coverage ended %s; please upgrade the kernel and "
                            "reboot",
                            date);
  if (series != NULL)
    return g_strdup_printf (CHECK_MARK " kernel series %s is covered by Livepatch", series);
  return g_strdup_printf (CHECK_MARK " kernel %s is covered by Livepatch", kernel);
}

static char *
describe_upgrade_required (GVariant *props, gint64 now)
{
  const char *date = coverage_date (props);

  if (date == NULL)
    return g_strdup (CROSS_MARK
                     " Livepatch coverage has ended; please upgrade the kernel and reboot");
  if (coverage_ended (date, now))
    return g_strdup_printf (CROSS_MARK
                            " Livepatch coverage ended %s; please upgrade the kernel and "
                            "reboot",
                            date);
  return g_strdup_printf (CHECK_MARK " kernel %s is covered by Livepatch until %s, please install "
                                     "available kernel updates and reboot before then",
                          prop_str (props, "Kernel"), date);
}

char *
lp_status_describe_kernel_state (GVariant *props, gint64 now)
{
  const char *supported = prop_str (props, "Supported");

  if (g_str_equal (supported, "supported"))
    return describe_supported (props, now);
  if (g_str_equal (supported, "kernel-upgrade-required"))
    return describe_upgrade_required (props, now);
  if (g_str_equal (supported, "kernel-end-of-life"))
    return g_strdup (CROSS_MARK " kernel is no longer covered by Livepatch");
  if (g_str_equal (supported, "unsupported"))
    return g_strdup (CROSS_MARK " kernel is not covered by Livepatch");
  /* a server that answered without a verdict we know */
  if (g_str_equal (prop_str (props, "CheckState"), "checked"))
    return g_strdup (CROSS_MARK " unable to determine kernel support status; please contact "
                                "Canonical support");
  return NULL;
}

/* apply-failed, told apart by the error code of the failure */
static char *
describe_apply_failure (GVariant *props)
{
  const char *code = prop_str (props, "LastErrorCode");

  if (g_str_equal (code, "Blocked"))
    return g_strdup (CROSS_MARK " detected a crash last time the Livepatch kernel module was "
                                "applied, " LOGS_HINT);
  if (g_str_equal (code, "InvalidSignature"))
    return g_strdup (CROSS_MARK " failed to verify the signature of the Livepatch kernel module");
  if (g_str_equal (code, "InvalidArchive") || g_str_equal (code, "InvalidMetadata"))
    return g_strdup (CROSS_MARK " failed to extract information about the Livepatch kernel module");
  if (g_str_equal (code, "InvalidCertificate"))
    return g_strdup (CROSS_MARK " failed to load certificate used to verify the signature of the "
                                "Livepatch kernel module");
  if (g_str_equal (code, "LoadFailed"))
    return g_strdup (CROSS_MARK " failed to confirm that the Livepatch kernel module was applied "
                                "successfully");
  return g_strdup (CROSS_MARK " unknown error occurred, please " LOGS_HINT);
}

static char *
describe_nothing_to_apply (GVariant *props)
{
  const char *supported = prop_str (props, "Supported");
  const char *kernel = prop_str (props, "Kernel");

  if (g_str_equal (supported, "kernel-end-of-life"))
    return g_strdup (CROSS_MARK " patches are no longer available for this version of the kernel, "
                                "please upgrade");
  /* the server's "dead branch": no date, an unpatchable vulnerability */
  if (g_str_equal (supported, "kernel-upgrade-required") && coverage_date (props) == NULL)
    return g_strdup_printf (CROSS_MARK " kernel %s contains a vulnerability that cannot be "
                                       "remediated with live kernel patching, please upgrade and "
                                       "reboot",
                            kernel);
  return g_strdup_printf (CHECK_MARK " no live kernel patches available for kernel %s", kernel);
}

char *
lp_status_describe_patch_state (GVariant *props)
{
  const char *state = prop_str (props, "PatchState");

  if (g_str_equal (state, "applied"))
    return g_strdup (CHECK_MARK " all applicable live kernel patch modules applied");
  if (g_str_equal (state, "nothing-to-apply"))
    return describe_nothing_to_apply (props);
  if (g_str_equal (state, "applying"))
    return g_strdup (WAIT_MARK " patching the kernel");
  if (g_str_equal (state, "downloading"))
    return g_strdup (WAIT_MARK " downloading live kernel patches");
  if (g_str_equal (state, "applied-with-bug"))
    return g_strdup (CROSS_MARK " Livepatch kernel module inserted but kernel bug detected");
  if (g_str_equal (state, "apply-failed"))
    return describe_apply_failure (props);
  /* unapplied: a patch was fetched but not loaded (no-apply mode), or
   * nothing is known yet before the first check */
  if (g_str_equal (state, "unapplied") && *prop_str (props, "PatchVersion") == '\0' &&
      g_str_equal (prop_str (props, "CheckState"), "checked"))
    return g_strdup (WAIT_MARK " live kernel patches are downloaded, but the kernel module is not "
                               "yet inserted");
  return NULL;
}

static char *
describe_check_in (GVariant *props)
{
  const char *state = prop_str (props, "CheckState");
  const char *error = prop_str (props, "LastError");

  if (g_str_equal (state, "checked"))
    return g_strdup ("succeeded");
  if (g_str_equal (state, "check-failed"))
    return *error != '\0' ? g_strdup_printf ("failed: %s", error) : g_strdup ("failed");
  if (g_str_equal (state, "checking"))
    return g_strdup ("in progress");
  if (g_str_equal (state, "needs-check"))
    return g_strdup ("not yet");
  return g_strdup (*state != '\0' ? state : "unknown");
}

/* "updates (Free usage; This machine beta tests new patches.)" */
static char *
describe_tier (GVariant *props)
{
  const char *tier = prop_str (props, "Tier");
  const char *description = prop_str (props, "TierDescription");

  if (*tier == '\0')
    return NULL;
  if (*description == '\0')
    return g_strdup (tier);
  return g_strdup_printf ("%s (%s)", tier, description);
}

static void
append_line (GString *out, const char *key, const char *value)
{
  if (value != NULL)
    g_string_append_printf (out, "%s: %s\n", key, value);
}

/* last check, kernel, server check-in, kernel state, patch state, patch version */
static void
append_state_lines (GString *out, GVariant *props, gint64 now)
{
  g_autofree char *last = lp_status_format_relative (prop_int64 (props, "LastCheck"), now);
  g_autofree char *check_in = describe_check_in (props);
  g_autofree char *kernel_state = lp_status_describe_kernel_state (props, now);
  g_autofree char *patch_state = lp_status_describe_patch_state (props);
  const char *version = prop_str (props, "PatchVersion");

  append_line (out, "last check", last);
  append_line (out, "kernel", prop_str (props, "Kernel"));
  append_line (out, "server check-in", check_in);
  append_line (out, "kernel state", kernel_state);
  append_line (out, "patch state", patch_state);
  if (*version != '\0')
    append_line (out, "patch version", version);
}

static void
append_fixes (GString *out, GVariant *props)
{
  g_autoptr (GVariant) fixes = g_variant_lookup_value (props, "Fixes", G_VARIANT_TYPE ("a(ssbs)"));
  GVariantIter iter;
  const char *name, *description, *bug;
  gboolean patched;

  if (fixes == NULL || g_variant_n_children (fixes) == 0)
    {
      g_string_append (out, "fixes: none\n");
      return;
    }
  g_string_append (out, "fixes:\n");
  g_variant_iter_init (&iter, fixes);
  while (g_variant_iter_next (&iter, "(&s&sb&s)", &name, &description, &patched, &bug))
    {
      g_string_append_printf (out, "  * %s%s", name, patched ? "" : " (not patched)");
      if (*description != '\0')
        g_string_append_printf (out, ": %s", description);
      if (*bug != '\0')
        g_string_append_printf (out, " [%s]", bug);
      g_string_append_c (out, '\n');
    }
}

/* Fixes the server withheld because of cutoff-date or patch-delay. */
static void
append_held_back (GString *out, GVariant *props)
{
  g_autoptr (GVariant) held =
      g_variant_lookup_value (props, "HeldBackPatches", G_VARIANT_TYPE ("a(sxs)"));
  GVariantIter iter;
  const char *name, *notice;
  gint64 published;

  if (held == NULL || g_variant_n_children (held) == 0)
    return;
  g_string_append (out, "held back by cutoff-date or patch-delay:\n");
  g_variant_iter_init (&iter, held);
  while (g_variant_iter_next (&iter, "(&sx&s)", &name, &published, &notice))
    {
      g_autofree char *day = published > 0 ? format_day (published) : NULL;

      g_string_append_printf (out, "  * %s", name);
      if (*notice != '\0' && day != NULL)
        g_string_append_printf (out, " (%s, published %s)", notice, day);
      else if (*notice != '\0' || day != NULL)
        g_string_append_printf (out, " (%s%s)", day != NULL ? "published " : "",
                                *notice != '\0' ? notice : day);
      g_string_append_c (out, '\n');
    }
}

static void
append_verbose (GString *out, GVariant *props, const LpStatusContext *ctx)
{
  gint64 next_check = prop_int64 (props, "NextCheck");
  g_autofree char *next = lp_status_format_relative (next_check, ctx->now);
  g_autofree char *boot = format_rfc3339 (facts_boot_time (ctx));
  g_autofree char *uptime = lp_status_format_duration (uptime_of (ctx));

  append_line (out, "client version", prop_str (props, "ClientVersion"));
  append_line (out, "architecture", prop_str (props, "Architecture"));
  append_line (out, "cpu model", FACT (ctx, cpu_model));
  append_line (out, "boot time", boot);
  append_line (out, "uptime", uptime);
  append_line (out, "mode", prop_str (props, "Mode"));
  append_line (out, "next check", next_check > 0 ? next : "none scheduled");
  append_fixes (out, props);
  append_held_back (out, props);
}

char *
lp_status_render_humane (GVariant *props, const LpStatusContext *ctx)
{
  GString *out = g_string_new (NULL);
  g_autofree char *tier = describe_tier (props);

  append_state_lines (out, props, ctx->now);
  append_line (out, "tier", tier);
  if (ctx->verbose)
    append_verbose (out, props, ctx);
  append_line (out, "machine id", prop_str (props, "MachineId"));
  if (ctx->machine_token != NULL)
    append_line (out, "machine token", ctx->machine_token);
  return g_string_free (out, FALSE);
}

char *
lp_status_render_summary (GVariant *props, const LpStatusContext *ctx)
{
  GString *out = g_string_new (NULL);

  append_state_lines (out, props, ctx->now);
  return g_string_free (out, FALSE);
}

char *
lp_status_render (GVariant *props, LpStatusFormat format, const LpStatusContext *ctx)
{
  switch (format)
    {
      case LP_STATUS_FORMAT_JSON:
        return render_json (props, ctx);
      case LP_STATUS_FORMAT_YAML:
        return lp_status_render_yaml (props, ctx);
      case LP_STATUS_FORMAT_HUMANE:
      default:
        return lp_status_render_humane (props, ctx);
    }
}
