/* lp-crash-point.c: fault-injection crash points (test builds only)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-crash-point"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lp-crash-point.h"

gboolean
lp_crash_points_enabled (void)
{
  return LP_CRASH_POINTS;
}

#if LP_CRASH_POINTS
/* Hits of the crash point named in LP_CRASH_AT so far. */
static gint lp_crash_point_hits;

/* LP_CRASH_AT is "NAME" (the first hit) or "NAME#N" (the N-th hit), so a
 * test can kill the process at each of several writes in turn. */
static gboolean
lp_crash_point_matches (const char *at, const char *name)
{
  const char *hash = strchr (at, '#');
  gsize len = hash != NULL ? (gsize) (hash - at) : strlen (at);
  gint wanted = hash != NULL ? (gint) g_ascii_strtoll (hash + 1, NULL, 10) : 1;

  if (strlen (name) != len || strncmp (at, name, len) != 0)
    return FALSE;
  return g_atomic_int_add (&lp_crash_point_hits, 1) + 1 == wanted;
}

void
lp_crash_point (const char *name)
{
  const char *at = g_getenv ("LP_CRASH_AT");

  if (at == NULL || !lp_crash_point_matches (at, name))
    return;
  /* Straight to stderr: the log writer may buffer, and the test reads this
   * line to know the process died here and not somewhere else. */
  fprintf (stderr, "lp-crash-point: %s: killing myself with SIGKILL\n", at);
  fflush (stderr);
  kill (getpid (), SIGKILL);
}
#endif
