/* lp-panel-text.c: the panel's own, translated words for the service's
 * enumerated values and error names
 *
 * The service's LastError and error messages are in the service's language;
 * a desktop shows the user's. LastErrorCode and the D-Bus error name let the
 * panel pick its own translated sentence. Values this panel does not know
 * (the API may add some) are shown as "unknown", or as the service's text.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-panel"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "lp-panel-text.h"

#define LP_PANEL_ERROR_PREFIX "com.canonical.Livepatch.Error."

typedef struct
{
  const char *value;
  const char *text; /* N_() marked, translated when shown */
} LpPanelWord;

static const LpPanelWord supported_words[] = {
  { "supported", N_ ("Supported") },
  { "kernel-upgrade-required", N_ ("Kernel upgrade required") },
  { "kernel-end-of-life", N_ ("Kernel no longer supported") },
  { "unsupported", N_ ("Not supported") },
  { "unknown", N_ ("Unknown until the first check") },
};

static const LpPanelWord patch_state_words[] = {
  { "unapplied", N_ ("No patch applied") },
  { "downloading", N_ ("Downloading") },
  { "applying", N_ ("Applying") },
  { "applied", N_ ("Applied") },
  { "nothing-to-apply", N_ ("Up to date: no patch needed") },
  { "applied-with-bug", N_ ("Applied, a fixed patch is awaited") },
  { "apply-failed", N_ ("The last patch could not be applied") },
};

static const LpPanelWord check_state_words[] = {
  { "needs-check", N_ ("Not checked yet") },
  { "checking", N_ ("Checking") },
  { "checked", N_ ("Checked") },
  { "check-failed", N_ ("The last check failed") },
};

static const LpPanelWord error_words[] = {
  { "NotEnabled", N_ ("Livepatch is not turned on.") },
  { "AlreadyEnabled", N_ ("Livepatch is already turned on.") },
  { "NotAuthorized", N_ ("You are not allowed to do this. Ask an administrator.") },
  { "InvalidArgument", N_ ("The value is not valid.") },
  { "Network", N_ ("The Livepatch server could not be reached. Check the network and the "
                   "proxy settings.") },
  { "Server", N_ ("The Livepatch server failed. Try again later.") },
  { "UnknownToken", N_ ("The Livepatch server does not know this token. Check the token of "
                        "your subscription.") },
  { "ChecksumMismatch", N_ ("The downloaded patch was damaged on the way. It was not "
                            "applied; try again.") },
  { "InvalidArchive", N_ ("The downloaded patch is not a valid patch file. It was not "
                          "applied.") },
  { "InvalidMetadata", N_ ("The patch describes itself wrongly. It was not applied.") },
  { "InvalidSignature", N_ ("The patch is not signed by a trusted key. It was not applied.") },
  { "KernelMismatch", N_ ("The patch is for another kernel. It was not applied.") },
  { "Rollback", N_ ("The patch is older than the one running. It was not applied.") },
  { "Blocked", N_ ("This patch failed before and is blocked until the next reboot.") },
  { "LoadFailed", N_ ("The kernel refused the patch.") },
  { "Cancelled", N_ ("Stopped.") },
  { "Busy", N_ ("Livepatch is busy. Try again in a moment.") },
  { "Internal", N_ ("Livepatch failed unexpectedly. See the system log.") },
};

static const char *
lookup (const LpPanelWord *words, gsize n_words, const char *value)
{
  for (gsize i = 0; value != NULL && i < n_words; i++)
    if (g_str_equal (words[i].value, value))
      return _ (words[i].text);
  return NULL;
}

const char *
lp_panel_text_supported (const char *supported)
{
  const char *text = lookup (supported_words, G_N_ELEMENTS (supported_words), supported);
  return text != NULL ? text : _ ("Unknown");
}

const char *
lp_panel_text_patch_state (const char *patch_state)
{
  const char *text = lookup (patch_state_words, G_N_ELEMENTS (patch_state_words), patch_state);
  return text != NULL ? text : _ ("Unknown");
}

const char *
lp_panel_text_check_state (const char *check_state)
{
  const char *text = lookup (check_state_words, G_N_ELEMENTS (check_state_words), check_state);
  return text != NULL ? text : _ ("Unknown");
}

/* NULL when the panel has no sentence of its own for @code. */
const char *
lp_panel_text_error_code (const char *code)
{
  return lookup (error_words, G_N_ELEMENTS (error_words), code);
}

/* The panel's sentence for @code, else the service's own message. */
char *
lp_panel_text_error_message (const char *code, const char *service_message)
{
  const char *own = lp_panel_text_error_code (code);

  if (own != NULL)
    return g_strdup (own);
  if (service_message != NULL && *service_message != '\0')
    return g_strdup (service_message);
  return g_strdup (_ ("The operation failed."));
}

/* For a failed call: InvalidArgument keeps the service's message, which names
 * the key and the rule; other errors get the panel's sentence. */
char *
lp_panel_text_error_from_call (const GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error (error);
  g_autoptr (GError) stripped = g_error_copy (error);
  const char *code = NULL;

  g_dbus_error_strip_remote_error (stripped);
  if (name != NULL && g_str_has_prefix (name, LP_PANEL_ERROR_PREFIX))
    code = name + strlen (LP_PANEL_ERROR_PREFIX);
  if (code != NULL && g_str_equal (code, "InvalidArgument"))
    return g_strdup (stripped->message);
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    return g_strdup (_ ("The Livepatch service is not running."));
  return lp_panel_text_error_message (code, stripped->message);
}

/* A local date and time, or @when_zero for 0. */
char *
lp_panel_text_time (gint64 unix_seconds, const char *when_zero)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;

  if (unix_seconds <= 0)
    return g_strdup (when_zero);
  utc = g_date_time_new_from_unix_utc (unix_seconds);
  if (utc == NULL)
    return g_strdup (_ ("Unknown"));
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}
