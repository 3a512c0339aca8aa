/* lp-text.h: text from the server and from patch.json, checked where it
 * enters
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  /* Names, versions, states, tokens, URLs: refused unless valid UTF-8
   * without control characters, since a changed identifier is a wrong one. */
  LP_TEXT_IDENTIFIER,
  /* Descriptions and other prose: invalid UTF-8 and control characters are
   * each replaced by U+FFFD, so the rest can still be shown. */
  LP_TEXT_PROSE,
} LpTextKind;

/* Control characters, never let through: C0 (U+0000..U+001F, including
 * ESC, tab and newline), DEL (U+007F) and C1 (U+0080..U+009F). */
gboolean lp_text_is_control (gunichar c);

/* A copy of untrusted @text fit to store, log, print and put in a GVariant,
 * or NULL with *why (transfer full) set to "is longer than N bytes", "is not
 * UTF-8 text" or "contains a control character". @max_len bounds @text as
 * it came, in bytes, for both kinds. */
char *lp_text_accept (const char *text, LpTextKind kind, gsize max_len, char **why);

/* Whether @text is what lp_text_accept() would make of it: for values that
 * were accepted once already and come back (from livepatch-fetch, or from a
 * file the daemon wrote), so they are trusted no more than the first time. */
gboolean lp_text_is_accepted (const char *text, LpTextKind kind, gsize max_len);

/* @text as LP_TEXT_PROSE, whatever its length: for foreign messages
 * (json-glib's, which quote the input) before they go into an error. */
char *lp_text_clean (const char *text);

G_END_DECLS
