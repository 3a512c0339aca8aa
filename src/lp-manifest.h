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
