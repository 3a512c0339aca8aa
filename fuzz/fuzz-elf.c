/* fuzz-elf.c: libFuzzer harness for the module name read from an ELF image
 * (lp_elf_get_module_name)
 *
 * The input is a whole module image (what the signature covers). Any input
 * must give either a name that keeps the kernel's module-name rules or
 * LP_ERROR_INVALID_ARCHIVE, and never a read outside the input (ASan).
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fuzz"

#include "config.h"

#include <stdlib.h>

#include "lp-elf.h"
#include "lp-error.h"
#include "lp-fuzz.h"
#include "lp-module-name.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  lp_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  /* A copy of exactly @size bytes, so ASan sees any read past the end. */
  g_autofree guint8 *copy = g_memdup2 (data, size);
  g_autofree char *name =
      lp_elf_get_module_name (size > 0 ? copy : (const guint8 *) "", size, &error);

  if (name != NULL)
    {
      if (error != NULL || !lp_module_name_check (name, NULL))
        abort ();
      return 0;
    }
  lp_fuzz_assert_error (error, LP_ERROR_INVALID_ARCHIVE);
  return 0;
}
