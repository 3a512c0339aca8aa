# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The installed systemd unit: systemd-analyze verify is clean and
systemd-analyze security --offline=yes rates it "OK" or better (<= 3.0).

The unit is installed with `meson install --destdir` into a temp root.  For
verify, ExecStart= is pointed at the binary inside that root (verify checks
that the command exists on this machine); nothing else is changed.
"""

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import BUILD_DIR

EXPOSURE_TARGET = 3.0


@pytest.fixture(scope="module")
def installed_root():
    root = tempfile.mkdtemp(prefix="lp-unit-")
    subprocess.run(["meson", "install", "-C", BUILD_DIR, "--no-rebuild", "--quiet", "--destdir",
                    root], check=True, capture_output=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def find(root, name):
    for d, _dirs, files in os.walk(root):
        if name in files:
            return os.path.join(d, name)
    pytest.fail(f"{name} is not installed")


def test_systemd_analyze_verify_is_clean(installed_root):
    unit = find(installed_root, "livepatchd.service")
    daemon = find(installed_root, "livepatchd")
    with open(unit) as f:
        text = f.read()
    exec_start = re.search(r"^ExecStart=(\S+)", text, re.M).group(1)
    assert installed_root + exec_start == daemon, "ExecStart= names the installed daemon"
    check = os.path.join(installed_root, "livepatchd.service")
    with open(check, "w") as f:
        f.write(text.replace("ExecStart=" + exec_start, "ExecStart=" + daemon))
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", check],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_systemd_analyze_security_exposure_is_ok(installed_root):
    unit = find(installed_root, "livepatchd.service")
    done = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager",
                           f"--root={installed_root}", os.path.relpath(unit, installed_root)],
                          capture_output=True, text=True, cwd=installed_root)
    match = re.search(r"Overall exposure level for livepatchd.service: ([0-9.]+) (\S+)",
                      done.stdout)
    assert match, done.stdout + done.stderr
    # tools/reliability-report reads this line.
    print(f"exposure: {match.group(1)} {match.group(2)}")
    assert float(match.group(1)) <= EXPOSURE_TARGET, done.stdout
