/* lp-main.c: livepatchd entry point: options, logging, signals, main loop
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "livepatchd"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>

#include "lp-config.h"
#include "lp-daemon.h"
#include "lp-engine.h"
#include "lp-redact.h"

typedef struct
{
  GMainLoop *loop;
  LpConfig *config;
  LpEngine *engine;
  GLogLevelFlags threshold; /* most verbose level written */
  GLogLevelFlags floor;     /* from -v / --debug; the config may only raise verbosity */
  int exit_status;
} Context;

static Context ctx = { .threshold = G_LOG_LEVEL_MESSAGE, .floor = G_LOG_LEVEL_MESSAGE };

/* --- logging --- */

static GLogLevelFlags
level_from_name (const char *name)
{
  if (g_strcmp0 (name, "debug") == 0)
    return G_LOG_LEVEL_DEBUG;
  if (g_strcmp0 (name, "info") == 0)
    return G_LOG_LEVEL_INFO;
  if (g_strcmp0 (name, "notice") == 0)
    return G_LOG_LEVEL_MESSAGE; /* g_message is journald's notice */
  if (g_strcmp0 (name, "warning") == 0)
    return G_LOG_LEVEL_WARNING;
  return G_LOG_LEVEL_CRITICAL;
}

/* GLogLevelFlags grow with verbosity: ERROR=4 ... DEBUG=128. */
static void
update_threshold (void)
{
  GLogLevelFlags configured = level_from_name (lp_config_get_log_level (ctx.config));
  ctx.threshold = MAX (configured, ctx.floor);
}

/* Every level goes to stderr: stdout is no place for a daemon's log, and
 * systemd collects both anyway. */
static GLogWriterOutput
write_stderr (GLogLevelFlags level, const GLogField *fields, gsize n_fields)
{
  g_autofree char *line = g_log_writer_format_fields (level, fields, n_fields, FALSE);

  fprintf (stderr, "%s\n", line);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

static char *
redact_field (const GLogField *field)
{
  g_autofree char *text =
      field->length < 0 ? g_strdup (field->value) : g_strndup (field->value, field->length);

  return lp_redact_text (text);
}

/* Every line, ours or a library's, loses its credentials here (lp-redact.h). */
static GLogWriterOutput
log_writer_cb (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  GLogLevelFlags bare = level & G_LOG_LEVEL_MASK;
  g_autofree GLogField *redacted = g_memdup2 (fields, n_fields * sizeof *fields);
  g_autofree char *message = NULL;

  if (bare > ctx.threshold && g_getenv ("G_MESSAGES_DEBUG") == NULL)
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") != 0 || message != NULL)
        continue;
      message = redact_field (&fields[i]);
      redacted[i].value = message;
      redacted[i].length = -1;
    }
  if (g_log_writer_is_journald (fileno (stderr)))
    {
      if (g_log_writer_journald (level, redacted, n_fields, user_data) == G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;
    }
  return write_stderr (level, redacted, n_fields);
}

static void
config_changed_cb (LpConfig *config, gpointer user_data)
{
  update_threshold ();
}

/* --- signals --- */

static gboolean
sighup_cb (gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_message (_ ("reloading configuration"));
  if (!lp_config_reload (ctx.config, &error))
    g_warning (_ ("configuration not reloaded: %s"), error->message);
  return G_SOURCE_CONTINUE;
}

static gboolean
sigterm_cb (gpointer user_data)
{
  g_message (_ ("stopping"));
  lp_engine_shutdown (ctx.engine);
  g_main_loop_quit (ctx.loop);
  return G_SOURCE_REMOVE;
}

static void
name_lost_cb (LpDaemon *daemon, gpointer user_data)
{
  ctx.exit_status = EXIT_FAILURE;
  lp_engine_shutdown (ctx.engine);
  g_main_loop_quit (ctx.loop);
}

/* --- set-up --- */

static char *
state_dir_prepare (GError **error)
{
  const char *env = g_getenv ("STATE_DIRECTORY");
  /* systemd may pass several directories separated by ':'; ours is the first. */
  g_auto (GStrv) dirs = g_strsplit (env != NULL && *env != '\0' ? env : LP_STATE_DIR, ":", 2);

  if (g_mkdir_with_parents (dirs[0], 0700) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("cannot create state directory %s: %s"), dirs[0], g_strerror (saved_errno));
      return NULL;
    }
  return g_strdup (dirs[0]);
}

typedef struct
{
  gboolean verbose;
  gboolean debug;
  gboolean version;
  char *kernel_sim;
  char *module_certs_dir;
  char *machine_id_file;
  char *mode_file;
  char *cmdline_file;
} Options;

static gboolean
parse_options (Options *opts, int *argc, char ***argv, GError **error)
{
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opts->verbose, N_ ("Log informational messages"),
      NULL },
    { "debug", 0, 0, G_OPTION_ARG_NONE, &opts->debug, N_ ("Log debugging messages"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opts->version, N_ ("Print the version and exit"), NULL },
    { "kernel-sim", 0, 0, G_OPTION_ARG_FILENAME, &opts->kernel_sim,
      N_ ("Use a simulated kernel rooted in DIR (tests and the demo only)"), "DIR" },
    { "module-certs-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts->module_certs_dir,
      /* not marked: xgettext cannot see through the macro */
      "Extra trusted module certificates (default " LP_MODULE_CERTS_DIR ")", "DIR" },
    { "machine-id-file", 0, 0, G_OPTION_ARG_FILENAME, &opts->machine_id_file,
      N_ ("Machine ID file (tests only; default /etc/machine-id)"), "FILE" },
    { "mode-file", 0, 0, G_OPTION_ARG_FILENAME, &opts->mode_file,
      N_ ("Operating mode file (tests only; default /var/local/canonical_livepatch_mode)"),
      "FILE" },
    { "cmdline-file", 0, 0, G_OPTION_ARG_FILENAME, &opts->cmdline_file,
      N_ ("Kernel command line (tests only; default /proc/cmdline)"), "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("- Livepatch service"));

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _ ("Keeps the running kernel patched without a reboot. "
                                   "Started by systemd; talk to it with canonical-livepatch."));
  return g_option_context_parse (context, argc, argv, error);
}

static void
options_clear (Options *opts)
{
  g_free (opts->kernel_sim);
  g_free (opts->module_certs_dir);
  g_free (opts->machine_id_file);
  g_free (opts->mode_file);
  g_free (opts->cmdline_file);
}

static int
run (Options *opts)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *config_path = NULL;
  g_autoptr (LpConfig) config = NULL;
  g_autoptr (LpEngine) engine = NULL;
  g_autoptr (LpDaemon) daemon = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  LpEngineOptions eo = { 0 };

  state_dir = state_dir_prepare (&error);
  if (state_dir == NULL)
    {
      g_printerr ("livepatchd: %s\n", error->message);
      return EXIT_FAILURE;
    }
  config_path = g_build_filename (state_dir, "config", NULL);
  config = lp_config_new (config_path, &error);
  if (config == NULL)
    {
      g_printerr ("livepatchd: %s\n", error->message);
      return EXIT_FAILURE;
    }
  ctx.config = config;
  update_threshold ();
  g_signal_connect (config, "changed", G_CALLBACK (config_changed_cb), NULL);

  eo.state_dir = state_dir;
  eo.kernel_sim_root = opts->kernel_sim;
  eo.module_certs_dir = opts->module_certs_dir ? opts->module_certs_dir : LP_MODULE_CERTS_DIR;
  eo.machine_id_path = opts->machine_id_file ? opts->machine_id_file : "/etc/machine-id";
  eo.mode_file = opts->mode_file ? opts->mode_file : "/var/local/canonical_livepatch_mode";
  eo.cmdline_path = opts->cmdline_file ? opts->cmdline_file : "/proc/cmdline";
  engine = lp_engine_new (config, &eo, &error);
  if (engine == NULL)
    {
      g_printerr ("livepatchd: %s\n", error->message);
      return EXIT_FAILURE;
    }
  ctx.engine = engine;

  loop = g_main_loop_new (NULL, FALSE);
  ctx.loop = loop;
  daemon = lp_daemon_new (engine, config);
  g_signal_connect (daemon, "name-lost", G_CALLBACK (name_lost_cb), NULL);
  g_unix_signal_add (SIGHUP, sighup_cb, NULL);
  g_unix_signal_add (SIGTERM, sigterm_cb, NULL);
  g_unix_signal_add (SIGINT, sigterm_cb, NULL);
  g_info ("livepatchd %s, state in %s%s%s", PACKAGE_VERSION, state_dir,
          opts->kernel_sim ? ", simulated kernel in " : "",
          opts->kernel_sim ? opts->kernel_sim : "");
  lp_daemon_start (daemon);
  g_main_loop_run (loop);
  lp_engine_drain (engine, 5000);
  return ctx.exit_status;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  Options opts = { 0 };
  int status;

  /* A system service has no desktop settings.  Without this, GIO modules
   * that read GSettings open dconf, which wants a cache under the home
   * directory that the unit's ProtectHome= hides, and warns in the journal
   * on every connection (seen by the vm suite's systemd-package test). */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
#ifdef __GLIBC__
  /* An apply reads the module in large blocks (signature check, the
   * simulated kernel). Once such a block is freed, glibc raises its mmap
   * threshold to that size, the next ones come from the heap, and the freed
   * pages stay resident: RssAnon crept up by hundreds of KiB per apply
   * (bench/run, section 2). A fixed threshold keeps large blocks mmap()ed,
   * so they go back to the system when freed. */
  mallopt (M_MMAP_THRESHOLD, 128 * 1024);
#endif
  setlocale (LC_ALL, "");
  /* The service's messages in the system's language (systemd passes the
   * LANG of /etc/locale.conf); tests run with LC_ALL=C.UTF-8. */
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);
  if (!parse_options (&opts, &argc, &argv, &error))
    {
      g_printerr ("livepatchd: %s\n", error->message);
      options_clear (&opts);
      return EXIT_FAILURE;
    }
  if (opts.version)
    {
      g_print ("livepatchd %s\n", PACKAGE_VERSION);
      options_clear (&opts);
      return EXIT_SUCCESS;
    }
  ctx.floor = opts.debug     ? G_LOG_LEVEL_DEBUG
              : opts.verbose ? G_LOG_LEVEL_INFO
                             : G_LOG_LEVEL_MESSAGE;
  status = run (&opts);
  options_clear (&opts);
  return status;
}
