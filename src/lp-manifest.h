/* lp-manifest.h: patch metadata (patch.json)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LP_MANIFEST_FILENAME "patch.json"
/* patch.json larger than this is refused before parsing. */
#define LP_MANIFEST_MAX_SIZE (1024 * 1024)
#define LP_MANIFEST_FORMAT 1
/* Bounds on its strings, in bytes (docs/SECURITY.md). */
#define LP_MANIFEST_MAX_NAME 256   /* version, kernel, architecture, module, fix name */
#define LP_MANIFEST_MAX_PROSE 4096 /* fix description and bug */
#define LP_MANIFEST_MAX_FIXES 10000
/* format, version, kernel, architecture, module, fixes (name, description,
 * bug, patched): what livepatch-fetch hands the daemon and the daemon keeps
 * next to a verified module. */
#define LP_MANIFEST_VARIANT_TYPE "(xssssa(sssb))"

typedef struct
{
  char *name; /* "CVE-2026-1234" */
  char *description;
  char *bug; /* may be "" */
  gboolean patched;
} LpFix;

LpFix *lp_fix_copy (const LpFix *fix);
void lp_fix_free (LpFix *fix);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpFix, lp_fix_free)

#define LP_TYPE_MANIFEST (lp_manifest_get_type ())
G_DECLARE_FINAL_TYPE (LpManifest, lp_manifest, LP, MANIFEST, GObject)

/* Parses and validates patch.json: "format" 1, "version" (dotted numeric),
 * "kernel", "architecture", "module" (a plain file name ending in ".ko"),
 * "fixes" (array of {name, description, bug, patched}).  Unknown members
 * are ignored; a missing or ill-typed member is LP_ERROR_INVALID_METADATA
 * with a message naming it. */
LpManifest *lp_manifest_new_from_bytes (GBytes *bytes, GError **error);
LpManifest *lp_manifest_new_from_data (const char *data, gsize len, GError **error);

/* The same checks on the values of a LP_MANIFEST_VARIANT_TYPE variant (the
 * JSON readers above end here), and the way back (floating). Needs no JSON
 * library: the daemon builds manifests only this way. */
LpManifest *lp_manifest_new_from_variant (GVariant *value, GError **error);
GVariant *lp_manifest_to_variant (LpManifest *self);

/* The archive members @names (in archive order) are exactly patch.json and
 * the module it names: LP_ERROR_INVALID_METADATA when the module is
 * missing, LP_ERROR_INVALID_ARCHIVE for any other member. */
gboolean lp_manifest_check_members (LpManifest *self, GPtrArray *names, GError **error);

/* Sets LP_ERROR_INVALID_METADATA, "patch.json: " and the message; FALSE. */
gboolean lp_manifest_fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

gint64 lp_manifest_get_format (LpManifest *self);
const char *lp_manifest_get_version (LpManifest *self);
const char *lp_manifest_get_kernel (LpManifest *self);
const char *lp_manifest_get_architecture (LpManifest *self);
const char *lp_manifest_get_module (LpManifest *self);
/* Element type LpFix; transfer none. */
GPtrArray *lp_manifest_get_fixes (LpManifest *self);
/* a(ssbs): name, description, patched, bug (the D-Bus Fixes property). Floating. */
GVariant *lp_manifest_get_fixes_variant (LpManifest *self);

/* Dotted numeric versions: "57.3" < "57.10" < "58.1"; "57" == "57.0".
 * Returns <0, 0 or >0.  Non-numeric input sorts before every valid version. */
int lp_version_compare (const char *a, const char *b);
gboolean lp_version_is_valid (const char *version);

G_END_DECLS
