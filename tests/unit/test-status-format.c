/* test-status-format.c: `canonical-livepatch status` output from fixed
 * property dictionaries, byte for byte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

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
      g_variant_builder_add (&fixes, "(ssbs)", "CVE-2026-1234", "use-after-free in nf_tables", TRUE,
                             "LP: #2061234");
      g_variant_builder_add (&fixes, "(ssbs)", "CVE-2026-5678", "", FALSE, "");
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

static GVariant *
empty_props (void)
{
  return g_variant_ref_sink (g_variant_new ("a{sv}", NULL));
}

static void
test_humane (void)
{
  g_autoptr (GVariant) props = build_props (TRUE);
  g_autofree char *text =
      lp_status_render (props, LP_STATUS_FORMAT_HUMANE, FALSE, LAST_CHECK + 300);

  g_assert_cmpstr (text, ==,
                   "last check: 5 minutes ago\n"
                   "kernel: 6.1.0-57-amd64\n"
                   "server check-in: succeeded\n"
                   "kernel state: ✓ kernel series 6.1 is covered by Livepatch\n"
                   "patch state: ✓ all applicable livepatch modules inserted\n"
                   "patch version: 57.3\n"
                   "tier: updates\n"
                   "machine id: 0123456789abcdef0123456789abcdef\n");
}

static void
test_humane_verbose (void)
{
  g_autoptr (GVariant) props = build_props (TRUE);
  g_autofree char *text = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, TRUE, LAST_CHECK + 300);

  g_assert_cmpstr (text, ==,
                   "last check: 5 minutes ago\n"
                   "kernel: 6.1.0-57-amd64\n"
                   "server check-in: succeeded\n"
                   "kernel state: ✓ kernel series 6.1 is covered by Livepatch\n"
                   "patch state: ✓ all applicable livepatch modules inserted\n"
                   "patch version: 57.3\n"
                   "client version: 0.1.0\n"
                   "architecture: amd64\n"
                   "tier: updates\n"
                   "mode: normal\n"
                   "next check: in 55 minutes\n"
                   "last error: none\n"
                   "fixes:\n"
                   "  * CVE-2026-1234: use-after-free in nf_tables [LP: #2061234]\n"
                   "  * CVE-2026-5678 (not patched)\n"
                   "machine id: 0123456789abcdef0123456789abcdef\n");
}

static void
test_humane_never_checked (void)
{
  g_autoptr (GVariant) props = empty_props ();
  g_autofree char *text = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, TRUE, LAST_CHECK);

  g_assert_cmpstr (text, ==,
                   "last check: never\n"
                   "kernel: \n"
                   "server check-in: unknown\n"
                   "kernel state: - kernel support status not known yet\n"
                   "patch state: unknown\n"
                   "client version: \n"
                   "architecture: \n"
                   "tier: unknown\n"
                   "mode: \n"
                   "next check: none scheduled\n"
                   "last error: none\n"
                   "fixes: none\n"
                   "machine id: \n");
}

static void
test_json (void)
{
  g_autoptr (GVariant) props = build_props (TRUE);
  g_autofree char *text = lp_status_render (props, LP_STATUS_FORMAT_JSON, FALSE, 0);

  g_assert_cmpstr (text, ==,
                   "{\n"
                   "  \"Client-Version\" : \"0.1.0\",\n"
                   "  \"Machine-Id\" : \"0123456789abcdef0123456789abcdef\",\n"
                   "  \"Architecture\" : \"amd64\",\n"
                   "  \"Last-Check\" : \"2026-11-29T21:00:00Z\",\n"
                   "  \"Status\" : [\n"
                   "    {\n"
                   "      \"Kernel\" : \"6.1.0-57-amd64\",\n"
                   "      \"Running\" : true,\n"
                   "      \"Supported\" : \"supported\",\n"
                   "      \"Livepatch\" : {\n"
                   "        \"CheckState\" : \"checked\",\n"
                   "        \"State\" : \"applied\",\n"
                   "        \"Version\" : \"57.3\",\n"
                   "        \"Fixes\" : [\n"
                   "          {\n"
                   "            \"Name\" : \"CVE-2026-1234\",\n"
                   "            \"Description\" : \"use-after-free in nf_tables\",\n"
                   "            \"Bug\" : \"LP: #2061234\",\n"
                   "            \"Patched\" : true\n"
                   "          },\n"
                   "          {\n"
                   "            \"Name\" : \"CVE-2026-5678\",\n"
                   "            \"Description\" : \"\",\n"
                   "            \"Bug\" : \"\",\n"
                   "            \"Patched\" : false\n"
                   "          }\n"
                   "        ]\n"
                   "      }\n"
                   "    }\n"
                   "  ]\n"
                   "}\n");
}

static void
test_json_never_checked (void)
{
  g_autoptr (GVariant) props = empty_props ();
  g_autofree char *text = lp_status_render (props, LP_STATUS_FORMAT_JSON, FALSE, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root, *status, *livepatch;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "Last-Check"), ==, "");
  status = json_array_get_object_element (json_object_get_array_member (root, "Status"), 0);
  g_assert_true (json_object_get_boolean_member (status, "Running"));
  livepatch = json_object_get_object_member (status, "Livepatch");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (livepatch, "Fixes")), ==,
                    0);
}

static void
test_yaml (void)
{
  g_autoptr (GVariant) props = build_props (TRUE);
  g_autofree char *text = lp_status_render (props, LP_STATUS_FORMAT_YAML, FALSE, 0);

  g_assert_cmpstr (text, ==,
                   "Client-Version: 0.1.0\n"
                   "Machine-Id: 0123456789abcdef0123456789abcdef\n"
                   "Architecture: amd64\n"
                   "Last-Check: \"2026-11-29T21:00:00Z\"\n"
                   "Status:\n"
                   "- Kernel: 6.1.0-57-amd64\n"
                   "  Running: true\n"
                   "  Supported: supported\n"
                   "  Livepatch:\n"
                   "    CheckState: checked\n"
                   "    State: applied\n"
                   "    Version: \"57.3\"\n"
                   "    Fixes:\n"
                   "    - Name: CVE-2026-1234\n"
                   "      Description: use-after-free in nf_tables\n"
                   "      Bug: \"LP: #2061234\"\n"
                   "      Patched: true\n"
                   "    - Name: CVE-2026-5678\n"
                   "      Description: \"\"\n"
                   "      Bug: \"\"\n"
                   "      Patched: false\n");
}

static void
test_yaml_empty_fixes (void)
{
  g_autoptr (GVariant) props = build_props (FALSE);
  g_autofree char *text = lp_status_render (props, LP_STATUS_FORMAT_YAML, FALSE, 0);

  g_assert_nonnull (strstr (text, "    Version: \"57.3\"\n    Fixes: []\n"));
}

static char *
yaml_of_string (const char *s)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, s);
  return lp_yaml_from_json_node (node);
}

static void
test_yaml_quoting (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "plain", "plain\n" },
    { "6.1.0-57-amd64", "6.1.0-57-amd64\n" },
    { "", "\"\"\n" },
    { "57", "\"57\"\n" },
    { "57.3", "\"57.3\"\n" },
    { "1e3", "\"1e3\"\n" },
    { "true", "\"true\"\n" },
    { "No", "\"No\"\n" },
    { "null", "\"null\"\n" },
    { "~", "\"~\"\n" },
    { "key: value", "\"key: value\"\n" },
    { "a #comment", "\"a #comment\"\n" },
    { "- item", "\"- item\"\n" },
    { "*alias", "\"*alias\"\n" },
    { " padded", "\" padded\"\n" },
    { "two\nlines", "\"two\\nlines\"\n" },
    { "say \"hi\"\\", "say \"hi\"\\\n" },
    { "\"quoted", "\"\\\"quoted\"\n" },
    { "tab\there", "\"tab\\there\"\n" },
    { "✓ ok", "✓ ok\n" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = yaml_of_string (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_yaml_nested_sequences (void)
{
  g_autoptr (JsonNode) node = json_from_string ("{\"a\": [[1, 2], [], {}], \"b\": {}}", NULL);
  g_autofree char *out = lp_yaml_from_json_node (node);

  g_assert_cmpstr (out, ==,
                   "a:\n"
                   "-\n"
                   "  - 1\n"
                   "  - 2\n"
                   "- []\n"
                   "- {}\n"
                   "b: {}\n");
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
props_with (const char *name, const char *value)
{
  g_auto (GVariantBuilder) props = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_variant_builder_add (&props, "{sv}", "Kernel", g_variant_new_string ("6.1.0-57-amd64"));
  g_variant_builder_add (&props, "{sv}", name, g_variant_new_string (value));
  return g_variant_ref_sink (g_variant_builder_end (&props));
}

static void
test_kernel_states (void)
{
  static const struct
  {
    const char *supported;
    const char *out;
  } cases[] = {
    { "supported", "✓ kernel series 6.1 is covered by Livepatch" },
    { "kernel-upgrade-required",
      "✗ Livepatch coverage has ended; please upgrade the kernel and reboot" },
    { "kernel-end-of-life", "✗ kernel is no longer covered by Livepatch" },
    { "unsupported", "✗ kernel is not covered by Livepatch" },
    { "unknown", "- kernel support status not known yet" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GVariant) props = props_with ("Supported", cases[i].supported);
      g_autofree char *out = lp_status_describe_kernel_state (props);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_patch_states (void)
{
  static const struct
  {
    const char *state;
    const char *out;
  } cases[] = {
    { "unapplied", "patch state: - no livepatch modules applied yet" },
    { "downloading", "patch state: ⧗ downloading livepatch" },
    { "applying", "patch state: ⧗ patching the kernel" },
    { "applied", "patch state: ✓ all applicable livepatch modules inserted" },
    { "nothing-to-apply", "patch state: ✓ no livepatches needed for this kernel yet" },
    { "applied-with-bug", "patch state: ✗ module inserted but kernel bug detected" },
    { "apply-failed", "patch state: ✗ livepatch update failed" },
    { "from-the-future", "patch state: from-the-future" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GVariant) props = props_with ("PatchState", cases[i].state);
      g_autofree char *out = lp_status_describe_patch_state (props);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_mistyped_property_reads_empty (void)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr (GVariant) props = NULL;
  g_autofree char *text = NULL;

  g_variant_builder_add (&builder, "{sv}", "Kernel", g_variant_new_int32 (6));
  g_variant_builder_add (&builder, "{sv}", "LastCheck", g_variant_new_string ("yesterday"));
  g_variant_builder_add (&builder, "{sv}", "Fixes", g_variant_new_strv (NULL, 0));
  props = g_variant_ref_sink (g_variant_builder_end (&builder));
  text = lp_status_render (props, LP_STATUS_FORMAT_HUMANE, TRUE, LAST_CHECK);
  g_assert_nonnull (strstr (text, "last check: never\nkernel: \n"));
  g_assert_nonnull (strstr (text, "fixes: none\n"));
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
  g_test_add_func ("/status-format/humane-verbose", test_humane_verbose);
  g_test_add_func ("/status-format/humane-never-checked", test_humane_never_checked);
  g_test_add_func ("/status-format/json", test_json);
  g_test_add_func ("/status-format/json-never-checked", test_json_never_checked);
  g_test_add_func ("/status-format/yaml", test_yaml);
  g_test_add_func ("/status-format/yaml-empty-fixes", test_yaml_empty_fixes);
  g_test_add_func ("/status-format/relative-time", test_relative_time);
  g_test_add_func ("/status-format/progress-bar", test_progress_bar);
  g_test_add_func ("/status-format/kernel-series", test_kernel_series);
  g_test_add_func ("/status-format/kernel-states", test_kernel_states);
  g_test_add_func ("/status-format/patch-states", test_patch_states);
  g_test_add_func ("/status-format/mistyped-property-reads-empty",
                   test_mistyped_property_reads_empty);
  g_test_add_func ("/status-format/reject-unknown-format", test_parse_format);
  g_test_add_func ("/yaml/quote-ambiguous-scalars", test_yaml_quoting);
  g_test_add_func ("/yaml/nested-and-empty-containers", test_yaml_nested_sequences);
  return g_test_run ();
}
