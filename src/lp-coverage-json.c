/* lp-coverage-json.c: the coverage members of a check reply (JSON), read
 * by livepatch-fetch
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lp-coverage-json.h"
#include "lp-error.h"
#include "lp-text.h"

static gboolean
fail (GError **error, const char *what, const char *member, const char *problem)
{
  g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "%s: member \"%s\" %s", what, member, problem);
  return FALSE;
}

/* An optional string member, checked as lp-text @kind of at most @max_len
 * bytes: absent or null leaves @out alone. */
static gboolean
get_text (JsonObject *obj, const char *member, const char *shown, LpTextKind kind, gsize max_len,
          const char *what, char **out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autofree char *why = NULL;
  char *text;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (error, what, shown, "is not a string");
  text = lp_text_accept (json_node_get_string (node), kind, max_len, &why);
  if (text == NULL)
    return fail (error, what, shown, why);
  g_free (*out);
  *out = text;
  return TRUE;
}

static gboolean
get_published (JsonObject *entry, const char *shown, const char *what, gint64 *out, GError **error)
{
  JsonNode *node = json_object_get_member (entry, "published");

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0)
    return fail (error, what, shown, "is not a time in unix seconds");
  *out = json_node_get_int (node);
  return TRUE;
}

/* One held-back patch: {"version", "published", "notice", "fixes": [...]},
 * added to @builder as one (fix, published, notice) per fix. */
static gboolean
add_held_back_patch (JsonNode *node, guint index, const char *what, GVariantBuilder *builder,
                     guint *n_fixes, GError **error)
{
  g_autofree char *shown = g_strdup_printf ("held-back[%u]", index);
  g_autofree char *shown_published = g_strconcat (shown, ".published", NULL);
  g_autofree char *shown_notice = g_strconcat (shown, ".notice", NULL);
  g_autofree char *shown_fixes = g_strconcat (shown, ".fixes", NULL);
  g_autofree char *notice = g_strdup ("");
  JsonObject *entry;
  JsonNode *fixes;
  gint64 published;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, what, shown, "is not an object");
  entry = json_node_get_object (node);
  if (!get_published (entry, shown_published, what, &published, error) ||
      !get_text (entry, "notice", shown_notice, LP_TEXT_IDENTIFIER, LP_COVERAGE_MAX_NAME, what,
                 &notice, error))
    return FALSE;
  fixes = json_object_get_member (entry, "fixes");
  if (fixes == NULL || !JSON_NODE_HOLDS_ARRAY (fixes))
    return fail (error, what, shown_fixes, fixes == NULL ? "is missing" : "is not an array");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (fixes)); i++)
    {
      JsonNode *fix = json_array_get_element (json_node_get_array (fixes), i);
      g_autofree char *shown_fix = g_strdup_printf ("%s[%u]", shown_fixes, i);
      g_autofree char *why = NULL;
      g_autofree char *name = NULL;

      if (!JSON_NODE_HOLDS_VALUE (fix) || json_node_get_value_type (fix) != G_TYPE_STRING ||
          *json_node_get_string (fix) == '\0')
        return fail (error, what, shown_fix, "is not a non-empty string");
      name = lp_text_accept (json_node_get_string (fix), LP_TEXT_IDENTIFIER, LP_COVERAGE_MAX_NAME,
                             &why);
      if (name == NULL)
        return fail (error, what, shown_fix, why);
      if (++*n_fixes > LP_COVERAGE_MAX_FIXES)
        return fail (error, what, "held-back", "names more than 512 fixes");
      g_variant_builder_add (builder, "(sxs)", name, published, notice);
    }
  return TRUE;
}

static gboolean
get_held_back (JsonObject *reply, const char *what, LpCoverage *coverage, GError **error)
{
  JsonNode *node = json_object_get_member (reply, "held-back");
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(sxs)"));
  JsonArray *patches;
  guint n_fixes = 0;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, what, "held-back", "is not an array");
  patches = json_node_get_array (node);
  if (json_array_get_length (patches) > LP_COVERAGE_MAX_HELD_BACK)
    return fail (error, what, "held-back", "lists more than 64 patches");
  for (guint i = 0; i < json_array_get_length (patches); i++)
    if (!add_held_back_patch (json_array_get_element (patches, i), i, what, &builder, &n_fixes,
                              error))
      return FALSE;
  g_clear_pointer (&coverage->held_back, g_variant_unref);
  coverage->held_back = g_variant_ref_sink (g_variant_builder_end (&builder));
  return TRUE;
}

LpCoverage *
lp_coverage_parse (JsonObject *reply, const char *what, GError **error)
{
  g_autoptr (LpCoverage) coverage = lp_coverage_new ();
  const char *date_member = "upgrade-required-date";

  if (!get_text (reply, date_member, date_member, LP_TEXT_IDENTIFIER, LP_COVERAGE_MAX_NAME, what,
                 &coverage->upgrade_required_date, error) ||
      !get_text (reply, "tier-description", "tier-description", LP_TEXT_PROSE, LP_COVERAGE_MAX_TEXT,
                 what, &coverage->tier_description, error) ||
      !get_held_back (reply, what, coverage, error))
    return NULL;
  if (*coverage->upgrade_required_date != '\0' &&
      !lp_coverage_date_is_valid (coverage->upgrade_required_date))
    {
      fail (error, what, date_member, "is not a date such as 2027-04-30");
      return NULL;
    }
  return g_steal_pointer (&coverage);
}
