/* test-json.c: the guarded JSON entry point (lp-json) and the checks on
 * untrusted text (lp-text)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lp-error.h"
#include "lp-json.h"
#include "lp-text.h"

static void
assert_refused (const char *data, gsize len, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = lp_json_parse (data, len, LP_ERROR_SERVER, &error);

  g_assert_null (node);
  g_assert_error (error, LP_ERROR, LP_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_depth_counts_only_structure (void)
{
  const char *strings = "{\"a\": \"[[[[{{{{\", \"b\": \"\\\"[[[\\\\\", \"c\": [[]]}";

  g_assert_cmpuint (lp_json_nesting_depth ("", 0, 32), ==, 0);
  g_assert_cmpuint (lp_json_nesting_depth ("[]", 2, 32), ==, 1);
  g_assert_cmpuint (lp_json_nesting_depth ("[[]][[[]]]", 10, 32), ==, 3);
  g_assert_cmpuint (lp_json_nesting_depth (strings, strlen (strings), 32), ==, 3);
  /* Counting stops past the limit: a megabyte of '[' costs nothing more. */
  g_assert_cmpuint (lp_json_nesting_depth ("[[[[[[", 6, 2), ==, 3);
}

/* 200 KB of '[' overflowed json-glib's recursive parser (issue 11). */
static void
test_refuse_deep (void)
{
  g_autofree char *deep = g_strnfill (200 * 1024, '[');
  g_autofree char *open = g_strnfill (33, '{');
  g_autofree char *objects = g_strdup_printf ("%s", open);

  assert_refused (deep, strlen (deep), "nested deeper than 32 levels");
  assert_refused (objects, strlen (objects), "nested deeper than 32 levels");
}

static void
test_accept_at_limit (void)
{
  g_autofree char *open = g_strnfill (LP_JSON_MAX_DEPTH, '[');
  g_autofree char *close = g_strnfill (LP_JSON_MAX_DEPTH, ']');
  g_autofree char *json = g_strconcat (open, close, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = lp_json_parse (json, strlen (json), LP_ERROR_SERVER, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
}

/* json-glib reads comments and single-quoted strings; a '"' inside either
 * would blind the depth scan, so both are refused. */
static void
test_refuse_extensions (void)
{
  g_autofree char *open = g_strnfill (1000, '[');
  g_autofree char *hidden = g_strconcat ("[1 /* \" */, ", open, NULL);
  g_autofree char *quoted = g_strconcat ("['\"', ", open, NULL);

  assert_refused (hidden, strlen (hidden),
                  "not valid JSON: a comment or single-quoted string at byte 3");
  assert_refused (quoted, strlen (quoted),
                  "not valid JSON: a comment or single-quoted string at byte 1");
  /* Inside a JSON string both are plain characters. */
  g_assert_cmpuint (lp_json_nesting_depth ("[\"/* ' */\"]", 11, 32), ==, 1);
}

static void
test_refuse_bytes (void)
{
  assert_refused ("{\"a\": 1}\0", 9, "not UTF-8 text");
  assert_refused ("{\"a\": \"\xff\"}", 10, "not UTF-8 text");
  assert_refused ("", 0, "not valid JSON: empty document");
  assert_refused (NULL, 0, "not valid JSON: empty document");
  assert_refused ("[1, @]", 6,
                  "not valid JSON: <data>:1:5: Parse error: unexpected character `@', expected "
                  "character `]'");
}

static void
test_identifier_refusals (void)
{
  g_autofree char *why = NULL;
  g_autofree char *ok = lp_text_accept ("57.3 \xc3\xa9", LP_TEXT_IDENTIFIER, 64, &why);
  const struct
  {
    const char *text;
    const char *why;
  } cases[] = {
    { "a\x1b[2J", "contains a control character" },
    { "a\tb", "contains a control character" },
    { "a\nb", "contains a control character" },
    { "a\x7f", "contains a control character" },
    { "a\xc2\x9b", "contains a control character" },
    { "a\xed\xb0\x80", "is not UTF-8 text" },
    { "a\xff", "is not UTF-8 text" },
    { "12345", "is longer than 4 bytes" },
  };

  g_assert_cmpstr (ok, ==, "57.3 \xc3\xa9");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reason = NULL;
      g_autofree char *out = lp_text_accept (cases[i].text, LP_TEXT_IDENTIFIER,
                                             i == G_N_ELEMENTS (cases) - 1 ? 4 : 64, &reason);

      g_assert_null (out);
      g_assert_cmpstr (reason, ==, cases[i].why);
    }
}

static void
test_prose_replacement (void)
{
  g_autofree char *why = NULL;
  g_autofree char *escapes = lp_text_accept ("\x1b]0;owned\x07\x1b[2J", LP_TEXT_PROSE, 64, &why);
  g_autofree char *c1 = lp_text_accept ("a\xc2\x9b"
                                        "b\x7f",
                                        LP_TEXT_PROSE, 64, &why);
  g_autofree char *surrogate = lp_text_accept ("x\xed\xb0\x80y", LP_TEXT_PROSE, 64, &why);
  g_autofree char *unicode = lp_text_accept ("caf\xc3\xa9 \xe2\x9c\x93", LP_TEXT_PROSE, 64, &why);
  g_autofree char *too_long = lp_text_accept ("abcde", LP_TEXT_PROSE, 4, &why);

  g_assert_cmpstr (escapes, ==, "\xef\xbf\xbd]0;owned\xef\xbf\xbd\xef\xbf\xbd[2J");
  g_assert_cmpstr (c1, ==,
                   "a\xef\xbf\xbd"
                   "b\xef\xbf\xbd");
  g_assert_cmpstr (surrogate, ==, "x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdy");
  g_assert_cmpstr (unicode, ==, "caf\xc3\xa9 \xe2\x9c\x93");
  g_assert_null (too_long);
  g_assert_cmpstr (why, ==, "is longer than 4 bytes");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/depth-counts-only-structure", test_depth_counts_only_structure);
  g_test_add_func ("/json/refuse-deep-nesting", test_refuse_deep);
  g_test_add_func ("/json/accept-nesting-at-limit", test_accept_at_limit);
  g_test_add_func ("/json/refuse-comments-and-single-quotes", test_refuse_extensions);
  g_test_add_func ("/json/refuse-bad-bytes", test_refuse_bytes);
  g_test_add_func ("/text/identifier-refusals", test_identifier_refusals);
  g_test_add_func ("/text/prose-replacement", test_prose_replacement);
  return g_test_run ();
}
