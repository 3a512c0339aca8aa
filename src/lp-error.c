/* lp-error.c: the LP_ERROR domain, registered as D-Bus error names
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "lp-error.h"

#define LP_DBUS_ERROR_PREFIX "com.canonical.Livepatch.Error."

static const GDBusErrorEntry lp_error_entries[] = {
  { LP_ERROR_NOT_ENABLED, LP_DBUS_ERROR_PREFIX "NotEnabled" },
  { LP_ERROR_ALREADY_ENABLED, LP_DBUS_ERROR_PREFIX "AlreadyEnabled" },
  { LP_ERROR_NOT_AUTHORIZED, LP_DBUS_ERROR_PREFIX "NotAuthorized" },
  { LP_ERROR_INVALID_ARGUMENT, LP_DBUS_ERROR_PREFIX "InvalidArgument" },
  { LP_ERROR_NETWORK, LP_DBUS_ERROR_PREFIX "Network" },
  { LP_ERROR_SERVER, LP_DBUS_ERROR_PREFIX "Server" },
  { LP_ERROR_UNKNOWN_TOKEN, LP_DBUS_ERROR_PREFIX "UnknownToken" },
  { LP_ERROR_CHECKSUM_MISMATCH, LP_DBUS_ERROR_PREFIX "ChecksumMismatch" },
  { LP_ERROR_INVALID_ARCHIVE, LP_DBUS_ERROR_PREFIX "InvalidArchive" },
  { LP_ERROR_INVALID_METADATA, LP_DBUS_ERROR_PREFIX "InvalidMetadata" },
  { LP_ERROR_INVALID_SIGNATURE, LP_DBUS_ERROR_PREFIX "InvalidSignature" },
  { LP_ERROR_KERNEL_MISMATCH, LP_DBUS_ERROR_PREFIX "KernelMismatch" },
  { LP_ERROR_ROLLBACK, LP_DBUS_ERROR_PREFIX "Rollback" },
  { LP_ERROR_BLOCKED, LP_DBUS_ERROR_PREFIX "Blocked" },
  { LP_ERROR_LOAD_FAILED, LP_DBUS_ERROR_PREFIX "LoadFailed" },
  { LP_ERROR_CANCELLED, LP_DBUS_ERROR_PREFIX "Cancelled" },
  { LP_ERROR_BUSY, LP_DBUS_ERROR_PREFIX "Busy" },
  { LP_ERROR_INTERNAL, LP_DBUS_ERROR_PREFIX "Internal" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (lp_error_entries) == LP_ERROR_N_CODES);

GQuark
lp_error_quark (void)
{
  static gsize quark = 0;

  /* Registering the domain makes GDBus send and receive LP_ERROR codes as
   * com.canonical.Livepatch.Error.* names, in the daemon and in the CLI. */
  g_dbus_error_register_error_domain ("lp-error-quark", &quark, lp_error_entries,
                                      G_N_ELEMENTS (lp_error_entries));
  return (GQuark) quark;
}

/* The short name of @code ("NotEnabled"), for logs and the status output. */
const char *
lp_error_to_nick (LpError code)
{
  g_return_val_if_fail (code < LP_ERROR_N_CODES, "Internal");
  return lp_error_entries[code].dbus_error_name + strlen (LP_DBUS_ERROR_PREFIX);
}

gboolean
lp_error_from_nick (const char *nick, LpError *out_code)
{
  for (guint i = 0; i < G_N_ELEMENTS (lp_error_entries); i++)
    {
      if (g_strcmp0 (nick, lp_error_to_nick (lp_error_entries[i].error_code)) == 0)
        {
          *out_code = lp_error_entries[i].error_code;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
lp_error_failv (GError **error, LpError code, const char *prefix, const char *format, va_list args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  g_set_error (error, LP_ERROR, code, "%s%s", prefix != NULL ? prefix : "", message);
  return FALSE;
}

gboolean
lp_error_fail (GError **error, LpError code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  lp_error_failv (error, code, NULL, format, args);
  va_end (args);
  return FALSE;
}
