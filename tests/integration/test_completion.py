# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bash completion of canonical-livepatch, run in a real bash with
Debian's bash-completion: it offers the commands, options and configuration
keys the client has, and no others (so it cannot fall behind the client)."""
import os
import re
import subprocess

import pytest

SRCDIR = os.environ.get('LP_TOP_SRCDIR')
BUILDDIR = os.environ.get('LP_TOP_BUILDDIR')
BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'
pytestmark = pytest.mark.skipif(SRCDIR is None, reason='needs LP_TOP_SRCDIR (run through meson test)')


def complete(*words, compopt=''):
    """COMPREPLY for the command line `canonical-livepatch WORDS...`, the last
    word being the one under the cursor. compopt only works inside a real
    completion, so here it is recorded instead: @compopt is what it must get."""
    line = ' '.join(('canonical-livepatch',) + words)
    script = (f'. {BASH_COMPLETION}; . "$1"; compopt() {{ echo "$*" >&2; }}; '
              f'COMP_LINE="$2"; COMP_POINT=${{#COMP_LINE}}; '
              f'COMP_WORDS=(canonical-livepatch "${{@:3}}"); COMP_CWORD=$(( $# - 2 )); '
              f'_canonical_livepatch; printf "%s\\n" "${{COMPREPLY[@]}}"')
    done = subprocess.run(['bash', '-c', script, 'bash',
                           os.path.join(SRCDIR, 'data', 'completion', 'canonical-livepatch'), line, *words],
                          capture_output=True, text=True, check=True)
    assert done.stderr == (compopt + '\n' if compopt else '')
    return sorted(w for w in done.stdout.split('\n') if w)


def cli(*args):
    return subprocess.run([os.path.join(BUILDDIR, 'src', 'cli', 'canonical-livepatch'), *args],
                          capture_output=True, text=True, check=True).stdout


def cli_commands():
    text = cli('--help').split('Commands:\n', 1)[1].split('\n\n', 1)[0]
    return sorted({m.group(1) for m in re.finditer(r'^  ([a-z]+)\b', text, re.M)})


def config_keys():
    header = open(os.path.join(SRCDIR, 'src', 'lp-config.h'), encoding='utf-8').read()
    return sorted(re.findall(r'#define LP_CONFIG_\w+ "([a-z-]+)"', header))


def test_bash_completion_is_installed():
    assert os.path.exists(BASH_COMPLETION), 'bash-completion (a build dependency) is not installed'


def test_first_word_offers_every_command_of_the_help():
    assert complete('') == cli_commands()
    assert complete('st') == ['status']


def test_global_options():
    assert complete('--') == ['--help', '--version']


def test_help_completes_command_names():
    assert complete('help', '') == cli_commands()


@pytest.mark.parametrize('command', ['enable', 'disable', 'refresh', 'status', 'config'])
def test_each_command_offers_exactly_its_usage_options(command):
    usage = cli('help', command).splitlines()[0]
    expected = sorted(set(re.findall(r'--[a-z-]+', usage)) | {'--help'})
    assert complete(command, '--') == expected


def test_status_format_values():
    assert complete('status', '--format', '') == ['humane', 'json', 'yaml']


def test_config_key_format_values():
    assert complete('config', 'cutoff-date', '--format', '') == ['json', 'yaml']


def test_config_offers_every_key_with_equals():
    assert complete('config', '', compopt='-o nospace') == [k + '=' for k in config_keys()]
    assert complete('config', 'check', compopt='-o nospace') == ['check-interval=']


def test_config_value_offers_stdin():
    assert complete('config', 'http-proxy=@') == ['@stdin']
