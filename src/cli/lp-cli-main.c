/* lp-cli-main.c: canonical-livepatch, the command-line client of livepatchd
 *
 * Only finds the command and hands over; the commands live in
 * lp-cli-commands.c and talk to the daemon through the generated proxy.
 *
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
} LpCliCommand;

static const LpCliCommand commands[] = {
  { "enable", lp_cli_cmd_enable },   { "disable", lp_cli_cmd_disable },
  { "refresh", lp_cli_cmd_refresh }, { "status", lp_cli_cmd_status },
  { "config", lp_cli_cmd_config },
};

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
              "  status [--verbose] [--format humane|json|yaml]\n"
              "                     show the state of Livepatch on this machine\n"
              "  config [KEY=VALUE | KEY= | KEY=@stdin]...\n"
              "                     show the configuration, or change it (KEY= resets a key,\n"
              "                     KEY=@stdin reads the value from standard input)\n"
              "  help               show this help\n"
              "\n"
              "Options:\n"
              "  -h, --help         show this help\n"
              "  --version          show the version of this client\n"
              "\n"
              "See canonical-livepatch(1).\n"));
}

static int
run_command (int argc, char **argv)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[0], commands[i].name))
      return commands[i].run (argc, argv);
  g_printerr (_ ("canonical-livepatch: unknown command '%s'\n"), argv[0]);
  g_printerr (_ ("Run 'canonical-livepatch --help' for usage.\n"));
  return LP_CLI_EXIT_USAGE;
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
  if (g_str_equal (first, "--help") || g_str_equal (first, "-h") || g_str_equal (first, "help"))
    {
      print_help ();
      return LP_CLI_EXIT_OK;
    }
  if (g_str_equal (first, "--version") || g_str_equal (first, "version"))
    {
      g_print ("canonical-livepatch %s\n", PACKAGE_VERSION);
      return LP_CLI_EXIT_OK;
    }
  return run_command (argc - 1, argv + 1);
}
