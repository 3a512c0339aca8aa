/* lp-crash-point.c: fault-injection crash points (test builds only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-crash-point"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "lp-crash-point.h"

gboolean
lp_crash_points_enabled (void)
{
  return LP_CRASH_POINTS;
}

#if LP_CRASH_POINTS
void
lp_crash_point (const char *name)
{
  const char *at = g_getenv ("LP_CRASH_AT");

  if (at == NULL || g_strcmp0 (at, name) != 0)
    return;
  /* Straight to stderr: the log writer may buffer, and the test reads this
   * line to know the process died here and not somewhere else. */
  fprintf (stderr, "lp-crash-point: %s: killing myself with SIGKILL\n", name);
  fflush (stderr);
  kill (getpid (), SIGKILL);
}
#endif
