/* lp-cli-commands.c: the sub-commands of canonical-livepatch
 *
 * Copyright 2026 The livepatch authors
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
#include "lp-cli-json.h"
#include "lp-cli-sanitize.h"
#include "lp-cli-commands.h"
#include "lp-machine-facts.h"
#include "lp-status-format.h"
#include "lp-yaml.h"

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

/* Connects and calls a method that takes no time limit; prints errors.
 * Returns the proxy for further calls, NULL on failure. */
static LpDBusLivepatch *
call_simple (const char *method, GVariant *parameters)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpDBusLivepatch) proxy = lp_cli_connect (&error);
  g_autoptr (GVariant) reply = NULL;
  GSubprocess *agent;

  if (proxy == NULL)
    {
      if (parameters != NULL)
        g_variant_unref (g_variant_ref_sink (parameters));
      fail (error);
      return NULL;
    }
  agent = lp_cli_polkit_agent_start ();
  reply = lp_cli_call (proxy, method, parameters, LP_CLI_TIMEOUT_LONG, &error);
  lp_cli_polkit_agent_stop (agent);
  if (reply == NULL)
    {
      fail (error);
      return NULL;
    }
  return g_steal_pointer (&proxy);
}

/* The machine token, for root only: polkit never prompts root, and a user
 * who ran enable without sudo is not asked for a second password just to
 * see a confirmation. NULL when not root or refused. */
static char *
machine_token_for_root (LpDBusLivepatch *proxy)
{
  g_autoptr (GVariant) reply = NULL;
  g_autofree char *token = NULL;

  if (geteuid () != 0)
    return NULL;
  reply = lp_cli_call (proxy, "GetMachineToken", NULL, -1, NULL);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(s)", &token);
  return lp_cli_strip_controls (token, FALSE);
}

/* The reference's confirmation, which Ubuntu Pro shows: with the machine
 * token when it can be read, without it otherwise. */
static void
print_token_message (const char *message, const char *token_intro, const char *token)
{
  if (token != NULL && *token != '\0')
    g_print ("%s %s: %s\n", message, token_intro, token);
  else
    g_print ("%s\n", message);
}

int
lp_cli_cmd_enable (int argc, char **argv)
{
  g_autoptr (LpDBusLivepatch) proxy = NULL;
  g_autofree char *token = NULL;

  if (argc != 2 || *argv[1] == '\0')
    return usage_error (_ ("enable needs exactly one argument, the token"));
  proxy = call_simple ("Enable", g_variant_new ("(s)", argv[1]));
  if (proxy == NULL)
    return LP_CLI_EXIT_FAILURE;
  token = machine_token_for_root (proxy);
  print_token_message ("Successfully enabled device.", "Using machine-token", token);
  return LP_CLI_EXIT_OK;
}

int
lp_cli_cmd_disable (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpDBusLivepatch) proxy = NULL;
  g_autofree char *token = NULL;

  if (argc != 1)
    return usage_error (_ ("disable takes no argument"));
  proxy = lp_cli_connect (&error);
  if (proxy == NULL)
    return fail (error);
  /* read before Disable forgets it */
  token = machine_token_for_root (proxy);
  g_clear_object (&proxy);
  proxy = call_simple ("Disable", NULL);
  if (proxy == NULL)
    return LP_CLI_EXIT_FAILURE;
  print_token_message ("Successfully disabled device.", "Removed machine-token", token);
  return LP_CLI_EXIT_OK;
}

/* ---- refresh ---- */

/* The properties, with every string stripped of control characters. */
static GVariant *
get_clean_properties (LpDBusLivepatch *proxy, GError **error)
{
  g_autoptr (GVariant) props = lp_cli_get_properties (proxy, error);

  return props != NULL ? lp_cli_strip_variant (props) : NULL;
}

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
  g_autoptr (GVariant) props = get_clean_properties (proxy, &error);
  g_autofree char *state = NULL;
  const char *version = NULL;

  if (props == NULL)
    {
      lp_cli_print_error (error);
      return;
    }
  state = lp_status_describe_patch_state (props);
  if (state != NULL)
    g_print ("patch state: %s\n", state);
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

typedef struct
{
  LpStatusFormat format;
  gboolean verbose;
  gboolean summary;
  gboolean show_secrets;
} StatusOptions;

/* LP_TEST_NOW (unix seconds), test-only: "5 minutes ago", uptime and the
 * coverage dates are computed from it so tests compare exact bytes. */
static gint64
status_now (void)
{
  const char *fixed = g_getenv ("LP_TEST_NOW");
  guint64 value;

  if (fixed != NULL && g_ascii_string_to_unsigned (fixed, 10, 1, G_MAXINT64, &value, NULL))
    return (gint64) value;
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* --show-secrets: the one call that hands out the machine token, gated by
 * com.canonical.livepatch.show-secrets. */
static char *
get_machine_token (LpDBusLivepatch *proxy, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  GSubprocess *agent = lp_cli_polkit_agent_start ();
  const char *token;

  reply = lp_cli_call (proxy, "GetMachineToken", NULL, LP_CLI_TIMEOUT_LONG, error);
  lp_cli_polkit_agent_stop (agent);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(&s)", &token);
  return lp_cli_strip_controls (token, FALSE);
}

static char *
render_status (GVariant *props, const StatusOptions *options, const char *token)
{
  g_autoptr (LpMachineFacts) facts = lp_machine_facts_read ();
  LpStatusContext ctx = { facts, status_now (), options->verbose, token };

  if (options->summary && options->format == LP_STATUS_FORMAT_HUMANE)
    return lp_status_render_summary (props, &ctx);
  return lp_status_render (props, options->format, &ctx);
}

static int
show_status (const StatusOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpDBusLivepatch) proxy = lp_cli_connect (&error);
  g_autoptr (GVariant) props = NULL;
  g_autofree char *token = NULL;
  g_autofree char *text = NULL;
  gboolean enabled = FALSE;

  if (proxy == NULL)
    return fail (error);
  props = get_clean_properties (proxy, &error);
  if (props == NULL)
    return fail (error);
  g_variant_lookup (props, "Enabled", "b", &enabled);
  /* As the reference client: nothing on standard output, whatever the
   * format, so a parser never reads a tree of a machine that is not enabled. */
  if (!enabled)
    {
      g_printerr ("%s", lp_status_not_enabled_hint ());
      return LP_CLI_EXIT_FAILURE;
    }
  if (options->show_secrets && (token = get_machine_token (proxy, &error)) == NULL)
    return fail (error);
  text = render_status (props, options, token);
  g_print ("%s", text);
  return LP_CLI_EXIT_OK;
}

int
lp_cli_cmd_status (int argc, char **argv)
{
  StatusOptions options = { LP_STATUS_FORMAT_HUMANE };
  g_autofree char *format_name = NULL;
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options.verbose,
      N_ ("Show every detail, fixes and held-back patches included"), NULL },
    { "summary", 0, 0, G_OPTION_ARG_NONE, &options.summary,
      N_ ("Show only the check, kernel and patch state"), NULL },
    { "show-secrets", 0, 0, G_OPTION_ARG_NONE, &options.show_secrets,
      N_ ("Show the machine token too (needs administrator rights)"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name,
      N_ ("Output format: humane (default), json or yaml"), "FORMAT" },
    G_OPTION_ENTRY_NULL
  };
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
  if (format_name != NULL && !lp_status_format_parse (format_name, &options.format))
    return usage_error (_ ("--format must be humane, json or yaml"));
  return show_status (&options);
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

/* The order of the reference client's `config` and documentation; keys a
 * newer daemon adds follow, sorted. */
static const char *const config_order[] = {
  "http-proxy",         "https-proxy",  "no-proxy",       "remote-server",
  "ca-certs",           "dial-timeout", "check-interval", "log-level",
  "tls-patch-download", "cutoff-date",  "patch-delay",    NULL,
};

/* Keys whose values are numbers or booleans in the reference's output. */
static gboolean
config_value_is_typed (const char *key)
{
  return g_str_equal (key, "check-interval") || g_str_equal (key, "tls-patch-download");
}

static void
append_config_yaml (GString *out, const char *key, const char *value, gboolean listing)
{
  if (strchr (value, '\n') != NULL)
    lp_yaml_append_literal (out, 0, key, value);
  else if (g_str_equal (key, "check-interval") && listing && *value != '\0')
    g_string_append_printf (out, "%s: %s  # minutes\n", key, value);
  else if (config_value_is_typed (key) && *value != '\0')
    lp_yaml_append_raw (out, 0, key, value);
  else
    lp_yaml_append_pair (out, 0, key, value);
}

static char *
config_json (const char *key, const char *value)
{
  g_autofree char *quoted_key = lp_cli_json_quote (key);
  g_autofree char *quoted_value = NULL;

  if (config_value_is_typed (key) && *value != '\0')
    return g_strdup_printf ("{%s: %s}\n", quoted_key, value);
  quoted_value = lp_cli_json_quote (value);
  return g_strdup_printf ("{%s: %s}\n", quoted_key, quoted_value);
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static void
collect_key (gpointer key, gpointer value, gpointer user_data)
{
  g_ptr_array_add (user_data, key);
}

/* GetConfig as a key -> value table, values stripped of controls (PEM keeps
 * its newlines). */
static GHashTable *
get_config (LpDBusLivepatch *proxy, GError **error)
{
  g_autoptr (GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GVariant) reply = lp_cli_call (proxy, "GetConfig", NULL, -1, error);
  g_autoptr (GVariant) config = NULL;
  GVariantIter iter;
  const char *key, *value;

  if (reply == NULL)
    return NULL;
  config = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, config);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    g_hash_table_insert (table, lp_cli_strip_controls (key, FALSE),
                         lp_cli_strip_controls (value, TRUE));
  return g_steal_pointer (&table);
}

static int
show_config (LpDBusLivepatch *proxy)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) config = get_config (proxy, &error);
  g_autoptr (GPtrArray) extra = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  if (config == NULL)
    return fail (error);
  for (guint i = 0; config_order[i] != NULL; i++)
    {
      const char *value = g_hash_table_lookup (config, config_order[i]);

      if (value != NULL)
        append_config_yaml (out, config_order[i], value, TRUE);
    }
  extra = g_ptr_array_new ();
  g_hash_table_foreach (config, collect_key, extra);
  g_ptr_array_sort (extra, compare_keys);
  for (guint i = 0; i < extra->len; i++)
    if (!g_strv_contains (config_order, extra->pdata[i]))
      append_config_yaml (out, extra->pdata[i], g_hash_table_lookup (config, extra->pdata[i]),
                          TRUE);
  g_print ("%s", out->str);
  return LP_CLI_EXIT_OK;
}

/* config KEY [--format yaml|json] */
static int
show_config_key (LpDBusLivepatch *proxy, const char *key, LpStatusFormat format)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) config = get_config (proxy, &error);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *json = NULL;
  const char *value;

  if (config == NULL)
    return fail (error);
  value = g_hash_table_lookup (config, key);
  if (value == NULL)
    {
      g_autofree char *clean = lp_cli_strip_controls (key, FALSE);

      g_printerr (_ ("canonical-livepatch: unknown configuration key '%s'\n"), clean);
      return LP_CLI_EXIT_FAILURE;
    }
  if (format == LP_STATUS_FORMAT_JSON)
    {
      json = config_json (key, value);
      g_print ("%s", json);
      return LP_CLI_EXIT_OK;
    }
  append_config_yaml (out, key, value, FALSE);
  g_print ("%s", out->str);
  return LP_CLI_EXIT_OK;
}

/* The arguments of `config KEY [--format yaml|json]`; FALSE (with a usage
 * message) when they are not of that form. */
static gboolean
parse_config_get (int argc, char **argv, const char **out_key, LpStatusFormat *out_format,
                  GError **error)
{
  const char *format_name = "yaml";

  *out_key = NULL;
  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--format") && i + 1 < argc)
        format_name = argv[++i];
      else if (g_str_has_prefix (argv[i], "--format="))
        format_name = argv[i] + strlen ("--format=");
      else if (*out_key == NULL && argv[i][0] != '-')
        *out_key = argv[i];
      else
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _ ("use 'config KEY [--format yaml|json]' to show one key"));
          return FALSE;
        }
    }
  if (*out_key == NULL ||
      (!g_str_equal (format_name, "yaml") && !g_str_equal (format_name, "json")))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _ ("use 'config KEY [--format yaml|json]' to show one key"));
      return FALSE;
    }
  *out_format = g_str_equal (format_name, "json") ? LP_STATUS_FORMAT_JSON : LP_STATUS_FORMAT_YAML;
  return TRUE;
}

static gboolean
has_assignment (int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    if (strchr (argv[i], '=') != NULL && !g_str_has_prefix (argv[i], "--format="))
      return TRUE;
  return FALSE;
}

static int
run_config_get (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpDBusLivepatch) proxy = NULL;
  LpStatusFormat format;
  const char *key;

  if (!parse_config_get (argc, argv, &key, &format, &error))
    return usage_error (error->message);
  proxy = lp_cli_connect (&error);
  if (proxy == NULL)
    return fail (error);
  return show_config_key (proxy, key, format);
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

  if (argc > 1 && !has_assignment (argc - 1, argv + 1))
    return run_config_get (argc - 1, argv + 1);
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
