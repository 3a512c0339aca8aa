/* fuzz-manifest.c: libFuzzer harness for patch.json (lp_manifest_new_from_data)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fuzz"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lp-error.h"
#include "lp-fuzz.h"
#include "lp-manifest.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  lp_fuzz_init ();
  return 0;
}

/* Every getter of a manifest that parsed must return what its header says. */
static void
lp_fuzz_check_manifest (LpManifest *manifest)
{
  g_autoptr (GVariant) fixes = NULL;
  const char *version = lp_manifest_get_version (manifest);

  if (version == NULL || !lp_version_is_valid (version) ||
      lp_version_compare (version, version) != 0 || lp_manifest_get_kernel (manifest) == NULL ||
      lp_manifest_get_architecture (manifest) == NULL ||
      !g_str_has_suffix (lp_manifest_get_module (manifest), ".ko") ||
      strchr (lp_manifest_get_module (manifest), '/') != NULL)
    abort ();
  fixes = g_variant_ref_sink (lp_manifest_get_fixes_variant (manifest));
  if (g_variant_n_children (fixes) != lp_manifest_get_fixes (manifest)->len)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpManifest) manifest = NULL;

  manifest = lp_manifest_new_from_data ((const char *) data, size, &error);
  if (manifest == NULL)
    {
      lp_fuzz_assert_error (error, LP_ERROR_INVALID_METADATA);
      return 0;
    }
  lp_fuzz_check_manifest (manifest);
  return 0;
}
