# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Translations: every C file that marks strings is in po/POTFILES.in, the
`livepatch-pot` target extracts the daemon's messages with the client's, and
the French catalogue translates the daemon's refusal (as livepatchd, under a
French locale, says it)."""
import os
import re
import shutil
import subprocess

import pytest

SRCDIR = os.environ.get('LP_TOP_SRCDIR')
BUILDDIR = os.environ.get('LP_TOP_BUILDDIR')
pytestmark = pytest.mark.skipif(SRCDIR is None, reason='needs LP_TOP_SRCDIR (run through meson test)')
MARK = re.compile(r'\bN?_ \(|\bN?_\(')


def potfiles():
    with open(os.path.join(SRCDIR, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        return [l.strip() for l in f if l.strip() and not l.startswith('#')]


def test_every_file_with_marked_strings_is_in_potfiles():
    marked = []
    for top in ('src',):
        for d, _dirs, files in os.walk(os.path.join(SRCDIR, top)):
            for name in files:
                if name.endswith('.c'):
                    path = os.path.join(d, name)
                    if MARK.search(open(path, encoding='utf-8').read()):
                        marked.append(os.path.relpath(path, SRCDIR))
    for daemon_or_tool in ('src/lp-main.c', 'src/lp-authority.c', 'src/tools/livepatch-verify.c'):
        assert daemon_or_tool in marked
    assert sorted(set(marked) - set(potfiles())) == []


def test_potfiles_exist():
    for path in potfiles():
        assert os.path.exists(os.path.join(SRCDIR, path)), path


def test_pot_target_extracts_daemon_and_client_messages(tmp_path):
    """`meson compile livepatch-pot` writes po/livepatch.pot into the source
    tree, so it runs on a copy of the tree's po/, polkit/ and src/."""
    src = tmp_path / 'src'
    shutil.copytree(SRCDIR, src, ignore=shutil.ignore_patterns('build*', '.git', 'fuzz'))
    (src / 'po' / 'livepatch.pot').unlink(missing_ok=True)
    subprocess.run(['meson', 'setup', str(tmp_path / 'build'), str(src), '-Dtests=false'],
                   check=True, capture_output=True)
    subprocess.run(['meson', 'compile', '-C', str(tmp_path / 'build'), 'livepatch-pot'],
                   check=True, capture_output=True)
    pot = (src / 'po' / 'livepatch.pot').read_text(encoding='utf-8')
    for msgid in ('not authorized to %s: %s%s%s', 'polkit is not available',
                  'reloading configuration', 'Enable Livepatch on this machine',
                  'give exactly one FILE',
                  'the download was cancelled; nothing was applied',
                  'this machine is not enabled; enable Livepatch with a token first'):
        assert f'msgid "{msgid}"' in pot, msgid
    assert '#: src/cli/lp-cli-main.c' in pot


def test_french_catalogue_translates_the_daemon_refusal():
    mo = os.path.join(BUILDDIR, 'po', 'fr', 'LC_MESSAGES', 'livepatch.mo')
    catalog = subprocess.run(['msgunfmt', mo], capture_output=True, text=True, check=True).stdout
    assert 'msgstr "non autorisé à %s : %s%s%s"' in catalog
    assert 'msgstr "polkit n’est pas disponible"' in catalog
    assert 'msgstr "donner exactement un FILE"' in catalog  # livepatch-verify
    assert 'msgstr "la vérification a été annulée"' in catalog
