/* test-backoff.c: retry and periodic schedules with injected randomness
 * and a fake monotonic clock
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lp-backoff.h"

typedef struct
{
  const double *values;
  guint n;
  guint next;
} FakeRandom;

static double
fake_random (gpointer user_data)
{
  FakeRandom *r = user_data;

  return r->values[r->next++ % r->n];
}

static gint64
fake_clock (gpointer user_data)
{
  return *(gint64 *) user_data;
}

static void
test_exponential_ceiling_capped (void)
{
  static const double top[] = { 0.999999999 };
  FakeRandom r = { top, 1, 0 };
  g_autoptr (LpBackoff) b = lp_backoff_new (1000, 60000, fake_random, &r, NULL, NULL);
  const guint64 expected[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpuint (lp_backoff_peek_ceiling (b), ==, expected[i]);
      /* The largest draw reaches the ceiling itself, never above. */
      g_assert_cmpuint (lp_backoff_next_delay (b), ==, expected[i]);
    }
  g_assert_cmpuint (lp_backoff_get_attempts (b), ==, G_N_ELEMENTS (expected));
}

static void
test_full_jitter_spans_zero_to_ceiling (void)
{
  static const double draws[] = { 0.0, 0.5, 0.25 };
  FakeRandom r = { draws, 3, 0 };
  g_autoptr (LpBackoff) b = lp_backoff_new (1000, 60000, fake_random, &r, NULL, NULL);

  g_assert_cmpuint (lp_backoff_next_delay (b), ==, 0);    /* ceiling 1000 */
  g_assert_cmpuint (lp_backoff_next_delay (b), ==, 1000); /* 0.5 * 2001 */
  g_assert_cmpuint (lp_backoff_next_delay (b), ==, 1000); /* 0.25 * 4001 */
}

static void
test_reset_starts_over (void)
{
  static const double top[] = { 0.999999999 };
  FakeRandom r = { top, 1, 0 };
  g_autoptr (LpBackoff) b = lp_backoff_new (500, 10000, fake_random, &r, NULL, NULL);

  for (guint i = 0; i < 10; i++)
    lp_backoff_next_delay (b);
  g_assert_cmpuint (lp_backoff_peek_ceiling (b), ==, 10000);
  lp_backoff_reset (b);
  g_assert_cmpuint (lp_backoff_get_attempts (b), ==, 0);
  g_assert_cmpuint (lp_backoff_next_delay (b), ==, 500);
}

static void
test_deadline_uses_monotonic_clock (void)
{
  static const double half[] = { 0.5 };
  FakeRandom r = { half, 1, 0 };
  gint64 now = 123456789;
  g_autoptr (LpBackoff) b = lp_backoff_new (1000, 60000, fake_random, &r, fake_clock, &now);

  /* 0.5 * 1001 = 500 ms after "now" */
  g_assert_cmpint (lp_backoff_next_deadline (b), ==, now + 500 * 1000);
  now += 10 * G_USEC_PER_SEC;
  g_assert_cmpint (lp_backoff_next_deadline (b), ==, now + 1000 * 1000);
}

static void
test_bad_random_is_clamped (void)
{
  static const double bad[] = { -3.0, 7.0 };
  FakeRandom r = { bad, 2, 0 };
  g_autoptr (LpBackoff) b = lp_backoff_new (1000, 1000, fake_random, &r, NULL, NULL);

  g_assert_cmpuint (lp_backoff_next_delay (b), ==, 0);
  g_assert_cmpuint (lp_backoff_next_delay (b), <=, 1000);
}

static void
test_periodic_jitter_within_ten_percent (void)
{
  static const double draws[] = { 0.0, 0.5, 0.999999999 };
  FakeRandom r = { draws, 3, 0 };
  const guint64 hour = 3600 * 1000;

  g_assert_cmpuint (lp_backoff_periodic_delay (hour, fake_random, &r), ==, hour - hour / 10);
  g_assert_cmpuint (lp_backoff_periodic_delay (hour, fake_random, &r), ==, hour);
  g_assert_cmpuint (lp_backoff_periodic_delay (hour, fake_random, &r), >=, hour + hour / 10 - 1);
  g_assert_cmpuint (lp_backoff_periodic_delay (hour, fake_random, &r), <=, hour + hour / 10);
}

static void
test_periodic_real_random_spreads (void)
{
  const guint64 interval = 60 * 60 * 1000;
  guint64 lo = G_MAXUINT64, hi = 0;

  for (guint i = 0; i < 2000; i++)
    {
      guint64 d = lp_backoff_periodic_delay (interval, NULL, NULL);
      g_assert_cmpuint (d, >=, interval - interval / 10);
      g_assert_cmpuint (d, <=, interval + interval / 10);
      lo = MIN (lo, d);
      hi = MAX (hi, d);
    }
  /* A fleet must not call in together: the draws really spread. */
  g_assert_cmpuint (hi - lo, >, interval / 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/backoff/exponential-ceiling-capped", test_exponential_ceiling_capped);
  g_test_add_func ("/backoff/full-jitter-spans-zero-to-ceiling",
                   test_full_jitter_spans_zero_to_ceiling);
  g_test_add_func ("/backoff/reset-starts-over", test_reset_starts_over);
  g_test_add_func ("/backoff/deadline-uses-monotonic-clock", test_deadline_uses_monotonic_clock);
  g_test_add_func ("/backoff/bad-random-is-clamped", test_bad_random_is_clamped);
  g_test_add_func ("/backoff/periodic-jitter-within-ten-percent",
                   test_periodic_jitter_within_ten_percent);
  g_test_add_func ("/backoff/periodic-real-random-spreads", test_periodic_real_random_spreads);
  return g_test_run ();
}
