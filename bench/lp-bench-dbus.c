/* lp-bench-dbus.c: D-Bus load generator and start-up timer for bench/run
 *
 *   lp-bench-dbus getall  --address A --connections N --calls M
 *   lp-bench-dbus getid   --address A --connections N --calls M
 *   lp-bench-dbus startup --address A --runs N -- DAEMON [ARG]...
 *   lp-bench-dbus own     --address A
 *
 * getall: N connections, one thread each, M blocking Properties.GetAll
 * calls on com.canonical.Livepatch each; getid: the same with the bus's own
 * org.freedesktop.DBus.GetId, the ceiling (one hop instead of two).  Prints
 * {"calls", "seconds", "rate", "p50_us", "p99_us"}.
 * startup: N times, exec DAEMON and time until the bus announces it owns
 * com.canonical.Livepatch, then SIGTERM it and wait for it to exit.  Prints
 * {"runs", "ms": [...]}.
 * own: the floor for any GLib D-Bus service: connects, exports the same
 * gdbus-codegen skeleton as livepatchd with typical values, owns
 * com.canonical.Livepatch and sleeps until SIGTERM; bench/run measures its
 * start-up, memory and GetAll rate beside livepatchd's.
 *
 * Written in C with GDBus like the clients that matter (gnome-control-center,
 * the CLI), so the client is not what is being measured.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-bench-dbus"

#include "config.h"

#include <signal.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "lp-dbus-generated.h"

#define BENCH_BUS_NAME "com.canonical.Livepatch"
#define BENCH_OBJECT_PATH "/com/canonical/Livepatch"

typedef struct
{
  GDBusConnection *connection;
  gboolean getid;
  guint calls;
  GArray *latencies_us; /* gint64 */
  GError *error;
} BenchWorker;

static GMutex start_lock;
static GCond start_cond;
static gboolean start_now;

static GDBusConnection *
bench_connect (const char *address, GError **error)
{
  return g_dbus_connection_new_for_address_sync (address,
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, error);
}

static gboolean
bench_call_once (BenchWorker *worker)
{
  g_autoptr (GVariant) reply = NULL;

  if (worker->getid)
    reply = g_dbus_connection_call_sync (
        worker->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "GetId", NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &worker->error);
  else
    reply = g_dbus_connection_call_sync (
        worker->connection, BENCH_BUS_NAME, BENCH_OBJECT_PATH, "org.freedesktop.DBus.Properties",
        "GetAll", g_variant_new ("(s)", BENCH_BUS_NAME), G_VARIANT_TYPE ("(a{sv})"),
        G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, &worker->error);
  return reply != NULL;
}

static gpointer
bench_worker_run (gpointer data)
{
  BenchWorker *worker = data;

  /* Everyone starts together, so N connections really are concurrent. */
  g_mutex_lock (&start_lock);
  while (!start_now)
    g_cond_wait (&start_cond, &start_lock);
  g_mutex_unlock (&start_lock);

  for (guint i = 0; i < worker->calls; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      gint64 dt;

      if (!bench_call_once (worker))
        break;
      dt = g_get_monotonic_time () - t0;
      g_array_append_val (worker->latencies_us, dt);
    }
  return NULL;
}

static gint
bench_compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gint64
bench_percentile (GArray *sorted, double p)
{
  guint k;

  if (sorted->len == 0)
    return -1;
  k = (guint) (p / 100.0 * sorted->len);
  return g_array_index (sorted, gint64, MIN (k, sorted->len - 1));
}

static void
bench_print_load (GArray *all, double seconds)
{
  g_array_sort (all, bench_compare_gint64);
  g_print ("{\"calls\": %u, \"seconds\": %.6f, \"rate\": %.1f, \"p50_us\": %" G_GINT64_FORMAT
           ", \"p99_us\": %" G_GINT64_FORMAT "}\n",
           all->len, seconds, all->len / seconds, bench_percentile (all, 50),
           bench_percentile (all, 99));
}

static int
bench_load (const char *address, guint connections, guint calls, gboolean getid)
{
  g_autofree BenchWorker *workers = g_new0 (BenchWorker, connections);
  g_autofree GThread **threads = g_new0 (GThread *, connections);
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GError) error = NULL;
  gint64 start;
  int status = 0;

  for (guint i = 0; i < connections; i++)
    {
      workers[i].connection = bench_connect (address, &error);
      if (workers[i].connection == NULL)
        {
          g_printerr ("lp-bench-dbus: connect: %s\n", error->message);
          return 1;
        }
      workers[i].getid = getid;
      workers[i].calls = calls;
      workers[i].latencies_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64), calls);
      threads[i] = g_thread_new ("bench-worker", bench_worker_run, &workers[i]);
    }
  g_mutex_lock (&start_lock);
  start = g_get_monotonic_time ();
  start_now = TRUE;
  g_cond_broadcast (&start_cond);
  g_mutex_unlock (&start_lock);
  for (guint i = 0; i < connections; i++)
    {
      g_thread_join (threads[i]);
      if (workers[i].error != NULL)
        {
          g_printerr ("lp-bench-dbus: call: %s\n", workers[i].error->message);
          g_clear_error (&workers[i].error);
          status = 1;
        }
      g_array_append_vals (all, workers[i].latencies_us->data, workers[i].latencies_us->len);
      g_array_unref (workers[i].latencies_us);
      g_object_unref (workers[i].connection);
    }
  if (status == 0)
    bench_print_load (all, (g_get_monotonic_time () - start) / 1e6);
  return status;
}

/* --- start-up --- */

typedef struct
{
  GMainLoop *loop;
  gboolean owned;
} BenchWatch;

static void
bench_name_owner_changed_cb (GDBusConnection *connection, const char *sender, const char *path,
                             const char *iface, const char *signal_name, GVariant *parameters,
                             gpointer data)
{
  BenchWatch *watch = data;
  const char *name, *old_owner, *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (g_strcmp0 (name, BENCH_BUS_NAME) == 0 && *new_owner != '\0')
    {
      watch->owned = TRUE;
      g_main_loop_quit (watch->loop);
    }
}

static gboolean
bench_stop_child (GPid pid)
{
  int status;

  kill (pid, SIGTERM);
  if (waitpid (pid, &status, 0) < 0)
    return FALSE;
  g_spawn_close_pid (pid);
  return WIFEXITED (status) || WIFSIGNALED (status);
}

/* One start: exec to the NameOwnerChanged that gives the daemon the name. */
static gboolean
bench_start_once (GDBusConnection *bus, char **argv, double *out_ms, GError **error)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  BenchWatch watch = { loop, FALSE };
  guint sub;
  gint64 start;
  GPid pid;
  gboolean ok;

  sub = g_dbus_connection_signal_subscribe (bus, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                            "NameOwnerChanged", "/org/freedesktop/DBus",
                                            BENCH_BUS_NAME, G_DBUS_SIGNAL_FLAGS_NONE,
                                            bench_name_owner_changed_cb, &watch, NULL);
  start = g_get_monotonic_time ();
  ok = g_spawn_async (NULL, argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                          G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &pid, error);
  if (ok)
    {
      g_main_loop_run (loop);
      *out_ms = (g_get_monotonic_time () - start) / 1000.0;
      ok = bench_stop_child (pid);
    }
  g_dbus_connection_signal_unsubscribe (bus, sub);
  return ok;
}

static int
bench_startup (const char *address, guint runs, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = bench_connect (address, &error);
  g_autoptr (GString) out = g_string_new (NULL);

  if (bus == NULL)
    {
      g_printerr ("lp-bench-dbus: connect: %s\n", error->message);
      return 1;
    }
  g_string_append_printf (out, "{\"runs\": %u, \"ms\": [", runs);
  for (guint i = 0; i < runs; i++)
    {
      double ms = 0;

      if (!bench_start_once (bus, argv, &ms, &error))
        {
          g_printerr ("lp-bench-dbus: start %s: %s\n", argv[0],
                      error ? error->message : "could not stop it");
          return 1;
        }
      g_string_append_printf (out, "%s%.3f", i ? ", " : "", ms);
    }
  g_print ("%s]}\n", out->str);
  return 0;
}

/* --- the minimal GDBus service --- */

static void
bench_name_lost_cb (GDBusConnection *connection, const char *name, gpointer data)
{
  g_main_loop_quit (data);
}

static gboolean
bench_quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* What an enabled client with one applied patch shows. */
static LpDBusLivepatch *
bench_skeleton_new (void)
{
  LpDBusLivepatch *skeleton = lp_dbus_livepatch_skeleton_new ();
  GVariantBuilder fixes;

  g_variant_builder_init (&fixes, G_VARIANT_TYPE ("a(ssbs)"));
  g_variant_builder_add (&fixes, "(ssbs)", "CVE-2026-0001", "test fix", TRUE, "LP#1");
  lp_dbus_livepatch_set_enabled (skeleton, TRUE);
  lp_dbus_livepatch_set_machine_id (skeleton, "0123456789abcdef0123456789abcdef");
  lp_dbus_livepatch_set_client_version (skeleton, "0.1.0");
  lp_dbus_livepatch_set_kernel (skeleton, "6.1.0-99-bench");
  lp_dbus_livepatch_set_architecture (skeleton, "amd64");
  lp_dbus_livepatch_set_supported (skeleton, "supported");
  lp_dbus_livepatch_set_check_state (skeleton, "checked");
  lp_dbus_livepatch_set_patch_state (skeleton, "applied");
  lp_dbus_livepatch_set_patch_version (skeleton, "1.2");
  lp_dbus_livepatch_set_fixes (skeleton, g_variant_builder_end (&fixes));
  lp_dbus_livepatch_set_last_check (skeleton, 1795989498);
  lp_dbus_livepatch_set_tier (skeleton, "stable");
  lp_dbus_livepatch_set_mode (skeleton, "normal");
  return skeleton;
}

static int
bench_own (const char *address)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = bench_connect (address, &error);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (LpDBusLivepatch) skeleton = bench_skeleton_new ();
  guint id;

  if (bus == NULL || !g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (skeleton), bus,
                                                        BENCH_OBJECT_PATH, &error))
    {
      g_printerr ("lp-bench-dbus: %s\n", error->message);
      return 1;
    }
  id = g_bus_own_name_on_connection (bus, BENCH_BUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE, NULL,
                                     bench_name_lost_cb, loop, NULL);
  g_unix_signal_add (SIGTERM, bench_quit_cb, loop);
  g_main_loop_run (loop);
  g_bus_unown_name (id);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context =
      g_option_context_new ("getall|getid|own|startup [-- DAEMON ARGS]");
  g_autoptr (GError) error = NULL;
  g_autofree char *address = NULL;
  int connections = 1, calls = 1000, runs = 20;
  GOptionEntry entries[] = {
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, "bus address", "ADDRESS" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &connections, "concurrent connections", "N" },
    { "calls", 0, 0, G_OPTION_ARG_INT, &calls, "calls per connection", "M" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "daemon starts", "N" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 || address == NULL ||
      connections < 1 || calls < 1 || runs < 1)
    {
      g_printerr ("lp-bench-dbus: %s\n", error ? error->message : "bad arguments (see --help)");
      return 2;
    }
  if (g_str_equal (argv[1], "getall") || g_str_equal (argv[1], "getid"))
    return bench_load (address, connections, calls, g_str_equal (argv[1], "getid"));
  if (g_str_equal (argv[1], "own"))
    return bench_own (address);
  /* GOption leaves the "--" that separates the daemon's own arguments. */
  if (g_str_equal (argv[1], "startup") && argc > 3 && g_str_equal (argv[2], "--"))
    return bench_startup (address, runs, argv + 3);
  g_printerr ("lp-bench-dbus: unknown mode %s\n", argv[1]);
  return 2;
}
