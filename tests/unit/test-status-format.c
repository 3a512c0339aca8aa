/* test-status-format.c: `canonical-livepatch status` output from fixed
 * property dictionaries, byte for byte
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "lp-cli-json.h"
#include "lp-error.h"
#include "lp-cli-sanitize.h"
#include "lp-machine-facts.h"
#include "lp-status-format.h"
#include "lp-yaml.h"

/* 2026-11-29T21:00:00Z */
#define LAST_CHECK G_GINT64_CONSTANT (1795986000)

static GVariant *
build_props (gboolean with_fixes)
{
  g_auto (GVariantBuilder) props = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_auto (GVariantBuilder) fixes = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ssbs)"));

  if (with_fixes)
    {
      g_variant_builder_add (&fixes, "(ssbs)", "cve-2026-1234", "use-after-free in nf_tables", TRUE,
                             "LP: #2061234");
      g_variant_builder_add (&fixes, "(ssbs)", "cve-2026-5678", "", FALSE, "");
    }
  g_variant_builder_add (&props, "{sv}", "Enabled", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&props, "{sv}", "MachineId",
                         g_variant_new_string ("0123456789abcdef0123456789abcdef"));
  g_variant_builder_add (&props, "{sv}", "ClientVersion", g_variant_new_string ("0.1.0"));
  g_variant_builder_add (&props, "{sv}", "Kernel", g_variant_new_string ("6.1.0-57-amd64"));
  g_variant_builder_add (&props, "{sv}", "Architecture", g_variant_new_string ("amd64"));
  g_variant_builder_add (&props, "{sv}", "Supported", g_variant_new_string ("supported"));
  g_variant_builder_add (&props, "{sv}", "CheckState", g_variant_new_string ("checked"));
  g_variant_builder_add (&props, "{sv}", "PatchState", g_variant_new_string ("applied"));
  g_variant_builder_add (&props, "{sv}", "PatchVersion", g_variant_new_string ("57.3"));
  g_variant_builder_add (&props, "{sv}", "Fixes", g_variant_builder_end (&fixes));
  g_variant_builder_add (&props, "{sv}", "LastCheck", g_variant_new_int64 (LAST_CHECK));
  g_variant_builder_add (&props, "{sv}", "NextCheck", g_variant_new_int64 (LAST_CHECK + 3600));
  g_variant_builder_add (&props, "{sv}", "LastError", g_variant_new_string (""));
  g_variant_builder_add (&props, "{sv}", "Tier", g_variant_new_string ("updates"));
  g_variant_builder_add (&props, "{sv}", "Mode", g_variant_new_string ("normal"));
  g_variant_builder_add (&props, "{sv}", "Progress", g_variant_new_uint32 (0));
  return g_variant_ref_sink (g_variant_builder_end (&props));
}

/* @props with @name set to the string @value (added or replaced) */
static GVariant *
with_string (GVariant *props, const char *name, const char *value)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  GVariantIter iter;
  const char *key;
  GVariant *v;

  g_variant_iter_init (&iter, props);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &v))
    {
      if (!g_str_equal (key, name))
        g_variant_builder_add (&builder, "{sv}", key, v);
      g_variant_unref (v);
    }
  g_variant_builder_add (&builder, "{sv}", name, g_variant_new_string (value));
  g_variant_unref (props);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static char cpu_model[] = "Intel(R) Xeon(R) CPU E5-2673 v4 @ 2.30GHz";
static char lxd[] = "lxd";
static char no_text[] = "";

static LpMachineFacts facts = {
  cpu_model, LAST_CHECK - 3600 - 120 - 7, TRUE, lxd, no_text, no_text,
};

static LpStatusContext
context (gboolean verbose, gint64 now)
{
  LpStatusContext ctx = { &facts, now, verbose, NULL };

  return ctx;
}

static GVariant *
empty_props (void)
{
  return g_variant_ref_sink (g_variant_new ("a{sv}", NULL));
}

static void
test_humane (void)
{
  g_autoptr (GVariant) props = build_props (TRUE);
  LpStatusContext ctx = context (FALSE, LAST_CHECK + 300);
  g_autofree char *text = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, &ctx);

  g_assert_cmpstr (text, ==,
                   "last check: 5 minutes ago\n"
                   "kernel: 6.1.0-57-amd64\n"
                   "server check-in: succeeded\n"
                   "kernel state: ✓ kernel series 6.1 is covered by Livepatch\n"
                   "patch state: ✓ all applicable live kernel patch modules applied\n"
                   "patch version: 57.3\n"
                   "tier: updates\n"
                   "machine id: 0123456789abcdef0123456789abcdef\n");
}

/* Landscape splits each line at its first colon: every line has one */
static void
test_humane_lines_all_have_a_key (void)
{
  g_autoptr (GVariant) props = build_props (TRUE);
  LpStatusContext ctx = context (FALSE, LAST_CHECK + 300);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  props =
      with_string (props, "TierDescription", "Free usage; This machine beta tests new patches.");
  text = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, &ctx);
  g_assert_nonnull (
      strstr (text, "\ntier: updates (Free usage; This machine beta tests new patches.)\n"));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    g_assert_nonnull (strchr (lines[i], ':'));
}

static void
test_humane_check_failed (void)
{
  g_autoptr (GVariant) props = build_props (FALSE);
  LpStatusContext ctx = context (FALSE, LAST_CHECK + 16);
  g_autofree char *text = NULL;

  props = with_string (props, "CheckState", "check-failed");
  props = with_string (props, "LastError", "check failed: cannot connect to 127.0.0.1:9");
  props = with_string (props, "PatchState", "nothing-to-apply");
  props = with_string (props, "PatchVersion", "");
  text = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, &ctx);
  g_assert_cmpstr (text, ==,
                   "last check: 16 seconds ago\n"
                   "kernel: 6.1.0-57-amd64\n"
                   "server check-in: failed: check failed: cannot connect to 127.0.0.1:9\n"
                   "kernel state: ✓ kernel series 6.1 is covered by Livepatch\n"
                   "patch state: ✓ no live kernel patches available for kernel 6.1.0-57-amd64\n"
                   "tier: updates\n"
                   "machine id: 0123456789abcdef0123456789abcdef\n");
}

static void
test_humane_verbose (void)
{
  g_autoptr (GVariant) props = build_props (TRUE);
  LpStatusContext ctx = context (TRUE, LAST_CHECK + 300);
  g_autofree char *text = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, &ctx);

  g_assert_cmpstr (text, ==,
                   "last check: 5 minutes ago\n"
                   "kernel: 6.1.0-57-amd64\n"
                   "server check-in: succeeded\n"
                   "kernel state: ✓ kernel series 6.1 is covered by Livepatch\n"
                   "patch state: ✓ all applicable live kernel patch modules applied\n"
                   "patch version: 57.3\n"
                   "tier: updates\n"
                   "client version: 0.1.0\n"
                   "architecture: amd64\n"
                   "cpu model: Intel(R) Xeon(R) CPU E5-2673 v4 @ 2.30GHz\n"
                   "boot time: 2026-11-29T19:57:53Z\n"
                   "uptime: 1h7m7s\n"
                   "mode: normal\n"
                   "next check: in 55 minutes\n"
                   "fixes:\n"
                   "  * cve-2026-1234: use-after-free in nf_tables [LP: #2061234]\n"
                   "  * cve-2026-5678 (not patched)\n"
                   "machine id: 0123456789abcdef0123456789abcdef\n");
}

static void
test_humane_verbose_held_back (void)
{
  g_autoptr (GVariant) props = build_props (FALSE);
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr (GVariant) with_held = NULL;
  LpStatusContext ctx = context (TRUE, LAST_CHECK);
  g_autofree char *text = NULL;
  g_autofree char *plain = NULL;
  GVariantIter iter;
  GVariant *entry;

  g_variant_iter_init (&iter, props);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_variant_builder_add_value (&builder, entry);
      g_variant_unref (entry);
    }
  g_variant_builder_add (
      &builder, "{sv}", "HeldBackPatches",
      g_variant_new_parsed ("[('cve-2026-4242', int64 1795900000, 'LSN-0108-1'), "
                            "('cve-2026-4343', int64 0, '')]"));
  with_held = g_variant_ref_sink (g_variant_builder_end (&builder));
  text = lp_status_render (with_held, LP_STATUS_FORMAT_HUMANE, &ctx);
  g_assert_nonnull (strstr (text, "fixes: none\n"
                                  "held back by cutoff-date or patch-delay:\n"
                                  "  * cve-2026-4242 (LSN-0108-1, published 2026-11-28)\n"
                                  "  * cve-2026-4343\n"
                                  "machine id: "));
  /* only --verbose lists them */
  ctx.verbose = FALSE;
  plain = lp_status_render (with_held, LP_STATUS_FORMAT_HUMANE, &ctx);
  g_assert_null (strstr (plain, "held back"));
}

static void
test_summary_and_secret (void)
{
  g_autoptr (GVariant) props = build_props (FALSE);
  LpStatusContext ctx = context (FALSE, LAST_CHECK + 60);
  g_autofree char *summary = lp_status_render_summary (props, &ctx);
  g_autofree char *secret = NULL;

  g_assert_cmpstr (summary, ==,
                   "last check: 1 minute ago\n"
                   "kernel: 6.1.0-57-amd64\n"
                   "server check-in: succeeded\n"
                   "kernel state: ✓ kernel series 6.1 is covered by Livepatch\n"
                   "patch state: ✓ all applicable live kernel patch modules applied\n"
                   "patch version: 57.3\n");
  ctx.machine_token = "0f1e2d3c";
  secret = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, &ctx);
  g_assert_true (g_str_has_suffix (secret, "machine id: 0123456789abcdef0123456789abcdef\n"
                                           "machine token: 0f1e2d3c\n"));
}

static void
test_json (void)
{
  g_autoptr (GVariant) props = build_props (TRUE);
  LpStatusContext ctx = context (FALSE, LAST_CHECK + 300);
  g_autofree char *text = NULL;

  props = with_string (props, "UpgradeRequiredDate", "2027-03-07");
  text = lp_status_render (props, LP_STATUS_FORMAT_JSON, &ctx);
  g_assert_cmpstr (text, ==,
                   "{\n"
                   "  \"Client-Version\": \"0.1.0\",\n"
                   "  \"Machine-Id\": \"0123456789abcdef0123456789abcdef\",\n"
                   "  \"Architecture\": \"amd64\",\n"
                   "  \"CPU-Model\": \"Intel(R) Xeon(R) CPU E5-2673 v4 @ 2.30GHz\",\n"
                   "  \"Last-Check\": \"2026-11-29T21:00:00Z\",\n"
                   "  \"Boot-Time\": \"2026-11-29T19:57:53Z\",\n"
                   "  \"Uptime\": \"4027\",\n"
                   "  \"Status\": [\n"
                   "    {\n"
                   "      \"Kernel\": \"6.1.0-57-amd64\",\n"
                   "      \"Running\": true,\n"
                   "      \"Livepatch\": {\n"
                   "        \"CheckState\": \"checked\",\n"
                   "        \"State\": \"applied\",\n"
                   "        \"Version\": \"57.3\",\n"
                   "        \"Fixes\": [\n"
                   "          {\n"
                   "            \"Name\": \"cve-2026-1234\",\n"
                   "            \"Description\": \"use-after-free in nf_tables\",\n"
                   "            \"Bug\": \"LP: #2061234\",\n"
                   "            \"Patched\": true\n"
                   "          },\n"
                   "          {\n"
                   "            \"Name\": \"cve-2026-5678\",\n"
                   "            \"Description\": \"\",\n"
                   "            \"Bug\": \"\",\n"
                   "            \"Patched\": false\n"
                   "          }\n"
                   "        ]\n"
                   "      },\n"
                   "      \"Supported\": \"supported\",\n"
                   "      \"UpgradeRequiredDate\": \"2027-03-07\"\n"
                   "    }\n"
                   "  ],\n"
                   "  \"tier\": \"updates\",\n"
                   "  \"Cloud-Enabled\": {\n"
                   "    \"cloud-enabled\": true,\n"
                   "    \"cloud\": \"lxd\",\n"
                   "    \"region\": \"\",\n"
                   "    \"az\": \"\"\n"
                   "  }\n"
                   "}\n");
}

static void
test_yaml (void)
{
  g_autoptr (GVariant) props = build_props (TRUE);
  LpStatusContext ctx = context (FALSE, LAST_CHECK + 300);
  g_autofree char *text = NULL;

  props = with_string (props, "UpgradeRequiredDate", "2027-03-07");
  text = lp_status_render (props, LP_STATUS_FORMAT_YAML, &ctx);
  g_assert_cmpstr (text, ==,
                   "client-version: 0.1.0\n"
                   "machine-id: 0123456789abcdef0123456789abcdef\n"
                   "architecture: amd64\n"
                   "cpu-model: Intel(R) Xeon(R) CPU E5-2673 v4 @ 2.30GHz\n"
                   "last-check: 2026-11-29T21:00:00Z\n"
                   "boot-time: 2026-11-29T19:57:53Z\n"
                   "uptime: 1h7m7s\n"
                   "status:\n"
                   "- kernel: 6.1.0-57-amd64\n"
                   "  running: true\n"
                   "  livepatch:\n"
                   "    checkState: checked\n"
                   "    patchState: applied\n"
                   "    version: \"57.3\"\n"
                   "    fixes: |-\n"
                   "      * cve-2026-1234 LP: #2061234\n"
                   "      * cve-2026-5678\n"
                   "  supported: supported\n"
                   "  upgradeRequiredDate: \"2027-03-07\"\n"
                   "tier: updates\n"
                   "cloud-enabled:\n"
                   "  cloud-enabled: true\n"
                   "  cloud: lxd\n"
                   "  region: \"\"\n"
                   "  az: \"\"\n");
}

static void
test_yaml_never_checked (void)
{
  g_autoptr (GVariant) props = empty_props ();
  LpStatusContext ctx = { NULL, LAST_CHECK, FALSE, NULL };
  g_autofree char *text = lp_status_render (props, LP_STATUS_FORMAT_YAML, &ctx);

  g_assert_cmpstr (text, ==,
                   "client-version: \"\"\n"
                   "machine-id: \"\"\n"
                   "architecture: \"\"\n"
                   "cpu-model: \"\"\n"
                   "last-check: \"\"\n"
                   "boot-time: \"\"\n"
                   "uptime: 0s\n"
                   "status:\n"
                   "- kernel: \"\"\n"
                   "  running: true\n"
                   "  livepatch:\n"
                   "    checkState: \"\"\n"
                   "    patchState: \"\"\n"
                   "    version: \"\"\n"
                   "    fixes: \"\"\n"
                   "  supported: \"\"\n"
                   "  upgradeRequiredDate: \"\"\n"
                   "tier: \"\"\n"
                   "cloud-enabled:\n"
                   "  cloud-enabled: false\n"
                   "  cloud: \"\"\n"
                   "  region: \"\"\n"
                   "  az: \"\"\n");
}

static void
test_yaml_quoting (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "plain", "plain" },
    { "6.1.0-57-amd64", "6.1.0-57-amd64" },
    { "10.8.3", "10.8.3" },
    { "", "\"\"" },
    { "57", "\"57\"" },
    { "57.3", "\"57.3\"" },
    { "1e3", "\"1e3\"" },
    { "2024-06-23", "\"2024-06-23\"" },
    { "2024-02-01T00:00:00Z", "\"2024-02-01T00:00:00Z\"" },
    { "true", "\"true\"" },
    { "No", "\"No\"" },
    { "null", "\"null\"" },
    { "~", "\"~\"" },
    { "key: value", "\"key: value\"" },
    { "a #comment", "\"a #comment\"" },
    { "- item", "\"- item\"" },
    { "*alias", "\"*alias\"" },
    { " padded", "\" padded\"" },
    { "two\nlines", "\"two\\nlines\"" },
    { "say \"hi\"\\", "say \"hi\"\\" },
    { "\"quoted", "\"\\\"quoted\"" },
    { "tab\there", "\"tab\\there\"" },
    { "https://livepatch.canonical.com", "https://livepatch.canonical.com" },
    { "✓ ok", "✓ ok" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString) out = g_string_new (NULL);

      lp_yaml_append_scalar (out, cases[i].in);
      g_assert_cmpstr (out->str, ==, cases[i].out);
    }
}

static void
test_yaml_literal (void)
{
  g_autoptr (GString) out = g_string_new (NULL);

  lp_yaml_append_literal (out, 2, "ca-certs", "-----BEGIN\nAAAA\n-----END\n");
  lp_yaml_append_literal (out, 2, "fixes", "");
  g_assert_cmpstr (out->str, ==,
                   "  ca-certs: |-\n"
                   "    -----BEGIN\n"
                   "    AAAA\n"
                   "    -----END\n"
                   "  fixes: \"\"\n");
}

static void
test_json_layout (void)
{
  g_autoptr (JsonNode) node =
      json_from_string ("{\"a\": [[1, 2], [], {}], \"b\": {}, \"c\": \"x\\u001by\"}", NULL);
  g_autofree char *out = lp_cli_json_pretty (node);
  g_autofree char *quoted = lp_cli_json_quote ("cutoff \"date\"");

  g_assert_cmpstr (out, ==,
                   "{\n"
                   "  \"a\": [\n"
                   "    [\n"
                   "      1,\n"
                   "      2\n"
                   "    ],\n"
                   "    [],\n"
                   "    {}\n"
                   "  ],\n"
                   "  \"b\": {},\n"
                   "  \"c\": \"x\\u001by\"\n"
                   "}\n");
  g_assert_cmpstr (quoted, ==, "\"cutoff \\\"date\\\"\"");
}

static void
test_duration (void)
{
  static const struct
  {
    gint64 seconds;
    const char *out;
  } cases[] = {
    { 0, "0s" },        { 59, "59s" },          { 60, "1m0s" },
    { 3600, "1h0m0s" }, { 69596, "19h19m56s" }, { 360000, "100h0m0s" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = lp_status_format_duration (cases[i].seconds);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

/* Escape sequences from the server (retitle, clear screen) never reach a
 * terminal, whatever the printer. */
static void
test_strip_controls (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "\x1b]0;owned\x07\x1b[2Jfix", "fix" },
    { "a\x1b[31mred\x1b[0m", "ared" },
    { "osc\x1b]8;;http://x\x1b\\link", "osclink" },
    { "c1\xc2\x9b"
      "31mx",
      "c131mx" },
    { "del\x7f tab\tnl\ncr\r", "del tabnlcr" },
    { "esc at end\x1b", "esc at end" },
    { "bad \xff utf8", "bad \xef\xbf\xbd utf8" },
    { "✓ ok", "✓ ok" },
  };
  g_autofree char *pem = lp_cli_strip_controls ("line1\nline2\x1b[2J\n", TRUE);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = lp_cli_strip_controls (cases[i].in, FALSE);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
  g_assert_cmpstr (pem, ==, "line1\nline2\n");
}

static void
test_strip_variant_reaches_every_string (void)
{
  g_autoptr (GVariant) props = build_props (FALSE);
  g_autoptr (GVariant) dirty = NULL;
  g_autoptr (GVariant) clean = NULL;
  LpStatusContext ctx = context (TRUE, LAST_CHECK);
  g_autofree char *humane = NULL;
  g_autofree char *yaml = NULL;
  g_autofree char *json = NULL;
  g_autofree char *printed = NULL;

  props = with_string (props, "Tier",
                       "upd\x1b]0;owned\x07"
                       "ates");
  props = with_string (props, "LastError", "boom\x1b[2J");
  props = with_string (props, "CheckState", "check-failed");
  dirty = g_variant_ref_sink (g_variant_new_parsed (
      "{'Fixes': <[('cve-1\x1b[2J', 'de\x1bscr', true, 'b\x07ug')]>, 'Enabled': <true>}"));
  clean = lp_cli_strip_variant (dirty);
  printed = g_variant_print (clean, FALSE);
  /* ESC s (save cursor) is a two-byte sequence */
  g_assert_cmpstr (printed, ==, "{'Fixes': <[('cve-1', 'decr', true, 'bug')]>, 'Enabled': <true>}");
  g_variant_unref (props);
  props = lp_cli_strip_variant (with_string (build_props (FALSE), "Tier",
                                             "upd\x1b]0;owned\x07"
                                             "ates"));
  humane = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, &ctx);
  yaml = lp_status_render (props, LP_STATUS_FORMAT_YAML, &ctx);
  json = lp_status_render (props, LP_STATUS_FORMAT_JSON, &ctx);
  g_assert_nonnull (strstr (humane, "tier: updates\n"));
  g_assert_nonnull (strstr (yaml, "tier: updates\n"));
  g_assert_nonnull (strstr (json, "\"tier\": \"updates\""));
}

static void
test_cloud_instance_data (void)
{
  LpMachineFacts parsed = { 0 };
  g_autoptr (GError) error = NULL;
  const char *aws = "{\"v1\": {\"cloud_name\": \"aws\", \"region\": \"eu-west-1\", "
                    "\"availability_zone\": \"eu-west-1a\", \"platform\": \"ec2\"}}";

  g_assert_true (lp_machine_facts_parse_cloud (&parsed, aws, -1, &error));
  g_assert_no_error (error);
  g_assert_true (parsed.cloud_enabled);
  g_assert_cmpstr (parsed.cloud, ==, "aws");
  g_assert_cmpstr (parsed.region, ==, "eu-west-1");
  g_assert_cmpstr (parsed.az, ==, "eu-west-1a");
  g_assert_true (
      lp_machine_facts_parse_cloud (&parsed, "{\"v1\": {\"cloud_name\": \"none\"}}", -1, &error));
  g_assert_false (parsed.cloud_enabled);
  g_assert_cmpstr (parsed.cloud, ==, "");
  g_assert_cmpstr (parsed.az, ==, "");
  /* refused without touching what was there */
  parsed.cloud_enabled = TRUE;
  g_assert_false (lp_machine_facts_parse_cloud (&parsed, "[1, 2]", -1, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "cloud-init instance data has no \"v1\" object");
  g_assert_true (parsed.cloud_enabled);
  g_clear_error (&error);
  g_assert_false (lp_machine_facts_parse_cloud (&parsed, "{\"v1\": ", -1, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, "cloud-init instance data: not valid JSON: "));
  g_assert_true (parsed.cloud_enabled);
  g_clear_error (&error);
  /* the guarded parser refuses what json-glib alone would accept */
  g_assert_false (lp_machine_facts_parse_cloud (&parsed, "{/* c */ \"v1\": {}}", -1, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_assert_true (parsed.cloud_enabled);
  g_free (parsed.cloud);
  g_free (parsed.region);
  g_free (parsed.az);
}

static void
test_machine_facts_from_proc (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lp-facts-XXXXXX", NULL);
  g_autofree char *cpuinfo = g_build_filename (dir, "cpuinfo", NULL);
  g_autofree char *stat = g_build_filename (dir, "stat", NULL);
  g_autofree char *cloud = g_build_filename (dir, "instance-data.json", NULL);
  g_autoptr (LpMachineFacts) read = NULL;
  g_autoptr (LpMachineFacts) missing = NULL;

  g_assert_true (g_file_set_contents (
      cpuinfo, "processor\t: 0\nmodel name\t: Test \x1b[2JCPU @ 2GHz\n", -1, NULL));
  g_assert_true (
      g_file_set_contents (stat, "cpu  1 2 3\nbtime 1712672712\nprocesses 9\n", -1, NULL));
  g_assert_true (g_file_set_contents (cloud, "{\"v1\": {\"cloud_name\": \"lxd\"}}", -1, NULL));
  read = lp_machine_facts_read_from (dir, cloud);
  g_assert_cmpstr (read->cpu_model, ==, "Test CPU @ 2GHz");
  g_assert_cmpint (read->boot_time, ==, 1712672712);
  g_assert_true (read->cloud_enabled);
  g_assert_cmpstr (read->cloud, ==, "lxd");
  missing = lp_machine_facts_read_from ("/nonexistent", NULL);
  g_assert_cmpstr (missing->cpu_model, ==, "");
  g_assert_cmpint (missing->boot_time, ==, 0);
  g_assert_false (missing->cloud_enabled);
  g_unlink (cpuinfo);
  g_unlink (stat);
  g_unlink (cloud);
  g_rmdir (dir);
}

#define NOW G_GINT64_CONSTANT (1000000)

static void
test_relative_time (void)
{
  static const struct
  {
    gint64 when;
    const char *out;
  } cases[] = {
    { 0, "never" },
    { NOW, "0 seconds ago" },
    { NOW - 1, "1 second ago" },
    { NOW - 52, "52 seconds ago" },
    { NOW - 60, "1 minute ago" },
    { NOW - 3599, "59 minutes ago" },
    { NOW - 3600, "1 hour ago" },
    { NOW - 86400 * 3, "3 days ago" },
    { NOW + 3300, "in 55 minutes" },
    { NOW + 86400, "in 1 day" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = lp_status_format_relative (cases[i].when, NOW);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_progress_bar (void)
{
  g_autofree char *zero = lp_status_format_progress (0, 10);
  g_autofree char *half = lp_status_format_progress (50, 10);
  g_autofree char *full = lp_status_format_progress (100, 10);
  g_autofree char *over = lp_status_format_progress (250, 10);

  g_assert_cmpstr (zero, ==, "[          ]   0%");
  g_assert_cmpstr (half, ==, "[#####     ]  50%");
  g_assert_cmpstr (full, ==, "[##########] 100%");
  g_assert_cmpstr (over, ==, "[##########] 100%");
}

static void
test_kernel_series (void)
{
  g_autofree char *debian = lp_status_kernel_series ("6.1.0-57-amd64");
  g_autofree char *ubuntu = lp_status_kernel_series ("5.4.0-216.236-generic");
  g_autofree char *bare = lp_status_kernel_series ("6");
  g_autofree char *junk = lp_status_kernel_series ("linux-6.1");

  g_assert_cmpstr (debian, ==, "6.1");
  g_assert_cmpstr (ubuntu, ==, "5.4");
  g_assert_null (bare);
  g_assert_null (junk);
}

static GVariant *
props_with (const char *supported, const char *patch_state, const char *date,
            const char *error_code)
{
  g_auto (GVariantBuilder) props = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_variant_builder_add (&props, "{sv}", "Kernel", g_variant_new_string ("5.15.0-100.110-generic"));
  g_variant_builder_add (&props, "{sv}", "CheckState", g_variant_new_string ("checked"));
  g_variant_builder_add (&props, "{sv}", "Supported", g_variant_new_string (supported));
  g_variant_builder_add (&props, "{sv}", "PatchState", g_variant_new_string (patch_state));
  g_variant_builder_add (&props, "{sv}", "UpgradeRequiredDate", g_variant_new_string (date));
  g_variant_builder_add (&props, "{sv}", "LastErrorCode", g_variant_new_string (error_code));
  return g_variant_ref_sink (g_variant_builder_end (&props));
}

/* 2026-11-29T21:00:00Z, as LAST_CHECK */
#define TODAY LAST_CHECK

/* every kernel state line of the reference documentation */
static void
test_kernel_states (void)
{
  static const struct
  {
    const char *supported, *date, *out;
  } cases[] = {
    { "supported", "", "✓ kernel series 5.15 is covered by Livepatch" },
    { "supported", "2027-03-07", "✓ kernel series 5.15 is covered by Livepatch" },
    { "supported", "2026-11-28",
      "✗ Livepatch coverage ended 2026-11-28; please upgrade the kernel and reboot" },
    { "kernel-upgrade-required", "2026-12-15",
      "✓ kernel 5.15.0-100.110-generic is covered by Livepatch until 2026-12-15, please install "
      "available kernel updates and reboot before then" },
    { "kernel-upgrade-required", "2026-11-29",
      "✓ kernel 5.15.0-100.110-generic is covered by Livepatch until 2026-11-29, please install "
      "available kernel updates and reboot before then" },
    { "kernel-upgrade-required", "2026-11-28",
      "✗ Livepatch coverage ended 2026-11-28; please upgrade the kernel and reboot" },
    { "kernel-upgrade-required", "",
      "✗ Livepatch coverage has ended; please upgrade the kernel and reboot" },
    { "kernel-end-of-life", "", "✗ kernel is no longer covered by Livepatch" },
    { "unsupported", "", "✗ kernel is not covered by Livepatch" },
    { "unknown", "",
      "✗ unable to determine kernel support status; please contact Canonical support" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GVariant) props = props_with (cases[i].supported, "applied", cases[i].date, "");
      g_autofree char *out = lp_status_describe_kernel_state (props, TODAY);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

/* before the first check there is no verdict to show */
static void
test_kernel_state_not_checked (void)
{
  g_autoptr (GVariant) props = empty_props ();
  g_autofree char *kernel = lp_status_describe_kernel_state (props, TODAY);
  g_autofree char *patch = lp_status_describe_patch_state (props);

  g_assert_null (kernel);
  g_assert_null (patch);
}

/* every patch state line of the reference documentation */
static void
test_patch_states (void)
{
  static const struct
  {
    const char *supported, *state, *code, *out;
  } cases[] = {
    { "supported", "unapplied", "",
      "⧗ live kernel patches are downloaded, but the kernel module is not yet inserted" },
    { "supported", "downloading", "", "⧗ downloading live kernel patches" },
    { "supported", "applying", "", "⧗ patching the kernel" },
    { "supported", "applied", "", "✓ all applicable live kernel patch modules applied" },
    { "supported", "nothing-to-apply", "",
      "✓ no live kernel patches available for kernel 5.15.0-100.110-generic" },
    { "kernel-end-of-life", "nothing-to-apply", "",
      "✗ patches are no longer available for this version of the kernel, please upgrade" },
    { "kernel-upgrade-required", "nothing-to-apply", "",
      "✗ kernel 5.15.0-100.110-generic contains a vulnerability that cannot be remediated with "
      "live kernel patching, please upgrade and reboot" },
    { "supported", "applied-with-bug", "",
      "✗ Livepatch kernel module inserted but kernel bug detected" },
    { "supported", "apply-failed", "Blocked",
      "✗ detected a crash last time the Livepatch kernel module was applied, check system logs "
      "with journalctl -f -u livepatchd" },
    { "supported", "apply-failed", "InvalidSignature",
      "✗ failed to verify the signature of the Livepatch kernel module" },
    { "supported", "apply-failed", "InvalidArchive",
      "✗ failed to extract information about the Livepatch kernel module" },
    { "supported", "apply-failed", "InvalidMetadata",
      "✗ failed to extract information about the Livepatch kernel module" },
    { "supported", "apply-failed", "InvalidCertificate",
      "✗ failed to load certificate used to verify the signature of the Livepatch kernel module" },
    { "supported", "apply-failed", "LoadFailed",
      "✗ failed to confirm that the Livepatch kernel module was applied successfully" },
    { "supported", "apply-failed", "",
      "✗ unknown error occurred, please check system logs with journalctl -f -u livepatchd" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GVariant) props =
          props_with (cases[i].supported, cases[i].state, "", cases[i].code);
      g_autofree char *out = lp_status_describe_patch_state (props);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_mistyped_property_reads_empty (void)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr (GVariant) props = NULL;
  LpStatusContext ctx = context (TRUE, LAST_CHECK);
  g_autofree char *text = NULL;

  g_variant_builder_add (&builder, "{sv}", "Kernel", g_variant_new_int32 (6));
  g_variant_builder_add (&builder, "{sv}", "LastCheck", g_variant_new_string ("yesterday"));
  g_variant_builder_add (&builder, "{sv}", "Fixes", g_variant_new_strv (NULL, 0));
  g_variant_builder_add (&builder, "{sv}", "HeldBackPatches", g_variant_new_strv (NULL, 0));
  props = g_variant_ref_sink (g_variant_builder_end (&builder));
  text = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, &ctx);
  g_assert_nonnull (strstr (text, "last check: never\nkernel: \n"));
  g_assert_nonnull (strstr (text, "fixes: none\n"));
}

static void
test_not_enabled_hint (void)
{
  g_assert_cmpstr (lp_status_not_enabled_hint (), ==,
                   "Machine is not enabled. Please run 'sudo canonical-livepatch enable' with the\n"
                   "token obtained from https://ubuntu.com/livepatch.\n");
}

static void
test_parse_format (void)
{
  LpStatusFormat format = LP_STATUS_FORMAT_HUMANE;

  g_assert_true (lp_status_format_parse ("json", &format));
  g_assert_cmpint (format, ==, LP_STATUS_FORMAT_JSON);
  g_assert_true (lp_status_format_parse ("yaml", &format));
  g_assert_cmpint (format, ==, LP_STATUS_FORMAT_YAML);
  g_assert_true (lp_status_format_parse ("humane", &format));
  g_assert_cmpint (format, ==, LP_STATUS_FORMAT_HUMANE);
  g_assert_false (lp_status_format_parse ("JSON", &format));
  g_assert_false (lp_status_format_parse ("xml", &format));
  g_assert_false (lp_status_format_parse ("", &format));
  g_assert_cmpint (format, ==, LP_STATUS_FORMAT_HUMANE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/status-format/humane", test_humane);
  g_test_add_func ("/status-format/humane-lines-all-have-a-key", test_humane_lines_all_have_a_key);
  g_test_add_func ("/status-format/humane-check-failed", test_humane_check_failed);
  g_test_add_func ("/status-format/humane-verbose", test_humane_verbose);
  g_test_add_func ("/status-format/humane-verbose-held-back", test_humane_verbose_held_back);
  g_test_add_func ("/status-format/summary-and-show-secrets", test_summary_and_secret);
  g_test_add_func ("/status-format/json", test_json);
  g_test_add_func ("/status-format/yaml", test_yaml);
  g_test_add_func ("/status-format/yaml-never-checked", test_yaml_never_checked);
  g_test_add_func ("/status-format/relative-time", test_relative_time);
  g_test_add_func ("/status-format/duration", test_duration);
  g_test_add_func ("/status-format/progress-bar", test_progress_bar);
  g_test_add_func ("/status-format/kernel-series", test_kernel_series);
  g_test_add_func ("/status-format/kernel-states", test_kernel_states);
  g_test_add_func ("/status-format/kernel-state-not-checked", test_kernel_state_not_checked);
  g_test_add_func ("/status-format/patch-states", test_patch_states);
  g_test_add_func ("/status-format/mistyped-property-reads-empty",
                   test_mistyped_property_reads_empty);
  g_test_add_func ("/status-format/not-enabled-hint", test_not_enabled_hint);
  g_test_add_func ("/status-format/reject-unknown-format", test_parse_format);
  g_test_add_func ("/yaml/quote-ambiguous-scalars", test_yaml_quoting);
  g_test_add_func ("/yaml/literal-block", test_yaml_literal);
  g_test_add_func ("/json/go-layout", test_json_layout);
  g_test_add_func ("/sanitize/strip-controls", test_strip_controls);
  g_test_add_func ("/sanitize/strip-variant-reaches-every-string",
                   test_strip_variant_reaches_every_string);
  g_test_add_func ("/machine-facts/cloud-instance-data", test_cloud_instance_data);
  g_test_add_func ("/machine-facts/from-proc", test_machine_facts_from_proc);
  return g_test_run ();
}
