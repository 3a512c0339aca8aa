# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""`canonical-livepatch status` in each state of the cycle, in the three
formats, against the real daemon (fixtures in conftest.py)."""

import json

import pytest

from conftest import RELEASE


def reach(lp, state):
    """Drives the daemon into @state; returns (CheckState, PatchState)."""
    if state == "not-enabled":
        return None
    lp.enable()
    if state == "needs-check":
        return ("needs-check", "unapplied")
    if state == "nothing-to-apply":
        lp.refresh()
        return ("checked", "nothing-to-apply")
    if state == "check-failed":
        lp.server.stop()
        lp.refresh_error()
        return ("check-failed", "unapplied")
    lp.apply("57.3")
    if state == "applied":
        return ("checked", "applied")
    lp.server.publish([("57.4", lp.kit.make("57.4", key="untrusted"))])
    lp.refresh_error()
    return ("checked", "apply-failed")


HUMANE = {
    "needs-check": "server check-in: not yet",
    "nothing-to-apply": "✓ no live kernel patches available for kernel",
    "check-failed": "server check-in: failed: ",
    "applied": "✓ all applicable live kernel patch modules applied",
    "apply-failed": "patch state: ✗ ",
}

STATES = ["not-enabled", "needs-check", "nothing-to-apply", "check-failed", "applied",
          "apply-failed"]


@pytest.mark.parametrize("state", STATES)
def test_status_formats(lp, state):
    expected = reach(lp, state)
    humane = lp.cli("status", "--verbose")
    as_json = lp.cli("status", "--format", "json")
    as_yaml = lp.cli("status", "--format", "yaml")
    if expected is None:
        for result in (humane, as_json, as_yaml):
            assert (result.returncode, result.stdout) == (1, "")
            assert "sudo canonical-livepatch enable" in result.stderr
        return
    check_state, patch_state = expected
    for result in (humane, as_json, as_yaml):
        assert result.returncode == 0, result.stderr
    assert HUMANE[state] in humane.stdout
    assert f"kernel: {RELEASE}" in humane.stdout
    status = json.loads(as_json.stdout)["Status"][0]
    assert status["Kernel"] == RELEASE
    assert status["Livepatch"]["CheckState"] == check_state
    assert status["Livepatch"]["State"] == patch_state
    assert f"    checkState: {check_state}\n" in as_yaml.stdout
    assert f"    patchState: {patch_state}\n" in as_yaml.stdout
    if patch_state in ("applied", "apply-failed"):
        # A failed upgrade still shows the patch that is in the kernel.
        assert status["Livepatch"]["Version"] == "57.3"
        assert "57.3" in humane.stdout and "CVE-2026-573" in humane.stdout
        assert status["Livepatch"]["Fixes"][0]["Name"] == "CVE-2026-573"


@pytest.mark.parametrize("supported, wording", [
    ("supported", "is covered by Livepatch"),
    ("kernel-upgrade-required", "please upgrade the kernel"),
    ("kernel-end-of-life", "no longer covered"),
    ("unsupported", "not covered by Livepatch"),
])
def test_kernel_support_from_server(lp, supported, wording):
    lp.enable()
    lp.server.publish([], supported=supported)
    lp.refresh()
    assert lp.prop("Supported") == supported
    humane = lp.cli("status")
    assert humane.returncode == 0, humane.stderr
    assert wording in humane.stdout
    status = json.loads(lp.cli("status", "--format", "json").stdout)["Status"][0]
    assert status["Supported"] == supported
    assert f"  supported: {supported}\n" in lp.cli("status", "--format", "yaml").stdout
