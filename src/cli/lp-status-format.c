/* lp-status-format.c: `canonical-livepatch status` output
 *
 * The humane text, its keys and the JSON member names follow the reference
 * client, because scripts and management tools (Landscape among them) parse
 * them; that is also why status output is not translated.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-status-format"

#include "config.h"

#include <string.h>

#include "lp-status-format.h"
#include "lp-yaml.h"

#define CHECK_MARK "✓"
#define CROSS_MARK "✗"
#define WAIT_MARK "⧗"

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
  return "Machine is not enabled. Please run 'sudo canonical-livepatch enable' with the token "
         "obtained from https://ubuntu.com/pro.";
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
          json_builder_set_member_name (builder, "Name");
          json_builder_add_string_value (builder, name);
          json_builder_set_member_name (builder, "Description");
          json_builder_add_string_value (builder, description);
          json_builder_set_member_name (builder, "Bug");
          json_builder_add_string_value (builder, bug);
          json_builder_set_member_name (builder, "Patched");
          json_builder_add_boolean_value (builder, patched);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);
}

static void
add_string_member (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
build_kernel_status (JsonBuilder *builder, GVariant *props)
{
  json_builder_begin_object (builder);
  add_string_member (builder, "Kernel", prop_str (props, "Kernel"));
  /* the daemon only reports the kernel it runs on */
  json_builder_set_member_name (builder, "Running");
  json_builder_add_boolean_value (builder, TRUE);
  add_string_member (builder, "Supported", prop_str (props, "Supported"));
  json_builder_set_member_name (builder, "Livepatch");
  json_builder_begin_object (builder);
  add_string_member (builder, "CheckState", prop_str (props, "CheckState"));
  add_string_member (builder, "State", prop_str (props, "PatchState"));
  add_string_member (builder, "Version", prop_str (props, "PatchVersion"));
  build_fixes (builder, props);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

JsonNode *
lp_status_build_tree (GVariant *props)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *last_check = format_rfc3339 (prop_int64 (props, "LastCheck"));

  json_builder_begin_object (builder);
  add_string_member (builder, "Client-Version", prop_str (props, "ClientVersion"));
  add_string_member (builder, "Machine-Id", prop_str (props, "MachineId"));
  add_string_member (builder, "Architecture", prop_str (props, "Architecture"));
  add_string_member (builder, "Last-Check", last_check);
  json_builder_set_member_name (builder, "Status");
  json_builder_begin_array (builder);
  build_kernel_status (builder, props);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static char *
render_json (GVariant *props)
{
  g_autoptr (JsonNode) root = lp_status_build_tree (props);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

static char *
render_yaml (GVariant *props)
{
  g_autoptr (JsonNode) root = lp_status_build_tree (props);

  return lp_yaml_from_json_node (root);
}

char *
lp_status_render (GVariant *props, LpStatusFormat format, gboolean verbose, gint64 now)
{
  switch (format)
    {
      case LP_STATUS_FORMAT_JSON:
        return render_json (props);
      case LP_STATUS_FORMAT_YAML:
        return render_yaml (props);
      case LP_STATUS_FORMAT_HUMANE:
      default:
        return lp_status_render_humane (props, verbose, now);
    }
}

static char *
format_span (gint64 seconds)
{
  if (seconds < 60)
    return g_strdup_printf (
        seconds == 1 ? "%" G_GINT64_FORMAT " second" : "%" G_GINT64_FORMAT " seconds", seconds);
  if (seconds < 3600)
    return g_strdup_printf (seconds / 60 == 1 ? "%" G_GINT64_FORMAT " minute"
                                              : "%" G_GINT64_FORMAT " minutes",
                            seconds / 60);
  if (seconds < 86400)
    return g_strdup_printf (seconds / 3600 == 1 ? "%" G_GINT64_FORMAT " hour"
                                                : "%" G_GINT64_FORMAT " hours",
                            seconds / 3600);
  return g_strdup_printf (seconds / 86400 == 1 ? "%" G_GINT64_FORMAT " day"
                                               : "%" G_GINT64_FORMAT " days",
                          seconds / 86400);
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

char *
lp_status_describe_kernel_state (GVariant *props)
{
  const char *supported = prop_str (props, "Supported");
  g_autofree char *series = lp_status_kernel_series (prop_str (props, "Kernel"));

  if (g_str_equal (supported, "supported"))
    {
      if (series != NULL)
        return g_strdup_printf (CHECK_MARK " kernel series %s is covered by Livepatch", series);
      return g_strdup (CHECK_MARK " kernel is covered by Livepatch");
    }
  if (g_str_equal (supported, "kernel-upgrade-required"))
    return g_strdup (CROSS_MARK
                     " Livepatch coverage has ended; please upgrade the kernel and reboot");
  if (g_str_equal (supported, "kernel-end-of-life"))
    return g_strdup (CROSS_MARK " kernel is no longer covered by Livepatch");
  if (g_str_equal (supported, "unsupported"))
    return g_strdup (CROSS_MARK " kernel is not covered by Livepatch");
  return g_strdup ("- kernel support status not known yet");
}

static const char *
describe_patch_state (const char *state)
{
  static const struct
  {
    const char *state;
    const char *text;
  } texts[] = {
    { "unapplied", "- no livepatch modules applied yet" },
    { "downloading", WAIT_MARK " downloading livepatch" },
    { "applying", WAIT_MARK " patching the kernel" },
    { "applied", CHECK_MARK " all applicable livepatch modules inserted" },
    { "nothing-to-apply", CHECK_MARK " no livepatches needed for this kernel yet" },
    { "applied-with-bug", CROSS_MARK " module inserted but kernel bug detected" },
    { "apply-failed", CROSS_MARK " livepatch update failed" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    if (g_str_equal (state, texts[i].state))
      return texts[i].text;
  return NULL;
}

char *
lp_status_describe_patch_state (GVariant *props)
{
  const char *state = prop_str (props, "PatchState");
  const char *text = describe_patch_state (state);

  if (text == NULL)
    return g_strdup_printf ("patch state: %s", *state != '\0' ? state : "unknown");
  return g_strdup_printf ("patch state: %s", text);
}

static const char *
describe_check_state (const char *state)
{
  if (g_str_equal (state, "checked"))
    return "succeeded";
  if (g_str_equal (state, "check-failed"))
    return "failed";
  if (g_str_equal (state, "checking"))
    return "in progress";
  if (g_str_equal (state, "needs-check"))
    return "not yet";
  return *state != '\0' ? state : "unknown";
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

static void
append_verbose (GString *out, GVariant *props, gint64 now)
{
  const char *tier = prop_str (props, "Tier");
  const char *last_error = prop_str (props, "LastError");
  gint64 next_check = prop_int64 (props, "NextCheck");
  g_autofree char *next = lp_status_format_relative (next_check, now);

  g_string_append_printf (out, "client version: %s\n", prop_str (props, "ClientVersion"));
  g_string_append_printf (out, "architecture: %s\n", prop_str (props, "Architecture"));
  g_string_append_printf (out, "tier: %s\n", *tier != '\0' ? tier : "unknown");
  g_string_append_printf (out, "mode: %s\n", prop_str (props, "Mode"));
  g_string_append_printf (out, "next check: %s\n", next_check > 0 ? next : "none scheduled");
  g_string_append_printf (out, "last error: %s\n", *last_error != '\0' ? last_error : "none");
  append_fixes (out, props);
}

char *
lp_status_render_humane (GVariant *props, gboolean verbose, gint64 now)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *last = lp_status_format_relative (prop_int64 (props, "LastCheck"), now);
  g_autofree char *kernel_state = lp_status_describe_kernel_state (props);
  g_autofree char *patch_state = lp_status_describe_patch_state (props);
  const char *version = prop_str (props, "PatchVersion");
  const char *tier = prop_str (props, "Tier");

  g_string_append_printf (out, "last check: %s\n", last);
  g_string_append_printf (out, "kernel: %s\n", prop_str (props, "Kernel"));
  g_string_append_printf (out, "server check-in: %s\n",
                          describe_check_state (prop_str (props, "CheckState")));
  g_string_append_printf (out, "kernel state: %s\n", kernel_state);
  g_string_append_printf (out, "%s\n", patch_state);
  if (*version != '\0')
    g_string_append_printf (out, "patch version: %s\n", version);
  if (verbose)
    append_verbose (out, props, now);
  else if (*tier != '\0')
    g_string_append_printf (out, "tier: %s\n", tier);
  g_string_append_printf (out, "machine id: %s\n", prop_str (props, "MachineId"));
  return g_string_free (g_steal_pointer (&out), FALSE);
}
