/* lp-manifest-json.c: patch.json read from its JSON text (livepatch-fetch,
 * livepatch-verify); LpManifest itself checks every value
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "lp-error.h"
#include "lp-json.h"
#include "lp-manifest.h"
#include "lp-text.h"

/* A string member, present, at most @max_len bytes, checked as @kind
 * (docs/SECURITY.md): a GVariant string must be UTF-8, so text is accepted
 * here already, and LpManifest checks it again. */
static gboolean
get_string (JsonObject *obj, const char *member, const char *where, LpTextKind kind, gsize max_len,
            char **out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autofree char *why = NULL;

  if (node == NULL)
    return lp_manifest_fail (error, "missing member \"%s%s\"", where, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return lp_manifest_fail (error, "member \"%s%s\" is not a string", where, member);
  *out = lp_text_accept (json_node_get_string (node), kind, max_len, &why);
  if (*out == NULL)
    return lp_manifest_fail (error, "member \"%s%s\" %s", where, member, why);
  return TRUE;
}

static gboolean
get_format (JsonObject *root, gint64 *out, GError **error)
{
  JsonNode *node = json_object_get_member (root, "format");

  if (node == NULL)
    return lp_manifest_fail (error, "missing member \"format\"");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return lp_manifest_fail (error, "member \"format\" is not an integer");
  *out = json_node_get_int (node);
  if (*out != LP_MANIFEST_FORMAT)
    return lp_manifest_fail (error, "format %" G_GINT64_FORMAT " is not supported (only 1)", *out);
  return TRUE;
}

static gboolean
add_fix (JsonNode *node, guint index, GVariantBuilder *fixes, GError **error)
{
  g_autofree char *where = g_strdup_printf ("fixes[%u].", index);
  g_autofree char *name = NULL, *description = NULL, *bug = NULL;
  JsonObject *obj;
  JsonNode *patched;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return lp_manifest_fail (error, "member \"fixes[%u]\" is not an object", index);
  obj = json_node_get_object (node);
  if (!get_string (obj, "name", where, LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME, &name, error) ||
      !get_string (obj, "description", where, LP_TEXT_PROSE, LP_MANIFEST_MAX_PROSE, &description,
                   error) ||
      !get_string (obj, "bug", where, LP_TEXT_PROSE, LP_MANIFEST_MAX_PROSE, &bug, error))
    return FALSE;
  patched = json_object_get_member (obj, "patched");
  if (patched == NULL)
    return lp_manifest_fail (error, "missing member \"%spatched\"", where);
  if (!JSON_NODE_HOLDS_VALUE (patched) || json_node_get_value_type (patched) != G_TYPE_BOOLEAN)
    return lp_manifest_fail (error, "member \"%spatched\" is not a boolean", where);
  g_variant_builder_add (fixes, "(sssb)", name, description, bug, json_node_get_boolean (patched));
  return TRUE;
}

static gboolean
add_fixes (JsonObject *root, GVariantBuilder *fixes, GError **error)
{
  JsonNode *node = json_object_get_member (root, "fixes");
  JsonArray *array;

  if (node == NULL)
    return lp_manifest_fail (error, "missing member \"fixes\"");
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return lp_manifest_fail (error, "member \"fixes\" is not an array");
  array = json_node_get_array (node);
  if (json_array_get_length (array) > LP_MANIFEST_MAX_FIXES)
    return lp_manifest_fail (error, "member \"fixes\" has too many elements");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (!add_fix (json_array_get_element (array, i), i, fixes, error))
        return FALSE;
    }
  return TRUE;
}

/* The members as LP_MANIFEST_VARIANT_TYPE, NULL with the error of the
 * first one missing or of the wrong type. */
static GVariant *
manifest_variant (JsonObject *root, GError **error)
{
  g_auto (GVariantBuilder) fixes = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(sssb)"));
  g_autofree char *version = NULL, *kernel = NULL, *architecture = NULL, *module = NULL;
  gint64 format = 0;

  if (!get_format (root, &format, error) ||
      !get_string (root, "version", "", LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME, &version,
                   error) ||
      !get_string (root, "kernel", "", LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME, &kernel, error) ||
      !get_string (root, "architecture", "", LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME,
                   &architecture, error) ||
      !get_string (root, "module", "", LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME, &module, error) ||
      !add_fixes (root, &fixes, error))
    return NULL;
  return g_variant_ref_sink (
      g_variant_new ("(xssssa(sssb))", format, version, kernel, architecture, module, &fixes));
}

LpManifest *
lp_manifest_new_from_data (const char *data, gsize len, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GVariant) value = NULL;

  if (len > LP_MANIFEST_MAX_SIZE)
    {
      lp_manifest_fail (error, "larger than %d bytes", LP_MANIFEST_MAX_SIZE);
      return NULL;
    }
  root = lp_json_parse (data, len, LP_ERROR_INVALID_METADATA, error);
  if (root == NULL)
    {
      g_prefix_error (error, "patch.json: ");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      lp_manifest_fail (error, "not a JSON object");
      return NULL;
    }
  value = manifest_variant (json_node_get_object (root), error);
  return value != NULL ? lp_manifest_new_from_variant (value, error) : NULL;
}

LpManifest *
lp_manifest_new_from_bytes (GBytes *bytes, GError **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return lp_manifest_new_from_data (data != NULL ? data : "", len, error);
}
