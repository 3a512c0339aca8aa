/* test-manifest.c: patch.json parsing and version ordering
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lp-error.h"
#include "lp-manifest.h"

#define GOOD_FIX                                                                                   \
  "{\"name\": \"CVE-2026-1234\", \"description\": \"d\", \"bug\": \"LP#1\", \"patched\": true}"
#define M(fmt, ver, kern, arch, mod, fixes)                                                        \
  "{\"format\": " fmt ", \"version\": " ver ", \"kernel\": " kern ", \"architecture\": " arch      \
  ", \"module\": " mod ", \"fixes\": " fixes "}"
#define GOOD_M(...)                                                                                \
  M ("1", "\"57.3\"", "\"6.1.0-57-amd64\"", "\"amd64\"", "\"lkp_57.ko\"", "[" GOOD_FIX "]")

typedef struct
{
  const char *name;
  const char *json;
  const char *needle; /* must appear in the message: it names the member */
} BadManifest;

static const BadManifest bad_manifests[] = {
  { "not-json", "{\"format\": 1,", "not valid JSON" },
  { "not-object", "[1, 2]", "not a JSON object" },
  { "empty", "", "JSON" },
  { "nul-byte", "{\"format\": 1}\0", "UTF-8" },
  { "missing-format", "{\"version\": \"1\"}", "\"format\"" },
  { "format-string", M ("\"1\"", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.ko\"", "[]"),
    "\"format\"" },
  { "format-float", M ("1.0", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.ko\"", "[]"), "\"format\"" },
  { "format-2", M ("2", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.ko\"", "[]"), "format 2" },
  { "missing-version", "{\"format\": 1, \"kernel\": \"k\"}", "\"version\"" },
  { "version-number", M ("1", "57.3", "\"k\"", "\"amd64\"", "\"a.ko\"", "[]"), "\"version\"" },
  { "version-empty", M ("1", "\"\"", "\"k\"", "\"amd64\"", "\"a.ko\"", "[]"), "\"version\"" },
  { "version-letters", M ("1", "\"57.3a\"", "\"k\"", "\"amd64\"", "\"a.ko\"", "[]"),
    "\"version\"" },
  { "version-trailing-dot", M ("1", "\"57.\"", "\"k\"", "\"amd64\"", "\"a.ko\"", "[]"),
    "\"version\"" },
  { "kernel-null", M ("1", "\"57.3\"", "null", "\"amd64\"", "\"a.ko\"", "[]"), "\"kernel\"" },
  { "kernel-slash", M ("1", "\"57.3\"", "\"../x\"", "\"amd64\"", "\"a.ko\"", "[]"), "\"kernel\"" },
  { "architecture-number", M ("1", "\"57.3\"", "\"k\"", "64", "\"a.ko\"", "[]"),
    "\"architecture\"" },
  { "module-object", M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "{}", "[]"), "\"module\"" },
  { "module-slash", M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"x/a.ko\"", "[]"), "\"module\"" },
  { "module-dotdot", M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"../a.ko\"", "[]"), "\"module\"" },
  { "module-not-ko", M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.so\"", "[]"), "\"module\"" },
  { "module-only-suffix", M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\".ko\"", "[]"),
    "\"module\"" },
  { "module-space", M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a b.ko\"", "[]"), "\"module\"" },
  { "fixes-missing",
    "{\"format\": 1, \"version\": \"1\", \"kernel\": \"k\", \"architecture\": \"a\", \"module\": "
    "\"a.ko\"}",
    "\"fixes\"" },
  { "fixes-object", M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.ko\"", "{}"), "\"fixes\"" },
  { "fix-not-object", M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.ko\"", "[1]"), "fixes[0]" },
  { "fix-missing-name",
    M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.ko\"",
       "[{\"description\": \"\", \"bug\": \"\", \"patched\": true}]"),
    "fixes[0].name" },
  { "fix-missing-patched",
    M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.ko\"",
       "[" GOOD_FIX ", {\"name\": \"n\", \"description\": \"\", \"bug\": \"\"}]"),
    "fixes[1].patched" },
  { "fix-patched-string",
    M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.ko\"",
       "[{\"name\": \"n\", \"description\": \"\", \"bug\": \"\", \"patched\": \"true\"}]"),
    "fixes[0].patched" },
  { "fix-bug-number",
    M ("1", "\"57.3\"", "\"k\"", "\"amd64\"", "\"a.ko\"",
       "[{\"name\": \"n\", \"description\": \"\", \"bug\": 1, \"patched\": true}]"),
    "fixes[0].bug" },
};

static void
test_reject (gconstpointer data)
{
  const BadManifest *bad = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (LpManifest) manifest = NULL;
  gsize len = strlen (bad->json) + (g_str_equal (bad->name, "nul-byte") ? 1 : 0);

  manifest = lp_manifest_new_from_data (bad->json, len, &error);
  g_assert_null (manifest);
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_METADATA);
  if (strstr (error->message, bad->needle) == NULL)
    g_error ("message \"%s\" does not name %s", error->message, bad->needle);
}

static void
test_accept (void)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static (GOOD_M (), strlen (GOOD_M ()));
  g_autoptr (GError) error = NULL;
  g_autoptr (LpManifest) manifest = lp_manifest_new_from_bytes (bytes, &error);
  g_autoptr (GVariant) fixes = NULL;
  g_autofree char *printed = NULL;
  LpFix *fix;

  g_assert_no_error (error);
  g_assert_cmpint (lp_manifest_get_format (manifest), ==, 1);
  g_assert_cmpstr (lp_manifest_get_version (manifest), ==, "57.3");
  g_assert_cmpstr (lp_manifest_get_kernel (manifest), ==, "6.1.0-57-amd64");
  g_assert_cmpstr (lp_manifest_get_architecture (manifest), ==, "amd64");
  g_assert_cmpstr (lp_manifest_get_module (manifest), ==, "lkp_57.ko");
  g_assert_cmpuint (lp_manifest_get_fixes (manifest)->len, ==, 1);
  fix = g_ptr_array_index (lp_manifest_get_fixes (manifest), 0);
  g_assert_cmpstr (fix->name, ==, "CVE-2026-1234");
  g_assert_true (fix->patched);
  fixes = g_variant_ref_sink (lp_manifest_get_fixes_variant (manifest));
  g_assert_cmpstr (g_variant_get_type_string (fixes), ==, "a(ssbs)");
  printed = g_variant_print (fixes, FALSE);
  g_assert_cmpstr (printed, ==, "[('CVE-2026-1234', 'd', true, 'LP#1')]");
}

static void
test_accept_unknown_members (void)
{
  const char *json = "{\"format\": 1, \"version\": \"58\", \"kernel\": \"6.1.0-1-arm64\", "
                     "\"architecture\": \"arm64\", \"module\": \"a_b-c.ko\", \"fixes\": [], "
                     "\"replaces\": [\"57.3\"], \"x-future\": {\"a\": null}}";
  g_autoptr (GError) error = NULL;
  g_autoptr (LpManifest) manifest = lp_manifest_new_from_data (json, strlen (json), &error);

  g_assert_no_error (error);
  g_assert_cmpuint (lp_manifest_get_fixes (manifest)->len, ==, 0);
}

static void
test_reject_oversize (void)
{
  g_autofree char *big = g_strnfill (LP_MANIFEST_MAX_SIZE + 1, ' ');
  g_autoptr (GError) error = NULL;

  g_assert_null (lp_manifest_new_from_data (big, strlen (big), &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_METADATA);
}

static void
test_fix_copy (void)
{
  LpFix fix = { (char *) "n", (char *) "d", (char *) "b", TRUE };
  g_autoptr (LpFix) copy = lp_fix_copy (&fix);

  g_assert_cmpstr (copy->bug, ==, "b");
  g_assert_true (copy->patched);
}

static void
test_version_compare (void)
{
  static const struct
  {
    const char *a, *b;
    int expected;
  } cases[] = {
    { "57.3", "57.10", -1 }, { "57.10", "58.1", -1 }, { "58.1", "57.10", 1 },
    { "57", "57.0", 0 },     { "57.0.1", "57", 1 },   { "007", "7", 0 },
    { "1.2.3", "1.2.3", 0 }, { "9", "10", -1 },       { "99999999999999999999", "1", 1 },
    { "abc", "1", -1 },      { "1", "", 1 },          { NULL, "1", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int got = lp_version_compare (cases[i].a, cases[i].b);

      g_assert_cmpint (CLAMP (got, -1, 1), ==, cases[i].expected);
      g_assert_cmpint (CLAMP (lp_version_compare (cases[i].b, cases[i].a), -1, 1), ==,
                       -cases[i].expected);
    }
  g_assert_true (lp_version_is_valid ("57.3"));
  g_assert_false (lp_version_is_valid ("57..3"));
  g_assert_false (lp_version_is_valid (".57"));
  g_assert_false (lp_version_is_valid ("-1"));
}

/* A valid manifest whose first fix has these raw JSON member values. */
static char *
manifest_with_fix (const char *name, const char *description, const char *bug)
{
  return g_strdup_printf ("{\"format\": 1, \"version\": \"57.3\", \"kernel\": \"6.1.0-57-amd64\", "
                          "\"architecture\": \"amd64\", \"module\": \"lkp_57.ko\", \"fixes\": "
                          "[{\"name\": %s, \"description\": %s, \"bug\": %s, \"patched\": true}]}",
                          name, description, bug);
}

static void
assert_refused (const char *json, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpManifest) manifest = lp_manifest_new_from_data (json, strlen (json), &error);

  g_assert_null (manifest);
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_METADATA);
  g_assert_cmpstr (error->message, ==, message);
}

static LpFix *
first_fix (LpManifest *manifest)
{
  g_assert_nonnull (manifest);
  return g_ptr_array_index (lp_manifest_get_fixes (manifest), 0);
}

/* 200 KB of '[' overflowed json-glib's recursive parser (issue 11, defect 1). */
static void
test_reject_deep_nesting (void)
{
  g_autofree char *open = g_strnfill (200 * 1024, '[');
  g_autofree char *json = g_strconcat ("{\"format\": 1, \"x\": ", open, NULL);

  assert_refused (json, "patch.json: nested deeper than 32 levels");
}

/* Depth 32 is the limit, not past it: the root object plus 31 arrays. */
static void
test_accept_nesting_at_limit (void)
{
  g_autofree char *open = g_strnfill (31, '[');
  g_autofree char *close = g_strnfill (31, ']');
  g_autofree char *json = g_strdup_printf (
      "{\"format\": 1, \"version\": \"57.3\", \"kernel\": \"k\", \"architecture\": \"amd64\", "
      "\"module\": \"a.ko\", \"fixes\": [], \"x\": %s%s, \"s\": \"[[[[{{{{\\\"[[\"}",
      open, close);
  g_autoptr (GError) error = NULL;
  g_autoptr (LpManifest) manifest = lp_manifest_new_from_data (json, strlen (json), &error);

  g_assert_no_error (error);
  g_assert_nonnull (manifest);
}

/* json-glib skips C comments: a quote inside one must not hide brackets
 * from the depth scan, so comments are refused outright. */
static void
test_reject_comment (void)
{
  g_autofree char *open = g_strnfill (1000, '[');
  g_autofree char *json = g_strconcat ("{\"format\": 1 /* \" */, \"x\": ", open, NULL);

  assert_refused (json, "patch.json: not valid JSON: a comment or single-quoted string at byte 13");
  assert_refused ("{'format': 1}",
                  "patch.json: not valid JSON: a comment or single-quoted string at byte 1");
}

/* Terminal escapes in prose are replaced, one U+FFFD each (defect 7). */
static void
test_description_escapes_replaced (void)
{
  g_autofree char *json = manifest_with_fix (
      "\"CVE-2026-1\"", "\"a\\u001b]0;owned\\u0007\\u001b[2J\"", "\"LP#1\\u009b\\u007f\"");
  g_autoptr (GError) error = NULL;
  g_autoptr (LpManifest) manifest = lp_manifest_new_from_data (json, strlen (json), &error);
  LpFix *fix;

  g_assert_no_error (error);
  fix = first_fix (manifest);
  g_assert_cmpstr (fix->description, ==, "a\xef\xbf\xbd]0;owned\xef\xbf\xbd\xef\xbf\xbd[2J");
  g_assert_cmpstr (fix->bug, ==, "LP#1\xef\xbf\xbd\xef\xbf\xbd");
}

/* json-glib decodes a lone surrogate escape to bytes that are not UTF-8
 * (and drops the character after it): in prose they are replaced, so
 * g_variant_new_string() never sees them. */
static void
test_description_lone_surrogate_replaced (void)
{
  g_autofree char *json = manifest_with_fix ("\"CVE-2026-1\"", "\"x\\udc00y\"", "\"\"");
  g_autoptr (GError) error = NULL;
  g_autoptr (LpManifest) manifest = lp_manifest_new_from_data (json, strlen (json), &error);
  g_autoptr (GVariant) fixes = NULL;
  LpFix *fix;

  g_assert_no_error (error);
  fix = first_fix (manifest);
  g_assert_true (g_utf8_validate (fix->description, -1, NULL));
  g_assert_true (g_str_has_prefix (fix->description, "x\xef\xbf\xbd"));
  fixes = g_variant_ref_sink (lp_manifest_get_fixes_variant (manifest));
  g_assert_cmpuint (g_variant_n_children (fixes), ==, 1);
}

/* Identifiers are refused rather than changed. */
static void
test_reject_bad_identifiers (void)
{
  g_autofree char *escape = manifest_with_fix ("\"CVE\\u001b[2J\"", "\"d\"", "\"\"");
  g_autofree char *surrogate = manifest_with_fix ("\"CVE\\udc00-1\"", "\"d\"", "\"\"");
  g_autofree char *del = manifest_with_fix ("\"CVE\\u007f\"", "\"d\"", "\"\"");
  g_autofree char *long_name = g_strnfill (257, 'N');
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", long_name);
  g_autofree char *too_long = manifest_with_fix (quoted, "\"d\"", "\"\"");

  assert_refused (escape, "patch.json: member \"fixes[0].name\" contains a control character");
  assert_refused (surrogate, "patch.json: member \"fixes[0].name\" is not UTF-8 text");
  assert_refused (del, "patch.json: member \"fixes[0].name\" contains a control character");
  assert_refused (too_long, "patch.json: member \"fixes[0].name\" is longer than 256 bytes");
}

static void
test_reject_long_description (void)
{
  g_autofree char *text = g_strnfill (4097, 'd');
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", text);
  g_autofree char *json = manifest_with_fix ("\"CVE-2026-1\"", quoted, "\"\"");

  assert_refused (json, "patch.json: member \"fixes[0].description\" is longer than 4096 bytes");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad_manifests); i++)
    {
      g_autofree char *path = g_strdup_printf ("/manifest/reject-%s", bad_manifests[i].name);

      g_test_add_data_func (path, &bad_manifests[i], test_reject);
    }
  g_test_add_func ("/manifest/accept", test_accept);
  g_test_add_func ("/manifest/accept-unknown-members", test_accept_unknown_members);
  g_test_add_func ("/manifest/reject-oversize", test_reject_oversize);
  g_test_add_func ("/manifest/fix-copy", test_fix_copy);
  g_test_add_func ("/manifest/reject-deep-nesting", test_reject_deep_nesting);
  g_test_add_func ("/manifest/accept-nesting-at-limit", test_accept_nesting_at_limit);
  g_test_add_func ("/manifest/reject-comment", test_reject_comment);
  g_test_add_func ("/manifest/description-escapes-replaced", test_description_escapes_replaced);
  g_test_add_func ("/manifest/description-lone-surrogate-replaced",
                   test_description_lone_surrogate_replaced);
  g_test_add_func ("/manifest/reject-bad-identifiers", test_reject_bad_identifiers);
  g_test_add_func ("/manifest/reject-long-description", test_reject_long_description);
  g_test_add_func ("/manifest/version-compare", test_version_compare);
  return g_test_run ();
}
