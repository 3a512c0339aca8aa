# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""livepatchd killed with SIGKILL at each step of an apply, then restarted:
state consistent, no patch loaded twice, the crash-loop lock respected, no
temporary files left."""

import os

import pytest
from gi.repository import GLib

from conftest import crash_at, error_name, leftovers, module_name

# Steps before the module is inserted: after a restart nothing is applied,
# and the next Refresh applies the patch normally. The tarball is unpacked
# in livepatch-fetch: the daemon receives the module (after-download),
# verifies it, then stores it with its manifest (after-store).
BEFORE_INSERT = ["after-download", "after-verify", "after-store"]


def assert_consistent(lp, version):
    """What the daemon says matches what the kernel runs and the store holds."""
    applied = lp.prop("PatchVersion")
    loaded = lp.loaded()
    assert len(loaded) == len(set(loaded)) and len(loaded) <= 1, loaded
    if applied:
        assert applied == version and lp.prop("PatchState") == "applied"
        assert loaded == [module_name(version)]
    assert leftovers(lp.daemon.state_dir) == []


@pytest.mark.parametrize("point", BEFORE_INSERT)
def test_crash_before_insert_then_applies_once(enabled, monkeypatch, point):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    crash_at(lp, point, monkeypatch)
    assert lp.prop("PatchVersion") == ""
    assert lp.loaded() == []
    assert_consistent(lp, "57.3")
    lp.refresh()
    assert lp.prop("PatchState") == "applied" and lp.prop("PatchVersion") == "57.3"
    assert lp.loaded() == [module_name("57.3")]
    assert_consistent(lp, "57.3")


def test_crash_after_lock_blocks_that_patch(enabled, monkeypatch):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    crash_at(lp, "after-lock", monkeypatch)
    lock = lp.lock_path(module_name("57.3"))
    assert os.path.exists(lock)
    assert lp.loaded() == []
    # The reference client's rule: a lock found at start-up blocks that patch.
    assert lp.refresh_error() == "Blocked"
    assert lp.loaded() == [] and os.path.exists(lock)
    assert lp.prop("PatchVersion") == ""
    assert_consistent(lp, "57.3")
    # The operator removes the lock once the cause is understood.
    os.unlink(lock)
    lp.refresh()
    assert lp.prop("PatchVersion") == "57.3" and lp.loaded() == [module_name("57.3")]


def test_crash_after_load_before_state_saved_loads_once(enabled, monkeypatch):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    crash_at(lp, "after-load", monkeypatch)
    assert lp.loaded() == [module_name("57.3")]
    assert_consistent(lp, "57.3")
    try:
        lp.refresh()
    except GLib.Error as exc:
        pytest.fail(f"Refresh after the crash failed: {error_name(exc)}: {exc.message}")
    assert lp.loaded() == [module_name("57.3")]
    assert lp.prop("PatchVersion") == "57.3" and lp.prop("PatchState") == "applied"
    assert_consistent(lp, "57.3")


@pytest.mark.parametrize("nth", [1, 2, 3, 4, 5])
def test_crash_during_each_state_write_of_a_cycle(enabled, monkeypatch, nth):
    """Every atomic write of a Refresh that applies a patch (the check record,
    the stored manifest and module, the lock, the applied state), one at a
    time."""
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    crash_at(lp, f"during-state-write#{nth}", monkeypatch)
    assert lp.prop("Enabled") is True  # the token and registration survived
    assert_consistent(lp, "57.3")
    if lp.loaded() and not lp.prop("PatchVersion"):
        pytest.fail("the kernel runs the patch but the daemon does not know it")
    lp.refresh()
    assert lp.prop("PatchVersion") == "57.3" and lp.loaded() == [module_name("57.3")]
    assert_consistent(lp, "57.3")


def test_crash_during_enable_token_write(lp, monkeypatch):
    assert lp.daemon.stop() == 0
    monkeypatch.setenv("LP_CRASH_AT", "during-state-write")
    lp.daemon.start()
    monkeypatch.delenv("LP_CRASH_AT")
    call = lp.call_async("Enable", ("test-token",), "(s)").wait()
    assert call.error is not None, "Enable finished without writing anything"
    assert lp.daemon.proc.wait(timeout=60) == -9
    lp.daemon.stop()
    lp.daemon.start()
    # Either enabled or not, never half: no temporary token file either.
    assert leftovers(lp.daemon.state_dir) == []
    token = os.path.join(lp.daemon.state_dir, "machine-token")
    assert lp.prop("Enabled") == os.path.exists(token)
