/* lp-cli-commands.h: the sub-commands of canonical-livepatch
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Exit codes: success, a failure (daemon error, not enabled), a usage error. */
#define LP_CLI_EXIT_OK 0
#define LP_CLI_EXIT_FAILURE 1
#define LP_CLI_EXIT_USAGE 2

/* Each takes the arguments after the command name (argv[0] is the command)
 * and returns the process exit code. */
int lp_cli_cmd_enable (int argc, char **argv);
int lp_cli_cmd_disable (int argc, char **argv);
int lp_cli_cmd_refresh (int argc, char **argv);
int lp_cli_cmd_status (int argc, char **argv);
int lp_cli_cmd_config (int argc, char **argv);

/* Parses KEY=VALUE, KEY= and KEY=@stdin arguments into an a{ss} (floating);
 * the value of KEY=@stdin is read from @stdin_stream, which only one
 * argument may use. Fails with G_OPTION_ERROR_BAD_VALUE on malformed input. */
GVariant *lp_cli_parse_config_args (int argc, char **argv, GInputStream *stdin_stream,
                                    GError **error);

G_END_DECLS
