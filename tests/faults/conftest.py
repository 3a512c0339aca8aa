# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the faults suite: the engine suite's fixtures (a livepatchd on
a simulated kernel, mock polkitd, the local patch server, signed patches made
at test time; tests/engine/conftest.py, loaded under another module name)
plus helpers to kill the daemon at a crash point and to inspect what it left.

Crash points (src/lp-crash-point.h) exist only in builds configured with
-Dcrash_points=true, as tools/check does; without them these tests fail and
say so.
"""

import importlib.util
import os
import re

import pytest

_spec = importlib.util.spec_from_file_location(
    "lp_engine_fixtures", os.path.join(os.path.dirname(__file__), "..", "engine", "conftest.py"))
engine = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(engine)
globals().update({k: v for k, v in vars(engine).items() if not k.startswith("__")})

# What a state directory may hold once the daemon is at rest: anything else
# (a temporary file of an atomic write, a partial download, an extraction
# directory) is a leftover.
AT_REST = [
    r"config", r"machine-token", r"state",
    r"patches", r"patches/[0-9a-f]{64}\.ko", r"patches/[0-9a-f]{64}\.manifest",
    r"locks", r"locks/lkp_[A-Za-z0-9_]+",
    r"work",
]


def crash_points_built():
    config_h = os.path.join(engine.it.BUILD_DIR, "config.h")
    with open(config_h) as f:
        return re.search(r"#define LP_CRASH_POINTS 1", f.read()) is not None


@pytest.fixture(autouse=True)
def need_crash_points(request):
    if "crash" in request.node.name and not crash_points_built():
        pytest.fail("this build has no crash points: configure with -Dcrash_points=true")


def leftovers(state_dir):
    """Paths under the state directory that a daemon at rest must not leave."""
    found = []
    for d, dirs, files in os.walk(state_dir):
        for name in dirs + files:
            rel = os.path.relpath(os.path.join(d, name), state_dir)
            if not any(re.fullmatch(p, rel) for p in AT_REST):
                found.append(rel)
    return sorted(found)


def crash_at(lp, point, monkeypatch):
    """Restarts the daemon with LP_CRASH_AT=@point, asks for a Refresh and
    waits for the SIGKILL; then starts it again without the crash point."""
    assert lp.daemon.stop() == 0, lp.daemon.log()
    monkeypatch.setenv("LP_CRASH_AT", point)
    lp.daemon.start()
    monkeypatch.delenv("LP_CRASH_AT")
    call = lp.call_async("Refresh").wait()
    # The reply (an error: the peer vanished) comes once the process is gone;
    # a Refresh that succeeded never reached the crash point.
    if call.error is None:
        lp.daemon.stop()
        pytest.fail(f"the Refresh finished without reaching crash point {point}")
    code = lp.daemon.proc.wait(timeout=engine.DEADLINE)
    assert code == -9, f"exit {code}, expected SIGKILL at {point}\n" + lp.daemon.log()
    assert f"lp-crash-point: {point}:" in lp.daemon.log()
    lp.daemon.stop()
    lp.daemon.start()
