/* lp-backoff.c: retry delays with full jitter and the jittered periodic
 * schedule
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-backoff"

#include "config.h"

#include <math.h>

#include "lp-backoff.h"

struct _LpBackoff
{
  guint64 base_ms;
  guint64 cap_ms;
  guint attempts;
  LpRandomFunc random;
  gpointer random_data;
  LpClockFunc clock;
  gpointer clock_data;
};

static double
default_random (gpointer user_data)
{
  return g_random_double ();
}

static gint64
default_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

/* Keeps a misbehaving random source inside [0, 1). */
static double
draw (LpRandomFunc random, gpointer data)
{
  double r = random (data);

  if (!(r >= 0.0))
    return 0.0;
  if (r >= 1.0)
    return nextafter (1.0, 0.0);
  return r;
}

LpBackoff *
lp_backoff_new (guint64 base_ms, guint64 cap_ms, LpRandomFunc random, gpointer random_data,
                LpClockFunc clock, gpointer clock_data)
{
  LpBackoff *self = g_new0 (LpBackoff, 1);

  self->base_ms = MAX (base_ms, 1);
  self->cap_ms = MAX (cap_ms, self->base_ms);
  self->random = random ? random : default_random;
  self->random_data = random_data;
  self->clock = clock ? clock : default_clock;
  self->clock_data = clock_data;
  return self;
}

void
lp_backoff_free (LpBackoff *self)
{
  g_free (self);
}

guint64
lp_backoff_peek_ceiling (LpBackoff *self)
{
  guint64 ceiling = self->base_ms;

  /* Doubling stops at the cap, so no shift can overflow. */
  for (guint i = 0; i < self->attempts && ceiling < self->cap_ms; i++)
    ceiling *= 2;
  return MIN (ceiling, self->cap_ms);
}

guint64
lp_backoff_next_delay (LpBackoff *self)
{
  guint64 ceiling = lp_backoff_peek_ceiling (self);
  guint64 delay;

  if (self->attempts < G_MAXUINT)
    self->attempts++;
  /* Full jitter: anywhere in [0, ceiling], so failed clients spread out. */
  delay = (guint64) (draw (self->random, self->random_data) * (double) (ceiling + 1));
  return MIN (delay, ceiling);
}

gint64
lp_backoff_next_deadline (LpBackoff *self)
{
  guint64 delay = lp_backoff_next_delay (self);

  return self->clock (self->clock_data) + (gint64) delay * 1000;
}

guint
lp_backoff_get_attempts (LpBackoff *self)
{
  return self->attempts;
}

void
lp_backoff_reset (LpBackoff *self)
{
  self->attempts = 0;
}

guint64
lp_backoff_periodic_delay (guint64 interval_ms, LpRandomFunc random, gpointer random_data)
{
  double r = draw (random ? random : default_random, random_data);
  double spread = (double) interval_ms / 10.0;

  /* interval - 10% .. interval + 10% */
  return (guint64) ((double) interval_ms - spread + 2.0 * spread * r);
}
