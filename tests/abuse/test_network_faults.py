# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Network faults beyond the transport suite, through the whole daemon: a
connection reset mid-download, an endless body (the size cap holds),
slowloris headers, a DNS name that does not resolve.  Each fails the Refresh
with a clear error, keeps what was applied, leaves no partial file, and the
next good Refresh works."""

import os

import pytest
from gi.repository import GLib

from conftest import DEADLINE, dbus_error_name, error_name, module_name


def patch_files(lp):
    return sorted(os.listdir(os.path.join(lp.daemon.state_dir, "patches")))


def assert_recovers(lp):
    lp.server.control({"reset": True})
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.refresh()
    assert lp.prop("PatchVersion") == "57.3" and lp.loaded() == [module_name("57.3")]


def failing_refresh(lp):
    with pytest.raises(GLib.Error) as info:
        lp.refresh()
    assert lp.prop("LastError") != ""
    assert lp.prop("PatchVersion") == "" and lp.loaded() == []
    assert patch_files(lp) == [], "a partial download was left behind"
    return info.value


def offer_from(lp, hostile, mode):
    hostile.mode = mode
    path = lp.kit.make("57.3")
    hostile.body_size = os.path.getsize(path)
    lp.server.publish([("57.3", path)])
    lp.server.misbehave(mode="patch-url", url=hostile.url + "/v1/patches/evil.tar.xz")


def test_connection_reset_mid_download(enabled, hostile):
    lp = enabled
    offer_from(lp, hostile, "reset")
    error = failing_refresh(lp)
    assert error_name(error) == "Network", error.message
    assert_recovers(lp)


def test_endless_body_is_cut_at_the_size_cap(enabled, hostile):
    lp = enabled
    offer_from(lp, hostile, "endless")
    error = failing_refresh(lp)
    assert error_name(error) in ("Network", "Server", "ChecksumMismatch"), error.message
    # The cap is the offered size: the client stops reading soon after it.
    assert hostile.bytes_sent < hostile.body_size + 64 * 1024 * 1024, hostile.bytes_sent
    assert_recovers(lp)


def test_slowloris_headers_do_not_hang_the_daemon(enabled, hostile):
    lp = enabled
    offer_from(lp, hostile, "slowloris")
    call = lp.call_async("Refresh")
    # Meanwhile the daemon answers everyone else.
    assert lp.prop("PatchState") in ("downloading", "unapplied")
    assert "check-interval" in lp.daemon.get_config()
    call.wait()
    assert call.error is not None
    assert dbus_error_name(call.error) is not None, \
        f"no answer within {DEADLINE:.0f} s: trickled headers defeat the stall timeout " \
        "(the download needs a deadline for its response headers)"
    assert error_name(call.error) == "Network", call.error.message
    assert patch_files(lp) == [] and lp.loaded() == []
    assert_recovers(lp)


def test_unresolvable_server_name(lp):
    # The enrolment is bound to its origin, so the name is tried by Enable.
    good = lp.daemon.get_config()["remote-server"]
    lp.daemon.set_config({"remote-server": "http://livepatch.invalid"})
    with pytest.raises(GLib.Error) as info:
        lp.enable()
    assert error_name(info.value) == "Network", info.value.message
    assert lp.prop("Enabled") is False
    lp.daemon.set_config({"remote-server": good})
    lp.enable()
    assert_recovers(lp)


def deadline_daemon(lp_stopped, monkeypatch):
    """The daemon with every request's deadline cut to 3 s (the test-only
    LP_TEST_REQUEST_DEADLINE; the real bound is 60 s, more for downloads)."""
    monkeypatch.setenv("LP_TEST_REQUEST_DEADLINE", "3")
    lp_stopped.daemon.start()
    lp_stopped.enable()
    lp_stopped.server.publish([("57.3", lp_stopped.kit.make("57.3"))])
    return lp_stopped


def test_trickled_check_reply_hits_the_deadline(lp_stopped, monkeypatch):
    """One byte a second never trips the stall timeout: the deadline ends it
    (issue 11, defect 5)."""
    lp = deadline_daemon(lp_stopped, monkeypatch)
    lp.server.misbehave(mode="trickle-body", on="updates", interval=1)
    error = failing_refresh(lp)
    assert error_name(error) == "Network", error.message
    assert error.message.endswith(
        "check failed: reading reply: 127.0.0.1 did not answer within the request deadline of 3 s")
    assert lp.prop("CheckState") == "check-failed"
    assert_recovers(lp)


def test_trickled_download_hits_the_deadline(lp_stopped, monkeypatch):
    lp = deadline_daemon(lp_stopped, monkeypatch)
    lp.server.misbehave(mode="trickle-body", on="download", interval=1)
    error = failing_refresh(lp)
    assert error_name(error) == "Network", error.message
    assert error.message.endswith("download from 127.0.0.1 missed its deadline of 3 s"), \
        error.message
    assert lp.prop("CheckState") == "checked"
    assert_recovers(lp)
