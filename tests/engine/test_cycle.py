# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The patch cycle end to end over D-Bus: livepatchd with a simulated kernel,
the local patch server and mock polkitd (fixtures in conftest.py)."""

import os
import signal
import stat
import tarfile
import time

import pytest
from gi.repository import GLib

from conftest import (ARCH, RELEASE, Recorder, error_name, module_name, process_gone,
                      spin_until)


def assert_still_applied(lp, version):
    """The previous patch is still the applied, loaded one."""
    assert lp.prop("PatchVersion") == version
    assert lp.loaded() == [module_name(version)]
    assert len(lp.patch_files()) == 1


# --- enable ---

def test_enable_stores_token_privately(lp):
    assert lp.prop("Enabled") is False
    lp.enable()
    assert lp.prop("Enabled") is True
    assert lp.prop("Tier") != ""
    assert lp.prop("CheckState") == "needs-check"
    token = os.path.join(lp.daemon.state_dir, "machine-token")
    assert stat.S_IMODE(os.stat(token).st_mode) == 0o600
    assert len(lp.server.requests("/v1/client/test-token")) == 1


def test_enable_twice_refused(enabled):
    with pytest.raises(GLib.Error) as info:
        enabled.enable("other-token")
    assert error_name(info.value) == "AlreadyEnabled"
    assert enabled.prop("Enabled") is True


def test_enable_unknown_token_changes_nothing(lp):
    lp.server.misbehave(mode="unknown-token", on="register")
    with pytest.raises(GLib.Error) as info:
        lp.enable()
    assert error_name(info.value) == "UnknownToken"
    assert lp.prop("Enabled") is False
    assert not os.path.exists(os.path.join(lp.daemon.state_dir, "machine-token"))


def test_refresh_not_enabled(lp):
    assert lp.refresh_error() == "NotEnabled"
    assert lp.server.requests("/updates") == []


# --- the cycle ---

def test_full_cycle(enabled):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3", fixes=["CVE-2026-1234:a bad bug:LP#1:true"]))])
    lp.refresh()
    assert lp.prop("CheckState") == "checked"
    assert lp.prop("PatchState") == "applied"
    assert lp.prop("PatchVersion") == "57.3"
    assert lp.prop("Fixes") == [("CVE-2026-1234", "a bad bug", True, "LP#1")]
    assert lp.prop("Supported") == "supported"
    assert lp.prop("LastCheck") > 0
    assert lp.prop("LastError") == ""
    assert lp.prop("Progress") == 0  # 0 outside downloading and applying
    assert lp.loaded() == [module_name("57.3")]
    assert len(lp.patch_files()) == 1
    assert os.listdir(os.path.join(lp.daemon.state_dir, "locks")) == []
    body = lp.server.requests("/updates")[-1]["body"]
    assert RELEASE in body and "amd64" in body


def test_upgrade_replaces_and_unloads(enabled):
    lp = enabled
    lp.apply("57.3")
    old_files = lp.patch_files()
    lp.server.publish([("57.3", lp.kit.make("57.3")), ("57.4", lp.kit.make("57.4"))])
    lp.refresh()
    assert lp.prop("PatchState") == "applied"
    assert lp.prop("PatchVersion") == "57.4"
    assert lp.loaded() == [module_name("57.4")]
    assert len(lp.patch_files()) == 1 and lp.patch_files() != old_files


def test_nothing_to_apply(enabled):
    enabled.refresh()
    assert enabled.prop("CheckState") == "checked"
    assert enabled.prop("PatchState") == "nothing-to-apply"
    assert enabled.prop("PatchVersion") == ""
    assert enabled.loaded() == []


def test_current_patch_stays_applied(enabled):
    lp = enabled
    lp.apply("57.3")
    lp.refresh()
    assert lp.prop("PatchState") == "applied"
    assert len(lp.server.requests("/v1/patches/")) == 1


@pytest.mark.parametrize("kernel, arch", [("6.1.0-58-amd64", "amd64"), (RELEASE, "arm64")],
                         ids=["kernel", "architecture"])
def test_mismatch_refused(enabled, kernel, arch):
    lp = enabled
    # The server lists it for this kernel, but patch.json says otherwise.
    lp.server.publish([("57.3", lp.kit.make("57.3", kernel=kernel, arch=arch))])
    assert lp.refresh_error() == "KernelMismatch"
    assert lp.prop("PatchState") == "apply-failed"
    assert "57.3" not in lp.prop("PatchVersion")
    assert lp.prop("LastError") != ""
    assert lp.loaded() == [] and lp.patch_files() == []


def test_rollback_refused(enabled):
    lp = enabled
    lp.apply("57.4")
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    assert lp.refresh_error() == "Rollback"
    assert lp.prop("PatchState") == "apply-failed"
    assert "57.3" in lp.prop("LastError")
    assert_still_applied(lp, "57.4")


def test_replacement_may_be_older(enabled):
    lp = enabled
    lp.apply("57.4")
    # The server withdraws 57.4 and marks 57.3 as its replacement.
    lp.server.publish([("57.4", lp.kit.make("57.4")),
                       ("57.3", lp.kit.make("57.3"), RELEASE, ARCH, {"replacement": True})])
    lp.refresh()
    assert lp.prop("PatchState") == "applied"
    assert_still_applied(lp, "57.3")  # 57.4 unloaded, one stored patch


@pytest.mark.parametrize("fault, expected", [
    ("signature", "InvalidSignature"),
    ("unsigned", "InvalidSignature"),
    ("tampered", "InvalidSignature"),
    ("checksum", "ChecksumMismatch"),
    ("archive", "InvalidArchive"),
])
def test_bad_patch_keeps_previous(enabled, fault, expected):
    lp = enabled
    lp.apply("57.3")
    good = lp.kit.make("57.3")
    if fault == "signature":
        bad = lp.kit.make("57.4", key="untrusted")
    elif fault == "unsigned":
        bad = lp.kit.make("57.4", unsigned=True)
    elif fault == "tampered":
        bad = lp.kit.make("57.4", tamper=True)  # the server's digest is right
    elif fault == "archive":
        bad = lp.kit.junk()
    else:
        bad = lp.kit.make("57.4")
        lp.server.misbehave(mode="wrong-checksum")
    lp.server.publish([("57.3", good), ("57.4", bad)])
    assert lp.refresh_error() == expected
    assert lp.prop("PatchState") == "apply-failed"
    assert lp.prop("LastError") != ""
    assert lp.prop("CheckState") == "checked"
    assert_still_applied(lp, "57.3")


def test_load_failure_keeps_previous(enabled):
    lp = enabled
    lp.apply("57.3")
    with open(os.path.join(lp.daemon.sim_dir, "fail-load"), "w") as f:
        f.write("Operation not permitted\n")
    lp.server.publish([("57.4", lp.kit.make("57.4"))])
    assert lp.refresh_error() == "LoadFailed"
    assert "Operation not permitted" in lp.prop("LastError")
    assert_still_applied(lp, "57.3")
    assert os.listdir(os.path.join(lp.daemon.state_dir, "locks")) == []


def test_server_down_schedules_retry(enabled):
    lp = enabled
    lp.server.stop()
    assert lp.refresh_error() == "Network"
    assert lp.prop("CheckState") == "check-failed"
    assert lp.prop("LastError") != ""
    # check-interval is 0 here: only the retry can have set NextCheck.
    assert lp.prop("NextCheck") > 0
    assert "next attempt in" in lp.daemon.log()
    assert lp.prop("PatchState") == "unapplied"


def test_disable_cancels_slow_download(enabled):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.server.misbehave(mode="stall", on="download")
    refresh = lp.call_async("Refresh")
    spin_until(lambda: lp.prop("PatchState") == "downloading" and
               len(lp.server.requests("/v1/patches/")) == 1, "download started")
    lp.call("Disable")
    refresh.wait()
    assert error_name(refresh.error) == "Cancelled"
    assert lp.prop("Enabled") is False
    assert lp.prop("PatchState") == "unapplied"
    assert lp.patch_files() == []
    assert os.listdir(os.path.join(lp.daemon.state_dir, "work")) == []
    assert lp.loaded() == []
    assert not os.path.exists(os.path.join(lp.daemon.state_dir, "machine-token"))


def test_disable_keeps_patch_loaded(enabled):
    lp = enabled
    lp.apply("57.3")
    lp.call("Disable")
    assert lp.prop("Enabled") is False
    assert lp.prop("PatchState") == "applied"
    assert lp.loaded() == [module_name("57.3")]
    assert [r for r in lp.server.requests() if r["method"] == "DELETE"]


def test_disable_with_server_down_still_forgets(enabled):
    lp = enabled
    lp.server.stop()
    lp.call("Disable")
    assert lp.prop("Enabled") is False
    assert not os.path.exists(os.path.join(lp.daemon.state_dir, "machine-token"))
    with pytest.raises(GLib.Error) as info:
        lp.call("Disable")
    assert error_name(info.value) == "NotEnabled"


def test_concurrent_refresh_runs_one_check(enabled):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.server.control({"clear-log": True})
    lp.server.misbehave(mode="slow", on="updates", delay=3, times=1)
    first = lp.call_async("Refresh")
    spin_until(lambda: lp.prop("CheckState") == "checking", "first check running")
    second = lp.call_async("Refresh")
    first.wait()
    second.wait()
    assert first.error is None and second.error is None
    assert len(lp.server.requests("/updates")) == 1
    assert lp.prop("PatchState") == "applied"


def test_properties_changed_sequence(enabled):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    rec = Recorder(lp.daemon.conn)
    lp.call_async("Refresh").wait()
    spin_until(lambda: "applied" in rec.values("PatchState"), "applied signalled")
    rec.stop()
    assert rec.values("CheckState")[:1] == ["checking"]
    assert "checked" in rec.values("CheckState")
    states = [s for s in rec.values("PatchState") if s in ("downloading", "applying", "applied")]
    assert states == ["downloading", "applying", "applied"]
    names = [k for k, _ in rec.events]
    first_applying = [i for i, (k, v) in enumerate(rec.events)
                      if k == "PatchState" and v == "applying"][0]
    assert "Progress" in names[:first_applying]
    # Rising while downloading and applying, then back to 0 once applied.
    progress = rec.values("Progress")
    assert progress[:-1] == sorted(progress[:-1]) and progress[-2] >= 90
    assert progress[-1] == 0


def test_check_interval_takes_effect_at_once(enabled):
    lp = enabled
    assert lp.prop("NextCheck") == 0
    lp.daemon.set_config({"check-interval": "90"})
    # Jitter: the interval +/- 10% (the wide margin only absorbs clock steps).
    assert 70 * 60 <= lp.prop("NextCheck") - time.time() <= 110 * 60
    lp.refresh()
    assert lp.prop("NextCheck") >= lp.prop("LastCheck") + 81 * 60
    lp.daemon.set_config({"check-interval": "0"})
    assert lp.prop("NextCheck") == 0


def test_periodic_checks_happen_on_their_own(lp_stopped, monkeypatch):
    """check-interval=60 really checks again and again; the test-only
    LP_TEST_CHECK_INTERVAL_MINUTE_MS makes its minute 10 ms long."""
    lp = lp_stopped
    monkeypatch.setenv("LP_TEST_CHECK_INTERVAL_MINUTE_MS", "10")
    lp.daemon.start()
    lp.enable()
    lp.refresh()
    checks = len(lp.server.requests("/updates"))
    lp.daemon.set_config({"check-interval": "60"})
    spin_until(lambda: len(lp.server.requests("/updates")) >= checks + 2, "two periodic checks")
    lp.daemon.set_config({"check-interval": "0"})
    assert lp.prop("NextCheck") == 0, lp.daemon.log()


def test_first_check_soon_after_enable(lp):
    lp.daemon.set_config({"check-interval": "60"})
    lp.enable()
    # 5-60 s, far sooner than the 60-minute interval.
    assert 0 < lp.prop("NextCheck") - time.time() <= 5 * 60


def test_shutdown_during_download_leaves_no_file(enabled):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.server.misbehave(mode="stall", on="download")
    refresh = lp.call_async("Refresh")
    spin_until(lambda: lp.prop("PatchState") == "downloading", "download started")
    assert lp.daemon.stop() == 0
    spin_until(lambda: refresh.done, "reply or disconnect")
    assert refresh.error is not None
    assert lp.patch_files() == []
    assert lp.loaded() == []


def test_killed_during_download_cleaned_at_start(enabled):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.server.misbehave(mode="stall", on="download")
    lp.call_async("Refresh")
    spin_until(lambda: lp.prop("PatchState") == "downloading" and lp.prop("Progress") > 0,
               "half the download received")
    # The download is in livepatch-fetch's memory, never on disk.
    assert lp.patch_files() == []
    [helper] = lp.fetch_helpers()
    lp.daemon.stop(signal.SIGKILL)
    # Its parent's death kills the helper too.
    spin_until(lambda: process_gone(helper), "livepatch-fetch gone")
    lp.daemon.start()
    assert lp.patch_files() == []
    assert lp.prop("PatchState") == "unapplied"


# --- restart and crash-loop guard ---

def test_restart_reloads_stored_patch(enabled):
    lp = enabled
    lp.apply("57.3")
    checks = len(lp.server.requests("/updates"))
    lp.reboot()
    lp.wait_prop("PatchState", "applied")
    assert lp.prop("PatchVersion") == "57.3"
    assert lp.prop("Enabled") is True
    assert lp.loaded() == [module_name("57.3")]
    assert len(lp.server.requests("/updates")) == checks


def test_leftover_lock_blocks_insertion(enabled):
    lp = enabled
    lp.apply("57.3")
    lock = lp.lock_path(module_name("57.3"))
    with open(lock, "w") as f:
        f.write("inserting\n")
    lp.reboot()
    lp.wait_prop("PatchState", "apply-failed")
    assert lock in lp.prop("LastError")
    assert lp.loaded() == []
    os.unlink(lock)
    lp.reboot()
    lp.wait_prop("PatchState", "applied")
    assert lp.loaded() == [module_name("57.3")]


def test_unrecorded_newer_patch_not_rolled_back(enabled):
    """The service died after loading 57.4 but before recording it."""
    lp = enabled
    lp.apply("57.3")
    lp.daemon.stop()
    sim = lp.daemon.sim_dir
    for name, keep in ((module_name("57.3"), False), (module_name("57.4"), True)):
        live = os.path.join(sim, "sys", "kernel", "livepatch", name)
        if keep:
            os.makedirs(live)
            for f, v in (("enabled", "1"), ("transition", "0")):
                with open(os.path.join(live, f), "w") as fh:
                    fh.write(v + "\n")
            with open(os.path.join(sim, "modules", name), "w") as fh:
                fh.write("live\n")
        else:
            os.unlink(os.path.join(sim, "modules", name))
            for f in os.listdir(live):
                os.unlink(os.path.join(live, f))
            os.rmdir(live)
    lp.daemon.start()
    assert lp.loaded() == [module_name("57.4")]
    lp.server.publish([("57.4", lp.kit.make("57.4"))])
    lp.refresh()
    assert lp.prop("PatchState") == "applied"
    assert lp.prop("PatchVersion") == "57.4"
    assert lp.loaded() == [module_name("57.4")]


def module_of(tarball):
    """The module file inside a test patch tarball."""
    with tarfile.open(tarball) as tar:
        [member] = [m for m in tar.getmembers() if m.name.endswith(".ko")]
        return tar.extractfile(member).read()


@pytest.mark.parametrize("what, message", [
    ("module", "module signature: signature does not match the module"),
    ("manifest", ".manifest is damaged"),
], ids=["module-tampered", "manifest-damaged"])
def test_tampered_stored_patch_refused_at_start(enabled, what, message):
    """Whoever can write the state directory is root already; still the
    service re-verifies its stored patch before loading it again: the
    module signature, and a manifest that must still be a valid one."""
    lp = enabled
    lp.apply("57.3")
    stored = lp.stored_module()

    def tamper():
        if what == "module":
            with open(stored, "wb") as f:
                f.write(module_of(lp.kit.make("57.3", tamper=True)))
        else:
            with open(stored[:-len(".ko")] + ".manifest", "r+b") as f:
                f.truncate(7)

    lp.reboot(while_down=tamper)
    lp.wait_prop("PatchState", "apply-failed")
    assert message in lp.prop("LastError")
    assert lp.loaded() == []


def test_restart_with_damaged_state_starts_clean(enabled):
    lp = enabled
    lp.daemon.stop()
    with open(os.path.join(lp.daemon.state_dir, "state"), "w") as f:
        f.write("\x00garbage[[[\n")
    lp.daemon.start()
    assert lp.prop("PatchState") == "unapplied"
    assert any(n.startswith("state.damaged-") for n in os.listdir(lp.daemon.state_dir))


# --- modes ---

def test_mode_no_apply_downloads_only(enabled):
    lp = enabled
    lp.set_mode("no-apply")
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.refresh()
    assert lp.prop("Mode") == "no-apply"
    assert lp.prop("CheckState") == "checked"
    assert lp.prop("PatchState") == "unapplied"
    assert lp.loaded() == []
    assert len(lp.server.requests("/v1/patches/")) == 1


def test_mode_no_refresh_loads_stored_never_calls(enabled):
    lp = enabled
    lp.apply("57.3")
    lp.set_mode("no-refresh")
    checks = len(lp.server.requests("/updates"))
    lp.reboot()
    lp.wait_prop("PatchState", "applied")
    assert lp.prop("Mode") == "no-refresh"
    assert lp.refresh_error() == "Blocked"
    assert lp.prop("NextCheck") == 0
    assert len(lp.server.requests("/updates")) == checks


def test_mode_stop_does_nothing(enabled):
    lp = enabled
    lp.apply("57.3")
    lp.set_mode("stop")
    lp.reboot()
    assert lp.prop("Mode") == "stop"
    assert lp.prop("PatchState") == "unapplied"
    assert lp.loaded() == []
    assert lp.refresh_error() == "Blocked"


def test_mode_from_kernel_cmdline_wins(enabled):
    lp = enabled
    lp.set_mode("no-apply")
    with open(lp.daemon.cmdline_file, "w") as f:
        f.write("ro quiet canonical_livepatch_mode=no-refresh\n")
    assert lp.refresh_error() == "Blocked"
    assert lp.prop("Mode") == "no-refresh"
