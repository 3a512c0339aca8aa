/* lp-cli-commands.c: the sub-commands of canonical-livepatch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-cli"

#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lp-cli-bus.h"
#include "lp-cli-commands.h"
#include "lp-status-format.h"

/* Large enough for any PEM bundle an operator pastes, small enough that a
 * wrong redirection (a disk image) is refused quickly. */
#define LP_CLI_STDIN_MAX (1024 * 1024)

static int
fail (const GError *error)
{
  lp_cli_print_error (error);
  return LP_CLI_EXIT_FAILURE;
}

static int
usage_error (const char *message)
{
  g_printerr ("canonical-livepatch: %s\n", message);
  g_printerr (_ ("Run 'canonical-livepatch --help' for usage.\n"));
  return LP_CLI_EXIT_USAGE;
}

/* Connects and calls a method that takes no time limit; prints errors. */
static gboolean
call_simple (const char *method, GVariant *parameters)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpDBusLivepatch) proxy = lp_cli_connect (&error);
  g_autoptr (GVariant) reply = NULL;
  GSubprocess *agent;

  if (proxy == NULL)
    {
      fail (error);
      return FALSE;
    }
  agent = lp_cli_polkit_agent_start ();
  reply = lp_cli_call (proxy, method, parameters, LP_CLI_TIMEOUT_LONG, &error);
  lp_cli_polkit_agent_stop (agent);
  if (reply == NULL)
    {
      fail (error);
      return FALSE;
    }
  return TRUE;
}

int
lp_cli_cmd_enable (int argc, char **argv)
{
  if (argc != 2 || *argv[1] == '\0')
    return usage_error (_ ("enable needs exactly one argument, the token"));
  if (!call_simple ("Enable", g_variant_new ("(s)", argv[1])))
    return LP_CLI_EXIT_FAILURE;
  g_print (_ ("Successfully enabled this machine: Livepatch now keeps the running kernel "
              "patched.\n"));
  return LP_CLI_EXIT_OK;
}

int
lp_cli_cmd_disable (int argc, char **argv)
{
  if (argc != 1)
    return usage_error (_ ("disable takes no argument"));
  if (!call_simple ("Disable", NULL))
    return LP_CLI_EXIT_FAILURE;
  g_print (_ ("Successfully disabled this machine; applied patches stay loaded until the next "
              "reboot.\n"));
  return LP_CLI_EXIT_OK;
}

/* ---- refresh ---- */

typedef struct
{
  GMainLoop *loop;
  LpDBusLivepatch *proxy;
  GVariant *reply;
  GError *error;
  gboolean bar_shown;
} RefreshData;

static void
draw_progress (RefreshData *data)
{
  g_autofree char *state = lp_dbus_livepatch_dup_patch_state (data->proxy);
  g_autofree char *bar = NULL;

  if (g_strcmp0 (state, "downloading") != 0 && g_strcmp0 (state, "applying") != 0)
    return;
  bar = lp_status_format_progress (lp_dbus_livepatch_get_progress (data->proxy), 40);
  g_print ("\r%s %-12s", bar, state);
  fflush (stdout);
  data->bar_shown = TRUE;
}

static void
refresh_properties_changed_cb (GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
                               gpointer user_data)
{
  draw_progress (user_data);
}

static void
refresh_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RefreshData *data = user_data;

  data->reply = lp_cli_call_finish (data->proxy, result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
print_patch_state (LpDBusLivepatch *proxy)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) props = lp_cli_get_properties (proxy, &error);
  g_autofree char *state = NULL;
  const char *version = NULL;

  if (props == NULL)
    {
      lp_cli_print_error (error);
      return;
    }
  state = lp_status_describe_patch_state (props);
  g_print ("%s\n", state);
  if (g_variant_lookup (props, "PatchVersion", "&s", &version) && *version != '\0')
    g_print ("patch version: %s\n", version);
}

/* The bar is for people watching a terminal; a log or a pipe gets only the
 * final state. */
static void
run_refresh (RefreshData *data)
{
  gulong handler = 0;
  GSubprocess *agent;

  if (isatty (STDOUT_FILENO))
    handler = g_signal_connect (data->proxy, "g-properties-changed",
                                G_CALLBACK (refresh_properties_changed_cb), data);
  agent = lp_cli_polkit_agent_start ();
  lp_cli_call_async (data->proxy, "Refresh", NULL, LP_CLI_TIMEOUT_LONG, refresh_done_cb, data);
  g_main_loop_run (data->loop);
  lp_cli_polkit_agent_stop (agent);
  g_clear_signal_handler (&handler, data->proxy);
  if (data->bar_shown)
    g_print ("\r\033[K");
}

int
lp_cli_cmd_refresh (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpDBusLivepatch) proxy = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  RefreshData data = { 0 };

  if (argc != 1)
    return usage_error (_ ("refresh takes no argument"));
  proxy = lp_cli_connect (&error);
  if (proxy == NULL)
    return fail (error);
  loop = g_main_loop_new (NULL, FALSE);
  data.loop = loop;
  data.proxy = proxy;
  run_refresh (&data);
  if (data.reply == NULL)
    {
      int status = fail (data.error);

      g_clear_error (&data.error);
      return status;
    }
  g_variant_unref (data.reply);
  print_patch_state (proxy);
  return LP_CLI_EXIT_OK;
}

/* ---- status ---- */

static int
show_status (LpStatusFormat format, gboolean verbose)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpDBusLivepatch) proxy = lp_cli_connect (&error);
  g_autoptr (GVariant) props = NULL;
  g_autofree char *text = NULL;
  gboolean enabled = FALSE;

  if (proxy == NULL)
    return fail (error);
  props = lp_cli_get_properties (proxy, &error);
  if (props == NULL)
    return fail (error);
  g_variant_lookup (props, "Enabled", "b", &enabled);
  /* The humane view of a machine that is not enabled is the hint itself, as
   * in the reference client; machine-readable formats still report what
   * is known and keep standard output parseable. */
  if (!enabled && format == LP_STATUS_FORMAT_HUMANE)
    {
      g_print ("%s\n", lp_status_not_enabled_hint ());
      return LP_CLI_EXIT_FAILURE;
    }
  text = lp_status_render (props, format, verbose, g_get_real_time () / G_USEC_PER_SEC);
  g_print ("%s", text);
  if (!enabled)
    {
      g_printerr ("%s\n", lp_status_not_enabled_hint ());
      return LP_CLI_EXIT_FAILURE;
    }
  return LP_CLI_EXIT_OK;
}

int
lp_cli_cmd_status (int argc, char **argv)
{
  gboolean verbose = FALSE;
  g_autofree char *format_name = NULL;
  LpStatusFormat format = LP_STATUS_FORMAT_HUMANE;
  const GOptionEntry entries[] = { { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
                                     N_ ("Show every detail, fixes included"), NULL },
                                   { "format", 0, 0, G_OPTION_ARG_STRING, &format_name,
                                     N_ ("Output format: humane (default), json or yaml"),
                                     "FORMAT" },
                                   G_OPTION_ENTRY_NULL };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;

  /* for the "Usage:" line of --help */
  g_set_prgname ("canonical-livepatch status");
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _ ("Show the state of Livepatch on this machine."));
  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 1)
    return usage_error (_ ("status takes no argument besides its options"));
  if (format_name != NULL && !lp_status_format_parse (format_name, &format))
    return usage_error (_ ("--format must be humane, json or yaml"));
  return show_status (format, verbose);
}

/* ---- config ---- */

static char *
read_stdin_value (GInputStream *stream, GError **error)
{
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  guint8 chunk[4096];
  gssize n;

  while ((n = g_input_stream_read (stream, chunk, sizeof chunk, NULL, error)) > 0)
    {
      if (buffer->len + n > LP_CLI_STDIN_MAX)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("the value on standard input is larger than %d bytes"), LP_CLI_STDIN_MAX);
          return NULL;
        }
      g_byte_array_append (buffer, chunk, n);
    }
  if (n < 0)
    {
      g_prefix_error (error, _ ("cannot read standard input: "));
      return NULL;
    }
  /* `echo VALUE |` adds a newline that is no part of the value */
  if (buffer->len > 0 && buffer->data[buffer->len - 1] == '\n')
    buffer->len--;
  if (buffer->len > 0 && buffer->data[buffer->len - 1] == '\r')
    buffer->len--;
  g_byte_array_append (buffer, (const guint8 *) "", 1);
  if (!g_utf8_validate ((const char *) buffer->data, -1, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("the value on standard input is not UTF-8 text"));
      return NULL;
    }
  return (char *) g_byte_array_free (g_steal_pointer (&buffer), FALSE);
}

static gboolean
parse_config_arg (const char *arg, GInputStream *stdin_stream, gboolean *stdin_used,
                  GHashTable *changes, GError **error)
{
  const char *eq = strchr (arg, '=');
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;

  if (eq == NULL || eq == arg)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("'%s' is not of the form KEY=VALUE"), arg);
      return FALSE;
    }
  key = g_strndup (arg, eq - arg);
  if (g_hash_table_contains (changes, key))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("the key '%s' is given more than once"), key);
      return FALSE;
    }
  if (g_str_equal (eq + 1, "@stdin"))
    {
      if (*stdin_used)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("only one key can read its value from standard input"));
          return FALSE;
        }
      *stdin_used = TRUE;
      value = read_stdin_value (stdin_stream, error);
      if (value == NULL)
        return FALSE;
    }
  else
    value = g_strdup (eq + 1);
  g_hash_table_insert (changes, g_steal_pointer (&key), g_steal_pointer (&value));
  return TRUE;
}

GVariant *
lp_cli_parse_config_args (int argc, char **argv, GInputStream *stdin_stream, GError **error)
{
  g_autoptr (GHashTable) changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  gboolean stdin_used = FALSE;

  for (int i = 0; i < argc; i++)
    if (!parse_config_arg (argv[i], stdin_stream, &stdin_used, changes, error))
      return NULL;
  /* keep the command line's order for a readable D-Bus log */
  for (int i = 0; i < argc; i++)
    {
      g_autofree char *key = g_strndup (argv[i], strchr (argv[i], '=') - argv[i]);
      g_variant_builder_add (&builder, "{ss}", key, g_hash_table_lookup (changes, key));
    }
  return g_variant_builder_end (&builder);
}

static void
print_config_entry (const char *key, const char *value)
{
  g_auto (GStrv) lines = NULL;

  if (strchr (value, '\n') == NULL)
    {
      g_print ("%s: %s\n", key, value);
      return;
    }
  /* multi-line values (PEM) as a YAML literal block, indented under the key */
  g_print ("%s: |\n", key);
  lines = g_strsplit (value, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i + 1] != NULL || *lines[i] != '\0')
      g_print ("  %s\n", lines[i]);
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static int
show_config (LpDBusLivepatch *proxy)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) config = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  char *key;
  GVariantIter iter;

  reply = lp_cli_call (proxy, "GetConfig", NULL, -1, &error);
  if (reply == NULL)
    return fail (error);
  config = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, config);
  /* owned copies: an "&s" from g_variant_iter_next dies with its child */
  while (g_variant_iter_next (&iter, "{ss}", &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_keys);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *value = NULL;

      g_variant_lookup (config, keys->pdata[i], "&s", &value);
      print_config_entry (keys->pdata[i], value);
    }
  return LP_CLI_EXIT_OK;
}

int
lp_cli_cmd_config (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpDBusLivepatch) proxy = NULL;
  g_autoptr (GInputStream) stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr (GVariant) changes = NULL;
  g_autoptr (GVariant) reply = NULL;
  GSubprocess *agent;

  if (argc > 1)
    {
      changes = lp_cli_parse_config_args (argc - 1, argv + 1, stdin_stream, &error);
      if (changes == NULL)
        return usage_error (error->message);
      g_variant_ref_sink (changes);
    }
  proxy = lp_cli_connect (&error);
  if (proxy == NULL)
    return fail (error);
  if (changes == NULL)
    return show_config (proxy);
  agent = lp_cli_polkit_agent_start ();
  reply = lp_cli_call (proxy, "SetConfig", g_variant_new_tuple (&changes, 1), LP_CLI_TIMEOUT_LONG,
                       &error);
  lp_cli_polkit_agent_stop (agent);
  if (reply == NULL)
    return fail (error);
  return LP_CLI_EXIT_OK;
}
