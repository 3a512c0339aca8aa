# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest plugin of every Python suite (loaded through PYTEST_ADDOPTS, set in
tests/meson.build): the `needs_root` marker.

A test marked `@pytest.mark.needs_root` needs what only root has: switching
to another user, the system bus's activation helper, a bus policy that lets
only root own names, or a client run as root (which starts no polkit agent).
A plain build (-Droot_tests=false, a packager's) deselects them with
`-m "not needs_root"`, and pytest's summary line counts them as deselected;
with -Droot_tests=true (tools/check) they run, and one that finds itself
without root fails: it never skips."""
import os

import pytest


def pytest_configure(config):
    config.addinivalue_line('markers', 'needs_root: runs only with -Droot_tests=true, as root')


def pytest_runtest_setup(item):
    if item.get_closest_marker('needs_root') is not None and os.geteuid() != 0:
        pytest.fail('this test needs root (configured with -Droot_tests=true)')
