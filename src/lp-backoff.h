/* lp-backoff.h: retry delays (exponential backoff with full jitter, capped)
 * and the jittered periodic schedule; pure, with injectable randomness and
 * a monotonic clock so tests can drive it
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns a uniformly distributed number in [0, 1). */
typedef double (*LpRandomFunc) (gpointer user_data);
/* Returns microseconds on a monotonic clock (default g_get_monotonic_time). */
typedef gint64 (*LpClockFunc) (gpointer user_data);

typedef struct _LpBackoff LpBackoff;

/* Delays in milliseconds. Attempt n (from 0) waits a uniform random delay in
 * [0, min (cap, base * 2^n)] ("full jitter"). @random NULL = g_random_double,
 * @clock NULL = g_get_monotonic_time. */
LpBackoff *lp_backoff_new (guint64 base_ms, guint64 cap_ms, LpRandomFunc random,
                           gpointer random_data, LpClockFunc clock, gpointer clock_data);
void lp_backoff_free (LpBackoff *self);

/* Delay before the next retry, in ms; counts one more attempt. */
guint64 lp_backoff_next_delay (LpBackoff *self);
/* Same, as a deadline on the monotonic clock (microseconds). */
gint64 lp_backoff_next_deadline (LpBackoff *self);
/* Upper bound of the next delay, before jitter. */
guint64 lp_backoff_peek_ceiling (LpBackoff *self);
guint lp_backoff_get_attempts (LpBackoff *self);
/* Call after a success: the next failure starts again from base. */
void lp_backoff_reset (LpBackoff *self);

/* The periodic check delay: @interval_ms +/- up to 10%, uniformly, so that a
 * fleet started together spreads out. @random NULL = g_random_double. */
guint64 lp_backoff_periodic_delay (guint64 interval_ms, LpRandomFunc random, gpointer random_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpBackoff, lp_backoff_free)

G_END_DECLS
