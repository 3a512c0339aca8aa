/* lp-manifest.c: patch metadata (patch.json)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-manifest"

#include "config.h"

#include <json-glib/json-glib.h>

#include "lp-error.h"
#include "lp-json.h"
#include "lp-manifest.h"
#include "lp-text.h"

#define LP_MANIFEST_FORMAT 1
/* Bounds on its strings, in bytes (docs/SECURITY.md). */
#define LP_MANIFEST_MAX_NAME 256   /* version, kernel, architecture, module, fix name */
#define LP_MANIFEST_MAX_PROSE 4096 /* fix description and bug */
#define LP_MANIFEST_MAX_FIXES 10000

struct _LpManifest
{
  GObject parent_instance;
  gint64 format;
  char *version;
  char *kernel;
  char *architecture;
  char *module;
  GPtrArray *fixes; /* LpFix */
};

G_DEFINE_TYPE (LpManifest, lp_manifest, G_TYPE_OBJECT)

LpFix *
lp_fix_copy (const LpFix *fix)
{
  LpFix *copy = g_new0 (LpFix, 1);

  copy->name = g_strdup (fix->name);
  copy->description = g_strdup (fix->description);
  copy->bug = g_strdup (fix->bug);
  copy->patched = fix->patched;
  return copy;
}

void
lp_fix_free (LpFix *fix)
{
  if (fix == NULL)
    return;
  g_free (fix->name);
  g_free (fix->description);
  g_free (fix->bug);
  g_free (fix);
}

static void
lp_manifest_finalize (GObject *object)
{
  LpManifest *self = LP_MANIFEST (object);

  g_free (self->version);
  g_free (self->kernel);
  g_free (self->architecture);
  g_free (self->module);
  g_ptr_array_unref (self->fixes);
  G_OBJECT_CLASS (lp_manifest_parent_class)->finalize (object);
}

static void
lp_manifest_class_init (LpManifestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lp_manifest_finalize;
}

static void
lp_manifest_init (LpManifest *self)
{
  self->fixes = g_ptr_array_new_with_free_func ((GDestroyNotify) lp_fix_free);
}

static gboolean lp_manifest_fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
lp_manifest_fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  lp_error_failv (error, LP_ERROR_INVALID_METADATA, "patch.json: ", format, args);
  va_end (args);
  return FALSE;
}

/* A string member, present, at most @max_len bytes, checked as @kind
 * (docs/SECURITY.md); @allow_empty for optional text. */
static gboolean
lp_manifest_get_string (JsonObject *obj, const char *member, const char *where,
                        gboolean allow_empty, LpTextKind kind, gsize max_len, char **out,
                        GError **error)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autofree char *why = NULL;
  const char *value;

  if (node == NULL)
    return lp_manifest_fail (error, "missing member \"%s%s\"", where, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return lp_manifest_fail (error, "member \"%s%s\" is not a string", where, member);
  value = json_node_get_string (node);
  if (!allow_empty && value[0] == '\0')
    return lp_manifest_fail (error, "member \"%s%s\" is empty", where, member);
  *out = lp_text_accept (value, kind, max_len, &why);
  if (*out == NULL)
    return lp_manifest_fail (error, "member \"%s%s\" %s", where, member, why);
  return TRUE;
}

static gboolean
lp_manifest_has_only (const char *value, const char *extra)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr (extra, *p) == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
lp_manifest_parse_format (LpManifest *self, JsonObject *root, GError **error)
{
  JsonNode *node = json_object_get_member (root, "format");

  if (node == NULL)
    return lp_manifest_fail (error, "missing member \"format\"");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return lp_manifest_fail (error, "member \"format\" is not an integer");
  self->format = json_node_get_int (node);
  if (self->format != LP_MANIFEST_FORMAT)
    return lp_manifest_fail (error, "format %" G_GINT64_FORMAT " is not supported (only 1)",
                             self->format);
  return TRUE;
}

/* The module name becomes a file name inside the extraction directory. */
static gboolean
lp_manifest_check_module (const char *module, GError **error)
{
  if (strchr (module, '/') != NULL)
    return lp_manifest_fail (error, "member \"module\" is not a plain file name");
  if (!g_str_has_suffix (module, ".ko") || strlen (module) <= 3 || module[0] == '.' ||
      strlen (module) > 255 || !lp_manifest_has_only (module, "._+-"))
    return lp_manifest_fail (error, "member \"module\" is not a file name ending in .ko");
  return TRUE;
}

static gboolean
lp_manifest_parse_identity (LpManifest *self, JsonObject *root, GError **error)
{
  if (!lp_manifest_get_string (root, "version", "", FALSE, LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME,
                               &self->version, error) ||
      !lp_manifest_get_string (root, "kernel", "", FALSE, LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME,
                               &self->kernel, error) ||
      !lp_manifest_get_string (root, "architecture", "", FALSE, LP_TEXT_IDENTIFIER,
                               LP_MANIFEST_MAX_NAME, &self->architecture, error) ||
      !lp_manifest_get_string (root, "module", "", FALSE, LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME,
                               &self->module, error))
    return FALSE;
  if (!lp_version_is_valid (self->version))
    return lp_manifest_fail (error, "member \"version\" is not a dotted number");
  if (!lp_manifest_has_only (self->kernel, "._+-~") || strlen (self->kernel) > 128)
    return lp_manifest_fail (error, "member \"kernel\" is not a kernel release");
  if (!lp_manifest_has_only (self->architecture, "_-") || strlen (self->architecture) > 32)
    return lp_manifest_fail (error, "member \"architecture\" is not an architecture name");
  return lp_manifest_check_module (self->module, error);
}

static gboolean
lp_manifest_parse_fix (JsonNode *node, guint index, LpFix **out_fix, GError **error)
{
  g_autoptr (LpFix) fix = g_new0 (LpFix, 1);
  g_autofree char *where = g_strdup_printf ("fixes[%u].", index);
  JsonObject *obj;
  JsonNode *patched;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return lp_manifest_fail (error, "member \"fixes[%u]\" is not an object", index);
  obj = json_node_get_object (node);
  if (!lp_manifest_get_string (obj, "name", where, FALSE, LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME,
                               &fix->name, error) ||
      !lp_manifest_get_string (obj, "description", where, TRUE, LP_TEXT_PROSE,
                               LP_MANIFEST_MAX_PROSE, &fix->description, error) ||
      !lp_manifest_get_string (obj, "bug", where, TRUE, LP_TEXT_PROSE, LP_MANIFEST_MAX_PROSE,
                               &fix->bug, error))
    return FALSE;
  patched = json_object_get_member (obj, "patched");
  if (patched == NULL)
    return lp_manifest_fail (error, "missing member \"%spatched\"", where);
  if (!JSON_NODE_HOLDS_VALUE (patched) || json_node_get_value_type (patched) != G_TYPE_BOOLEAN)
    return lp_manifest_fail (error, "member \"%spatched\" is not a boolean", where);
  fix->patched = json_node_get_boolean (patched);
  *out_fix = g_steal_pointer (&fix);
  return TRUE;
}

static gboolean
lp_manifest_parse_fixes (LpManifest *self, JsonObject *root, GError **error)
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
      LpFix *fix = NULL;

      if (!lp_manifest_parse_fix (json_array_get_element (array, i), i, &fix, error))
        return FALSE;
      g_ptr_array_add (self->fixes, fix);
    }
  return TRUE;
}

static gboolean
lp_manifest_parse (LpManifest *self, const char *data, gsize len, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  JsonObject *obj;

  if (len > LP_MANIFEST_MAX_SIZE)
    return lp_manifest_fail (error, "larger than %d bytes", LP_MANIFEST_MAX_SIZE);
  root = lp_json_parse (data, len, LP_ERROR_INVALID_METADATA, error);
  if (root == NULL)
    {
      g_prefix_error (error, "patch.json: ");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return lp_manifest_fail (error, "not a JSON object");
  obj = json_node_get_object (root);
  return lp_manifest_parse_format (self, obj, error) &&
         lp_manifest_parse_identity (self, obj, error) &&
         lp_manifest_parse_fixes (self, obj, error);
}

LpManifest *
lp_manifest_new_from_data (const char *data, gsize len, GError **error)
{
  g_autoptr (LpManifest) self = g_object_new (LP_TYPE_MANIFEST, NULL);

  if (!lp_manifest_parse (self, data, len, error))
    return NULL;
  return g_steal_pointer (&self);
}

LpManifest *
lp_manifest_new_from_bytes (GBytes *bytes, GError **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return lp_manifest_new_from_data (data != NULL ? data : "", len, error);
}

gint64
lp_manifest_get_format (LpManifest *self)
{
  g_return_val_if_fail (LP_IS_MANIFEST (self), 0);
  return self->format;
}

const char *
lp_manifest_get_version (LpManifest *self)
{
  g_return_val_if_fail (LP_IS_MANIFEST (self), NULL);
  return self->version;
}

const char *
lp_manifest_get_kernel (LpManifest *self)
{
  g_return_val_if_fail (LP_IS_MANIFEST (self), NULL);
  return self->kernel;
}

const char *
lp_manifest_get_architecture (LpManifest *self)
{
  g_return_val_if_fail (LP_IS_MANIFEST (self), NULL);
  return self->architecture;
}

const char *
lp_manifest_get_module (LpManifest *self)
{
  g_return_val_if_fail (LP_IS_MANIFEST (self), NULL);
  return self->module;
}

GPtrArray *
lp_manifest_get_fixes (LpManifest *self)
{
  g_return_val_if_fail (LP_IS_MANIFEST (self), NULL);
  return self->fixes;
}

GVariant *
lp_manifest_get_fixes_variant (LpManifest *self)
{
  GVariantBuilder builder;

  g_return_val_if_fail (LP_IS_MANIFEST (self), NULL);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssbs)"));
  for (guint i = 0; i < self->fixes->len; i++)
    {
      LpFix *fix = g_ptr_array_index (self->fixes, i);

      g_variant_builder_add (&builder, "(ssbs)", fix->name, fix->description, fix->patched,
                             fix->bug);
    }
  return g_variant_builder_end (&builder);
}

gboolean
lp_version_is_valid (const char *version)
{
  gboolean digit_seen = FALSE;

  if (version == NULL || version[0] == '\0' || strlen (version) > 64)
    return FALSE;
  for (const char *p = version; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digit_seen = TRUE;
      else if (*p == '.' && digit_seen && p[1] != '\0')
        digit_seen = FALSE;
      else
        return FALSE;
    }
  return digit_seen;
}

/* Compares one numeric component without overflow: skip leading zeros, then
 * the longer run of digits is larger, else compare digit by digit. */
static int
lp_version_compare_component (const char **a, const char **b)
{
  const char *sa, *sb;
  gsize la, lb;
  int cmp;

  while (**a == '0' && g_ascii_isdigit ((*a)[1]))
    (*a)++;
  while (**b == '0' && g_ascii_isdigit ((*b)[1]))
    (*b)++;
  sa = *a;
  sb = *b;
  while (g_ascii_isdigit (**a))
    (*a)++;
  while (g_ascii_isdigit (**b))
    (*b)++;
  la = *a - sa;
  lb = *b - sb;
  if (la != lb)
    return la < lb ? -1 : 1;
  cmp = strncmp (sa, sb, la);
  return cmp < 0 ? -1 : cmp > 0 ? 1 : 0;
}

int
lp_version_compare (const char *a, const char *b)
{
  gboolean va = lp_version_is_valid (a), vb = lp_version_is_valid (b);

  if (!va || !vb)
    return (int) va - (int) vb;
  /* A missing component counts as 0, so "57" == "57.0". */
  while (*a != '\0' || *b != '\0')
    {
      const char *pa = *a != '\0' ? a : "0";
      const char *pb = *b != '\0' ? b : "0";
      int cmp = lp_version_compare_component (&pa, &pb);

      if (cmp != 0)
        return cmp;
      a = *a != '\0' ? pa : a;
      b = *b != '\0' ? pb : b;
      a += *a == '.';
      b += *b == '.';
    }
  return 0;
}
