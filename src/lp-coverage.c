/* lp-coverage.c: coverage end date, tier description and held-back patches
 * from a check reply
 *
 * Each member is optional, so a server that predates them (or an on-premises
 * one) still works; each one that is present is validated in full, because
 * the CLI prints these strings on an administrator's terminal.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-coverage"

#include "config.h"

#include <string.h>

#include "lp-atomic-file.h"
#include "lp-coverage.h"
#include "lp-error.h"
#include "lp-text.h"

LpCoverage *
lp_coverage_new (void)
{
  LpCoverage *coverage = g_new0 (LpCoverage, 1);

  coverage->upgrade_required_date = g_strdup ("");
  coverage->tier_description = g_strdup ("");
  coverage->held_back =
      g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(sxs)"), NULL, 0));
  return coverage;
}

void
lp_coverage_free (LpCoverage *coverage)
{
  if (coverage == NULL)
    return;
  g_free (coverage->upgrade_required_date);
  g_free (coverage->tier_description);
  g_clear_pointer (&coverage->held_back, g_variant_unref);
  g_free (coverage);
}

gboolean
lp_coverage_save (const LpCoverage *coverage, const char *path, GError **error)
{
  g_autoptr (GVariant) value = g_variant_ref_sink (lp_coverage_to_variant (coverage));
  g_autofree char *text = g_variant_print (value, FALSE);

  if (!lp_atomic_file_write (path, text, strlen (text), 0600, error))
    {
      g_prefix_error (error, "cannot save the kernel coverage: ");
      return FALSE;
    }
  return TRUE;
}

static gboolean
coverage_held_back_ok (GVariant *held_back)
{
  GVariantIter iter;
  const char *fix, *notice;
  gint64 published;

  if (g_variant_n_children (held_back) > LP_COVERAGE_MAX_HELD_BACK * LP_COVERAGE_MAX_FIXES)
    return FALSE;
  g_variant_iter_init (&iter, held_back);
  while (g_variant_iter_next (&iter, "(&sx&s)", &fix, &published, &notice))
    {
      if (*fix == '\0' || published < 0 ||
          !lp_text_is_accepted (fix, LP_TEXT_IDENTIFIER, LP_COVERAGE_MAX_NAME) ||
          !lp_text_is_accepted (notice, LP_TEXT_IDENTIFIER, LP_COVERAGE_MAX_NAME))
        return FALSE;
    }
  return TRUE;
}

LpCoverage *
lp_coverage_new_from_variant (GVariant *value, GError **error)
{
  g_autoptr (LpCoverage) coverage = g_new0 (LpCoverage, 1);

  if (!g_variant_is_of_type (value, G_VARIANT_TYPE (LP_COVERAGE_VARIANT_TYPE)))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "coverage is not of type %s",
                   LP_COVERAGE_VARIANT_TYPE);
      return NULL;
    }
  g_variant_get (value, "(ss@a(sxs))", &coverage->upgrade_required_date,
                 &coverage->tier_description, &coverage->held_back);
  if ((*coverage->upgrade_required_date != '\0' &&
       !lp_coverage_date_is_valid (coverage->upgrade_required_date)) ||
      !lp_text_is_accepted (coverage->tier_description, LP_TEXT_PROSE, LP_COVERAGE_MAX_TEXT) ||
      !coverage_held_back_ok (coverage->held_back))
    {
      g_set_error_literal (error, LP_ERROR, LP_ERROR_INTERNAL,
                           "coverage: a bad date, description or held-back patch");
      return NULL;
    }
  return g_steal_pointer (&coverage);
}

GVariant *
lp_coverage_to_variant (const LpCoverage *coverage)
{
  return g_variant_new ("(ss@a(sxs))", coverage->upgrade_required_date, coverage->tier_description,
                        coverage->held_back);
}

LpCoverage *
lp_coverage_load (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autofree char *text = NULL;
  LpCoverage *coverage;

  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("cannot read the kernel coverage: %s", error->message);
      return lp_coverage_new ();
    }
  value = g_variant_parse (G_VARIANT_TYPE (LP_COVERAGE_VARIANT_TYPE), text, NULL, NULL, &error);
  coverage = value != NULL ? lp_coverage_new_from_variant (value, &error) : NULL;
  if (coverage == NULL)
    {
      g_warning ("ignoring the stored kernel coverage %s: %s", path, error->message);
      return lp_coverage_new ();
    }
  return coverage;
}

gboolean
lp_coverage_date_is_valid (const char *text)
{
  guint year, month, day;

  if (text == NULL || strlen (text) != 10 ||
      !g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text, 0, 0))
    return FALSE;
  year = (guint) g_ascii_strtoull (text, NULL, 10);
  month = (guint) g_ascii_strtoull (text + 5, NULL, 10);
  day = (guint) g_ascii_strtoull (text + 8, NULL, 10);
  return g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}
