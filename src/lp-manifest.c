/* lp-manifest.c: patch metadata (patch.json)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-manifest"

#include "config.h"

#include "lp-error.h"
#include "lp-manifest.h"
#include "lp-text.h"

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

gboolean
lp_manifest_fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  lp_error_failv (error, LP_ERROR_INVALID_METADATA, "patch.json: ", format, args);
  va_end (args);
  return FALSE;
}

/* A string field at most @max_len bytes, accepted as @kind
 * (docs/SECURITY.md); @allow_empty for optional text. Prose comes back
 * cleaned, so check it with the cleaned copy. */
static gboolean
lp_manifest_take_string (const char *value, const char *member, gboolean allow_empty,
                         LpTextKind kind, gsize max_len, char **out, GError **error)
{
  g_autofree char *why = NULL;

  if (!allow_empty && value[0] == '\0')
    return lp_manifest_fail (error, "member \"%s\" is empty", member);
  *out = lp_text_accept (value, kind, max_len, &why);
  if (*out == NULL)
    return lp_manifest_fail (error, "member \"%s\" %s", member, why);
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
lp_manifest_check_identity (LpManifest *self, const char *version, const char *kernel,
                            const char *architecture, const char *module, GError **error)
{
  if (self->format != LP_MANIFEST_FORMAT)
    return lp_manifest_fail (error, "format %" G_GINT64_FORMAT " is not supported (only 1)",
                             self->format);
  if (!lp_manifest_take_string (version, "version", FALSE, LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME,
                                &self->version, error) ||
      !lp_manifest_take_string (kernel, "kernel", FALSE, LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME,
                                &self->kernel, error) ||
      !lp_manifest_take_string (architecture, "architecture", FALSE, LP_TEXT_IDENTIFIER,
                                LP_MANIFEST_MAX_NAME, &self->architecture, error) ||
      !lp_manifest_take_string (module, "module", FALSE, LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME,
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
lp_manifest_add_fixes (LpManifest *self, GVariant *fixes, GError **error)
{
  GVariantIter iter;
  const char *name, *description, *bug;
  gboolean patched;
  guint i = 0;

  if (g_variant_n_children (fixes) > LP_MANIFEST_MAX_FIXES)
    return lp_manifest_fail (error, "member \"fixes\" has too many elements");
  g_variant_iter_init (&iter, fixes);
  for (; g_variant_iter_next (&iter, "(&s&s&sb)", &name, &description, &bug, &patched); i++)
    {
      g_autoptr (LpFix) fix = g_new0 (LpFix, 1);
      g_autofree char *n = g_strdup_printf ("fixes[%u].name", i);
      g_autofree char *d = g_strdup_printf ("fixes[%u].description", i);
      g_autofree char *b = g_strdup_printf ("fixes[%u].bug", i);

      if (!lp_manifest_take_string (name, n, FALSE, LP_TEXT_IDENTIFIER, LP_MANIFEST_MAX_NAME,
                                    &fix->name, error) ||
          !lp_manifest_take_string (description, d, TRUE, LP_TEXT_PROSE, LP_MANIFEST_MAX_PROSE,
                                    &fix->description, error) ||
          !lp_manifest_take_string (bug, b, TRUE, LP_TEXT_PROSE, LP_MANIFEST_MAX_PROSE, &fix->bug,
                                    error))
        return FALSE;
      fix->patched = patched;
      g_ptr_array_add (self->fixes, g_steal_pointer (&fix));
    }
  return TRUE;
}

LpManifest *
lp_manifest_new_from_variant (GVariant *value, GError **error)
{
  g_autoptr (LpManifest) self = g_object_new (LP_TYPE_MANIFEST, NULL);
  g_autoptr (GVariant) fixes = NULL;
  const char *version, *kernel, *architecture, *module;

  if (!g_variant_is_of_type (value, G_VARIANT_TYPE (LP_MANIFEST_VARIANT_TYPE)))
    {
      lp_manifest_fail (error, "not of type %s", LP_MANIFEST_VARIANT_TYPE);
      return NULL;
    }
  g_variant_get (value, "(x&s&s&s&s@a(sssb))", &self->format, &version, &kernel, &architecture,
                 &module, &fixes);
  if (!lp_manifest_check_identity (self, version, kernel, architecture, module, error) ||
      !lp_manifest_add_fixes (self, fixes, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
lp_manifest_check_members (LpManifest *self, GPtrArray *names, GError **error)
{
  g_return_val_if_fail (LP_IS_MANIFEST (self), FALSE);
  if (!g_ptr_array_find_with_equal_func (names, self->module, g_str_equal, NULL))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_METADATA,
                   "patch.json: module \"%s\" is not in the archive", self->module);
      return FALSE;
    }
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (g_strcmp0 (name, LP_MANIFEST_FILENAME) != 0 && g_strcmp0 (name, self->module) != 0)
        {
          g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARCHIVE,
                       "patch archive: unexpected member \"%s\"", name);
          return FALSE;
        }
    }
  return TRUE;
}

GVariant *
lp_manifest_to_variant (LpManifest *self)
{
  GVariantBuilder fixes;

  g_return_val_if_fail (LP_IS_MANIFEST (self), NULL);
  g_variant_builder_init (&fixes, G_VARIANT_TYPE ("a(sssb)"));
  for (guint i = 0; i < self->fixes->len; i++)
    {
      LpFix *fix = g_ptr_array_index (self->fixes, i);

      g_variant_builder_add (&fixes, "(sssb)", fix->name, fix->description, fix->bug, fix->patched);
    }
  return g_variant_new ("(xssssa(sssb))", self->format, self->version, self->kernel,
                        self->architecture, self->module, &fixes);
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
