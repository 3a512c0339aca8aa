/* livepatch-verify: offline check of a Livepatch patch tarball or module
 *
 * Runs the same checks as livepatchd (lp_patch_verify) so an operator can
 * vet a patch before serving it on-premises.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "livepatch-verify"

#include "config.h"

#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lp-error.h"
#include "lp-patch.h"
#include "lp-sha256.h"

typedef struct
{
  char **certs;
  char *certs_dir;
  char *sha256;
  char *kernel;
  char *arch;
  char *format;
  gboolean list_certs;
  char **files;
} Options;

typedef struct
{
  const char *file;
  gboolean is_module;
  char *sha256;
  LpVerifiedPatch *patch;    /* tarball mode */
  LpModsigInfo *module_info; /* module mode */
  GError *error;
} Report;

static void
report_clear (Report *r)
{
  g_free (r->sha256);
  g_clear_pointer (&r->patch, lp_verified_patch_free);
  g_clear_pointer (&r->module_info, lp_modsig_info_free);
  g_clear_error (&r->error);
}

/* The check a failure belongs to, in the order the daemon runs them. */
static const char *
check_name (const GError *error)
{
  if (error->domain != LP_ERROR)
    return "internal";
  switch (error->code)
    {
      case LP_ERROR_CHECKSUM_MISMATCH:
        return "digest";
      case LP_ERROR_INVALID_ARCHIVE:
        return "archive";
      case LP_ERROR_INVALID_METADATA:
        return "metadata";
      case LP_ERROR_KERNEL_MISMATCH:
        return "kernel";
      case LP_ERROR_INVALID_SIGNATURE:
        return "signature";
      default:
        return "internal";
    }
}

static LpCertSet *
load_trust (Options *opt, GError **error)
{
  g_autoptr (LpCertSet) set = NULL;

  if (opt->certs == NULL)
    return lp_cert_set_new_default (opt->certs_dir, error);
  set = lp_cert_set_new ();
  for (guint i = 0; opt->certs[i] != NULL; i++)
    {
      if (!lp_cert_set_add_file (set, opt->certs[i], error))
        return NULL;
    }
  return g_steal_pointer (&set);
}

/* A module starts with an ELF header or at least ends with the signature
 * magic; anything else is treated as a tarball. */
static gboolean
file_is_module (int fd)
{
  char head[4] = { 0 };
  gsize magic_len = strlen (LP_MODSIG_MAGIC);
  g_autofree char *tail = g_malloc0 (magic_len);
  off_t size = lseek (fd, 0, SEEK_END);

  if (pread (fd, head, sizeof head, 0) == sizeof head && memcmp (head, "\177ELF", 4) == 0)
    return TRUE;
  return size >= (off_t) magic_len &&
         pread (fd, tail, magic_len, size - magic_len) == (ssize_t) magic_len &&
         memcmp (tail, LP_MODSIG_MAGIC, magic_len) == 0;
}

static gboolean
verify_module (Report *r, int fd, Options *opt, LpCertSet *trusted)
{
  g_autoptr (GInputStream) in = g_unix_input_stream_new (fd, FALSE);

  r->sha256 = lp_sha256_hex_of_stream (in, NULL, NULL, &r->error);
  if (r->sha256 == NULL)
    return FALSE;
  if (opt->sha256 != NULL &&
      (!lp_sha256_hex_is_valid (opt->sha256) || !lp_sha256_hex_equal (r->sha256, opt->sha256)))
    {
      g_set_error (&r->error, LP_ERROR, LP_ERROR_CHECKSUM_MISMATCH,
                   _ ("SHA-256 of the module is %s, expected %s"), r->sha256, opt->sha256);
      return FALSE;
    }
  return lp_modsig_verify_fd (fd, trusted, &r->module_info, &r->error);
}

static gboolean
verify_tarball (Report *r, int fd, Options *opt, LpCertSet *trusted)
{
  g_autofree char *parent = g_dir_make_tmp ("livepatch-verify-XXXXXX", &r->error);
  LpPatchExpectation expect = { opt->kernel, opt->arch, opt->sha256, NULL };

  if (parent == NULL)
    return FALSE;
  if (opt->sha256 == NULL)
    {
      g_autoptr (GInputStream) in = g_unix_input_stream_new (fd, FALSE);

      /* Printed for the operator even when there is nothing to compare with. */
      r->sha256 = lp_sha256_hex_of_stream (in, NULL, NULL, &r->error);
      if (r->sha256 == NULL)
        {
          g_rmdir (parent);
          return FALSE;
        }
    }
  r->patch = lp_patch_verify (fd, parent, &expect, trusted, NULL, &r->error);
  if (r->patch != NULL)
    {
      if (r->sha256 == NULL)
        r->sha256 = g_strdup (lp_verified_patch_get_sha256 (r->patch));
      lp_verified_patch_remove_directory (r->patch, NULL);
    }
  g_rmdir (parent);
  return r->patch != NULL;
}

static gboolean
verify_file (Report *r, Options *opt, LpCertSet *trusted)
{
  int fd = open (r->file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  gboolean ok;

  if (fd < 0)
    {
      g_set_error (&r->error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, _ ("cannot open %s: %s"),
                   r->file, g_strerror (errno));
      return FALSE;
    }
  r->is_module = file_is_module (fd);
  lseek (fd, 0, SEEK_SET);
  if (r->is_module)
    ok = verify_module (r, fd, opt, trusted);
  else
    ok = verify_tarball (r, fd, opt, trusted);
  close (fd);
  return ok;
}

static void
print_signature (const LpModsigInfo *info)
{
  g_print ("signer:    %s\n", info->signer);
  g_print ("key id:    %s (matched by %s)\n", info->key_id, info->id_method);
  g_print ("algorithm: %s with RSA-%u\n", info->hash, info->key_bits);
}

static void
print_human (Report *r, Options *opt)
{
  LpManifest *m;
  GPtrArray *entries;

  if (r->error != NULL)
    {
      g_print ("FAILED %s: %s\n", check_name (r->error), r->error->message);
      return;
    }
  g_print ("file:      %s (%s)\n", r->file, r->is_module ? "kernel module" : "patch tarball");
  g_print ("digest:    sha256 %s (%s)\n", r->sha256,
           opt->sha256 != NULL ? "matches --sha256" : "no expected value given");
  if (r->is_module)
    {
      print_signature (r->module_info);
      g_print ("result:    OK\n");
      return;
    }
  entries = lp_verified_patch_get_entries (r->patch);
  g_print ("entries:   %u:", entries->len);
  for (guint i = 0; i < entries->len; i++)
    g_print (" %s", (const char *) g_ptr_array_index (entries, i));
  m = lp_verified_patch_get_manifest (r->patch);
  g_print ("\nmetadata:  version %s, kernel %s, architecture %s, module %s, fixes: %u\n",
           lp_manifest_get_version (m), lp_manifest_get_kernel (m),
           lp_manifest_get_architecture (m), lp_manifest_get_module (m),
           lp_manifest_get_fixes (m)->len);
  g_print ("kernel:    %s\n", opt->kernel != NULL || opt->arch != NULL ? "matches" : "not checked");
  print_signature (lp_verified_patch_get_signature (r->patch));
  g_print ("result:    OK\n");
}

static void
json_add_signature (JsonBuilder *b, const LpModsigInfo *info)
{
  json_builder_set_member_name (b, "signature");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "signer");
  json_builder_add_string_value (b, info->signer);
  json_builder_set_member_name (b, "hash");
  json_builder_add_string_value (b, info->hash);
  json_builder_set_member_name (b, "key-id");
  json_builder_add_string_value (b, info->key_id);
  json_builder_set_member_name (b, "matched-by");
  json_builder_add_string_value (b, info->id_method);
  json_builder_set_member_name (b, "key-bits");
  json_builder_add_int_value (b, info->key_bits);
  json_builder_end_object (b);
}

static void
json_add_manifest (JsonBuilder *b, LpVerifiedPatch *patch)
{
  LpManifest *m = lp_verified_patch_get_manifest (patch);
  GPtrArray *entries = lp_verified_patch_get_entries (patch);
  GPtrArray *fixes = lp_manifest_get_fixes (m);

  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  for (guint i = 0; i < entries->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (entries, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, lp_manifest_get_version (m));
  json_builder_set_member_name (b, "kernel");
  json_builder_add_string_value (b, lp_manifest_get_kernel (m));
  json_builder_set_member_name (b, "architecture");
  json_builder_add_string_value (b, lp_manifest_get_architecture (m));
  json_builder_set_member_name (b, "module");
  json_builder_add_string_value (b, lp_manifest_get_module (m));
  json_builder_set_member_name (b, "fixes");
  json_builder_begin_array (b);
  for (guint i = 0; i < fixes->len; i++)
    {
      LpFix *fix = g_ptr_array_index (fixes, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, fix->name);
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, fix->description);
      json_builder_set_member_name (b, "bug");
      json_builder_add_string_value (b, fix->bug);
      json_builder_set_member_name (b, "patched");
      json_builder_add_boolean_value (b, fix->patched);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
json_add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
print_json (Report *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_add_string (b, "file", r->file);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, r->error == NULL);
  json_add_string (b, "type", r->is_module ? "module" : "tarball");
  json_add_string (b, "sha256", r->sha256);
  if (r->error != NULL)
    {
      json_add_string (b, "failed-check", check_name (r->error));
      json_add_string (b, "error",
                       r->error->domain == LP_ERROR ? lp_error_to_nick (r->error->code)
                                                    : "Internal");
      json_add_string (b, "message", r->error->message);
    }
  else if (r->is_module)
    json_add_signature (b, r->module_info);
  else
    {
      json_add_manifest (b, r->patch);
      json_add_signature (b, lp_verified_patch_get_signature (r->patch));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  g_print ("%s\n", text);
}

static int
list_certs (LpCertSet *trusted, gboolean as_json)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < lp_cert_set_get_n_certs (trusted); i++)
    {
      gnutls_x509_crt_t crt = lp_cert_set_get_cert (trusted, i);
      g_autofree char *subject = lp_cert_describe_subject (crt);
      g_autofree char *key_id = lp_cert_describe_key_id (crt);
      g_autofree char *serial = lp_cert_describe_serial (crt);
      g_autoptr (GDateTime) until =
          g_date_time_new_from_unix_utc (gnutls_x509_crt_get_expiration_time (crt));
      g_autofree char *expires = g_date_time_format_iso8601 (until);

      if (!as_json)
        g_print ("%s\n  key id %s, serial %s, expires %s, from %s\n", subject, key_id, serial,
                 expires, lp_cert_set_get_origin (trusted, i));
      json_builder_begin_object (b);
      json_add_string (b, "subject", subject);
      json_add_string (b, "key-id", key_id);
      json_add_string (b, "serial", serial);
      json_add_string (b, "expires", expires);
      json_add_string (b, "origin", lp_cert_set_get_origin (trusted, i));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (as_json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      g_autofree char *text = json_to_string (root, TRUE);

      g_print ("%s\n", text);
    }
  return 0;
}

static gboolean
parse_options (Options *opt, int *argc, char ***argv, GError **error)
{
  const GOptionEntry entries[] = {
    { "cert", 'c', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt->certs,
      N_ ("Trust only the certificates in this PEM file (repeatable)"), "PEM" },
    { "certs-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt->certs_dir,
      "Directory of extra trusted certificates (default " LP_MODULE_CERTS_DIR ")", "DIR" },
    { "sha256", 0, 0, G_OPTION_ARG_STRING, &opt->sha256, N_ ("Expected SHA-256 of FILE"), "HEX" },
    { "kernel", 'k', 0, G_OPTION_ARG_STRING, &opt->kernel,
      N_ ("Require the patch to be for this kernel release"), "RELEASE" },
    { "arch", 'a', 0, G_OPTION_ARG_STRING, &opt->arch,
      N_ ("Require the patch to be for this architecture"), "ARCH" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &opt->format, N_ ("Output format: human or json"),
      "FORMAT" },
    { "list-certs", 'l', 0, G_OPTION_ARG_NONE, &opt->list_certs,
      N_ ("List the trusted module signing certificates and exit"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt->files, NULL, "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("FILE");

  g_option_context_set_summary (context, _ ("Check a Livepatch patch tarball or a signed kernel "
                                            "module the way livepatchd does."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (opt->format != NULL && !g_str_equal (opt->format, "human") &&
      !g_str_equal (opt->format, "json"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--format must be human or json"));
      return FALSE;
    }
  if (!opt->list_certs && (opt->files == NULL || g_strv_length (opt->files) != 1))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _ ("give exactly one FILE"));
      return FALSE;
    }
  return TRUE;
}

static void
options_clear (Options *opt)
{
  g_strfreev (opt->certs);
  g_free (opt->certs_dir);
  g_free (opt->sha256);
  g_free (opt->kernel);
  g_free (opt->arch);
  g_free (opt->format);
  g_strfreev (opt->files);
}

int
main (int argc, char **argv)
{
  Options opt = { 0 };
  Report report = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCertSet) trusted = NULL;
  gboolean as_json;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (!parse_options (&opt, &argc, &argv, &error))
    {
      g_printerr ("livepatch-verify: %s\n", error->message);
      options_clear (&opt);
      return 2;
    }
  as_json = g_strcmp0 (opt.format, "json") == 0;
  trusted = load_trust (&opt, &error);
  if (trusted == NULL)
    {
      g_printerr ("livepatch-verify: %s\n", error->message);
      options_clear (&opt);
      return 2;
    }
  if (opt.list_certs)
    status = list_certs (trusted, as_json);
  else
    {
      report.file = opt.files[0];
      status = verify_file (&report, &opt, trusted) ? 0 : 1;
      if (as_json)
        print_json (&report);
      else
        print_human (&report, &opt);
      report_clear (&report);
    }
  options_clear (&opt);
  return status;
}
