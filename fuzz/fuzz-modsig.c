/* fuzz-modsig.c: libFuzzer harness for the module signature trailer and
 * its PKCS#7 SignedData (lp_modsig_verify)
 *
 * The input is a whole signed module.  The trusted set holds the baked-in
 * certificates and the corpus' public test certificate, so seeds signed
 * with it reach the signature check itself, not only the parser.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fuzz"

#include "config.h"

#include <stdlib.h>

#include "lp-error.h"
#include "lp-fuzz.h"
#include "lp-modsig.h"

static LpCertSet *lp_fuzz_trusted;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  const char *cert = g_getenv ("LP_FUZZ_MODSIG_CERT");

  lp_fuzz_init ();
  lp_fuzz_trusted = lp_cert_set_new_default ("/nonexistent", &error);
  if (lp_fuzz_trusted == NULL)
    g_error ("baked-in certificates: %s", error->message);
  if (cert == NULL)
    cert = LP_FUZZ_SRCDIR "/corpus/modsig-trusted.pem";
  if (!lp_cert_set_add_file (lp_fuzz_trusted, cert, &error))
    g_error ("%s: %s", cert, error->message);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpModsigInfo) info = NULL;

  if (lp_modsig_verify (data, size, lp_fuzz_trusted, &info, &error))
    {
      /* A verified module must describe what verified it. */
      if (info == NULL || info->signer == NULL || info->hash == NULL || info->module_len > size)
        abort ();
      return 0;
    }
  lp_fuzz_assert_error (error, LP_ERROR_INVALID_SIGNATURE);
  return 0;
}
