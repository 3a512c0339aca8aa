# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The state directory on a full file system (a tiny tmpfs made by the test):
the check fails with a clear error, nothing already stored is lost, and the
service recovers once space returns."""

import errno
import os
import subprocess

import pytest
from gi.repository import GLib

from conftest import error_name, leftovers, module_name

TMPFS_SIZE = "1m"


def fill(path):
    """Writes into @path until the file system is full."""
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    # Small metadata may still fit in the last partial block: use that too.
    n = 0
    while True:
        try:
            with open(f"{path}.{n}", "wb", buffering=0) as f:
                f.write(b"\0" * 64)
        except OSError:
            break
        n += 1


@pytest.fixture
def lp_on_tmpfs(lp_stopped):
    lp = lp_stopped
    state = lp.daemon.state_dir
    with open(lp.daemon.config_path) as f:
        config = f.read()
    os.makedirs(state, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0700",
                           "livepatch-test", state], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail("cannot mount a tmpfs for the state directory: " + done.stderr.strip())
    try:
        with open(lp.daemon.config_path, "w") as f:
            f.write(config)
        lp.daemon.start()
        yield lp
    finally:
        lp.daemon.stop()
        subprocess.run(["umount", "-l", state], check=False)


def snapshot(state_dir):
    files = {}
    for d, _dirs, names in os.walk(state_dir):
        for name in names:
            path = os.path.join(d, name)
            if not name.startswith("filler"):
                with open(path, "rb") as f:
                    files[os.path.relpath(path, state_dir)] = f.read()
    return files


def test_full_state_fs_fails_clearly_loses_nothing_and_recovers(lp_on_tmpfs):
    lp = lp_on_tmpfs
    lp.enable()
    lp.apply("57.3")
    before = snapshot(lp.daemon.state_dir)
    filler = os.path.join(lp.daemon.state_dir, "filler")
    fill(filler)

    lp.server.publish([("57.3", lp.kit.make("57.3")), ("57.4", lp.kit.make("57.4"))])
    with pytest.raises(GLib.Error) as info:
        lp.refresh()
    message = info.value.message
    assert "No space left on device" in message, message
    assert error_name(info.value) in ("Internal", "Network"), message
    assert lp.prop("LastError") != ""
    # Nothing already stored is lost or changed; the old patch still runs.
    after = snapshot(lp.daemon.state_dir)
    for name in ("machine-token", "config"):
        assert after[name] == before[name], name
    assert {k for k in after if k.startswith("patches/")} == \
        {k for k in before if k.startswith("patches/")}
    assert lp.prop("PatchVersion") == "57.3" and lp.loaded() == [module_name("57.3")]
    assert lp.prop("Enabled") is True

    for name in os.listdir(lp.daemon.state_dir):
        if name.startswith("filler"):
            os.unlink(os.path.join(lp.daemon.state_dir, name))
    lp.refresh()
    assert lp.prop("PatchVersion") == "57.4" and lp.loaded() == [module_name("57.4")]
    assert leftovers(lp.daemon.state_dir) == []
    # And a restart reads back what was written once space returned.
    lp.daemon.stop()
    lp.daemon.start()
    assert lp.prop("PatchVersion") == "57.4" and lp.prop("Enabled") is True
