/* lp-cli-main.c: canonical-livepatch, the command-line client of livepatchd
 *
 * Only finds the command and hands over; the commands live in
 * lp-cli-commands.c and talk to the daemon through the generated proxy.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "lp-cli-commands.h"

typedef struct
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *usage;   /* arguments, after the command name */
  const char *summary; /* translated when shown */
  gboolean own_help;   /* parses its options with GOption, --help included */
} LpCliCommand;

static const LpCliCommand commands[] = {
  { "enable", lp_cli_cmd_enable, "TOKEN",
    N_ ("Register this machine with the Livepatch server, using the token of the account "
        "or contract.") },
  { "disable", lp_cli_cmd_disable, "",
    N_ ("Deregister this machine. Applied patches stay loaded until the next reboot.") },
  { "refresh", lp_cli_cmd_refresh, "", N_ ("Check for a new patch now and apply it.") },
  { "status", lp_cli_cmd_status,
    "[--verbose] [--summary] [--show-secrets] [--format humane|json|yaml]",
    N_ ("Show the state of Livepatch on this machine."), TRUE },
  { "config", lp_cli_cmd_config, "[KEY=VALUE | KEY= | KEY=@stdin]... | KEY [--format yaml|json]",
    N_ ("Show the configuration or one key of it, or change it: KEY= resets a key to its "
        "default, KEY=@stdin reads the value from standard input.") },
};

static const LpCliCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      return &commands[i];
  return NULL;
}

static gboolean
is_help_flag (const char *arg)
{
  return g_str_equal (arg, "--help") || g_str_equal (arg, "-h");
}

/* "help COMMAND" and "COMMAND --help": never sent to the daemon (an
 * "enable --help" must not register with the token "--help"). */
static int
print_command_help (const LpCliCommand *command)
{
  g_print (_ ("Usage: canonical-livepatch %s%s%s\n\n%s\n\nSee canonical-livepatch(1).\n"),
           command->name, *command->usage != '\0' ? " " : "", command->usage, _ (command->summary));
  return LP_CLI_EXIT_OK;
}

static void
print_help (void)
{
  g_print (_ ("Usage: canonical-livepatch COMMAND [ARGUMENTS...]\n"
              "\n"
              "Keeps the running kernel patched against high and critical vulnerabilities\n"
              "without a reboot, through the livepatchd service.\n"
              "\n"
              "Commands:\n"
              "  enable TOKEN       register this machine with the Livepatch server\n"
              "  disable            deregister this machine (applied patches stay until reboot)\n"
              "  refresh            check for a new patch now and apply it\n"
              "  status [--verbose] [--summary] [--show-secrets] [--format humane|json|yaml]\n"
              "                     show the state of Livepatch on this machine\n"
              "  config [KEY=VALUE | KEY= | KEY=@stdin]...\n"
              "                     show the configuration, or change it (KEY= resets a key,\n"
              "                     KEY=@stdin reads the value from standard input)\n"
              "  config KEY [--format yaml|json]\n"
              "                     show one configuration key\n"
              "  help [COMMAND]     show this help, or the help of one command\n"
              "\n"
              "Options:\n"
              "  -h, --help         show this help\n"
              "  --version          show the version of this client\n"
              "\n"
              "See canonical-livepatch(1).\n"));
}

static int
unknown_command (const char *name)
{
  g_printerr (_ ("canonical-livepatch: unknown command '%s'\n"), name);
  g_printerr (_ ("Run 'canonical-livepatch --help' for usage.\n"));
  return LP_CLI_EXIT_USAGE;
}

static int
run_command (int argc, char **argv)
{
  const LpCliCommand *command = find_command (argv[0]);

  if (command == NULL)
    return unknown_command (argv[0]);
  if (argc == 2 && is_help_flag (argv[1]) && !command->own_help)
    return print_command_help (command);
  return command->run (argc, argv);
}

static int
run_help (int argc, char **argv)
{
  const LpCliCommand *command;

  if (argc < 2)
    {
      print_help ();
      return LP_CLI_EXIT_OK;
    }
  command = find_command (argv[1]);
  return command != NULL ? print_command_help (command) : unknown_command (argv[1]);
}

int
main (int argc, char **argv)
{
  const char *first;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_help ();
      return LP_CLI_EXIT_USAGE;
    }
  first = argv[1];
  if (is_help_flag (first))
    {
      print_help ();
      return LP_CLI_EXIT_OK;
    }
  if (g_str_equal (first, "help"))
    return run_help (argc - 1, argv + 1);
  if (g_str_equal (first, "--version") || g_str_equal (first, "version"))
    {
      g_print ("canonical-livepatch %s\n", PACKAGE_VERSION);
      return LP_CLI_EXIT_OK;
    }
  return run_command (argc - 1, argv + 1);
}
