/* lp-coverage.h: what a check reply says about the running kernel's Livepatch
 * coverage beyond "supported": the coverage end date, the tier's description
 * and the patches held back by cutoff-date/patch-delay (docs/PROTOCOL.md)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* At most this many held-back patches, and fixes in each, are accepted. */
#define LP_COVERAGE_MAX_HELD_BACK 64
#define LP_COVERAGE_MAX_FIXES 512
/* Longest fix name, notice or date, and longest description, in bytes
 * (lp-text bounds, as every text from the server has). */
#define LP_COVERAGE_MAX_NAME 64
#define LP_COVERAGE_MAX_TEXT 256

typedef struct _LpCoverage
{
  char *upgrade_required_date; /* "YYYY-MM-DD" (validated), "" when not sent */
  char *tier_description;      /* "" when not sent */
  GVariant *held_back;         /* a(sxs): fix, published (unix s), notice; never NULL */
} LpCoverage;

LpCoverage *lp_coverage_new (void);
void lp_coverage_free (LpCoverage *coverage);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpCoverage, lp_coverage_free)

/* As a GVariant of LP_COVERAGE_VARIANT_TYPE (floating), and back: the date
 * must be a date and every text what lp-text accepts from the server
 * (LP_ERROR_INTERNAL otherwise). livepatch-fetch hands a check's coverage
 * to the daemon this way. */
#define LP_COVERAGE_VARIANT_TYPE "(ssa(sxs))"
GVariant *lp_coverage_to_variant (const LpCoverage *coverage);
LpCoverage *lp_coverage_new_from_variant (GVariant *value, GError **error);

/* The coverage of the last check outlives a restart (a reboot comes long
 * before the next check): kept at @path (mode 0600, atomic write) as a
 * GVariant (ssa(sxs)). lp_coverage_load() returns an empty coverage when the
 * file is missing, and when it is damaged (with a warning). */
gboolean lp_coverage_save (const LpCoverage *coverage, const char *path, GError **error);
LpCoverage *lp_coverage_load (const char *path);

/* Whether @text is a calendar date written YYYY-MM-DD. */
gboolean lp_coverage_date_is_valid (const char *text);

G_END_DECLS
