# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The D-Bus API as a settings panel uses it, through a real Gio.DBusProxy:
each method's property changes are in the proxy's cache when its reply
arrives; Progress, LastErrorCode, CheckState after Disable, applied-with-bug,
the Config property, Cancel and ApiVersion (fixtures in conftest.py)."""

import json
import os
import signal

import pytest
from gi.repository import Gio, GLib

from conftest import (BUS_NAME, DEADLINE, INTERFACE, OBJECT_PATH, error_name, module_name,
                      process_gone, spin_until)
import conftest

ERROR_NAMES = {"NotEnabled", "AlreadyEnabled", "NotAuthorized", "InvalidArgument", "Network",
               "Server", "UnknownToken", "ChecksumMismatch", "InvalidArchive", "InvalidMetadata",
               "InvalidSignature", "KernelMismatch", "Rollback", "Blocked", "LoadFailed",
               "Cancelled", "Busy", "Internal"}


class Reply:
    """One method call; ``at_reply`` is the proxy's cache when the reply came."""

    def __init__(self, panel):
        self.panel = panel
        self.done = False
        self.error = None
        self.at_reply = None

    def on_reply(self, proxy, result, _data=None):
        self.at_reply = self.panel.cache()
        try:
            proxy.call_finish(result)
        except GLib.Error as exc:
            self.error = exc
        self.done = True

    def wait(self):
        spin_until(lambda: self.done, "method reply")
        return self

    @property
    def error_name(self):
        return error_name(self.error) if self.error is not None else None


class Panel:
    """What a settings panel holds: a Gio.DBusProxy on its own connection,
    following PropertiesChanged; ``states`` is its cache after each signal."""

    def __init__(self, lp):
        self.lp = lp
        self.conn = lp.daemon.bus.connection()
        self.proxy = Gio.DBusProxy.new_sync(self.conn, Gio.DBusProxyFlags.NONE, None, BUS_NAME,
                                            OBJECT_PATH, INTERFACE, None)
        self.states = []
        self.changed = []
        self.proxy.connect("g-properties-changed", self._on_changed)

    def _on_changed(self, _proxy, changed, _invalidated):
        self.changed.append(changed.unpack())
        self.states.append(self.cache())

    def cache(self):
        return {name: self.proxy.get_cached_property(name).unpack()
                for name in self.proxy.get_cached_property_names()}

    def start(self, method, args=None, signature=None):
        reply = Reply(self)
        params = GLib.Variant(signature, args) if signature else None
        self.proxy.call(method, params, Gio.DBusCallFlags.NONE, int(DEADLINE * 1000), None,
                        reply.on_reply, None)
        return reply

    def call(self, method, args=None, signature=None):
        return self.start(method, args, signature).wait()

    def close(self):
        self.conn.close_sync(None)


@pytest.fixture
def panel(lp):
    p = Panel(lp)
    yield p
    p.close()


def assert_final_at_reply(reply, lp, **expected):
    """At the reply the proxy already showed everything the service now says."""
    assert reply.at_reply == lp.daemon.get_all()
    for name, value in expected.items():
        assert reply.at_reply[name] == value, name


def stall_download(lp, version="57.3"):
    """Publishes @version; its download sends half, then stalls (once)."""
    lp.server.publish([(version, lp.kit.make(version))])
    lp.server.misbehave(mode="stall", on="download", times=1)


# --- every method's property changes precede its reply ---

def test_reply_after_properties_enable(lp, panel):
    reply = panel.call("Enable", ("test-token",), "(s)")
    assert reply.error is None
    assert_final_at_reply(reply, lp, Enabled=True, CheckState="needs-check", Tier="stable")


def test_reply_after_properties_refresh_applied(enabled, panel):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    reply = panel.call("Refresh")
    assert reply.error is None
    assert_final_at_reply(reply, lp, CheckState="checked", PatchState="applied",
                          PatchVersion="57.3", Progress=0, LastError="", LastErrorCode="")


def test_reply_after_properties_refresh_nothing_to_apply(enabled, panel):
    reply = panel.call("Refresh")
    assert reply.error is None
    assert_final_at_reply(reply, enabled, CheckState="checked", PatchState="nothing-to-apply")


def test_reply_after_properties_apply_failed_signature(enabled, panel):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3", key="untrusted"))])
    reply = panel.call("Refresh")
    assert reply.error_name == "InvalidSignature"
    assert_final_at_reply(reply, lp, PatchState="apply-failed", LastErrorCode="InvalidSignature",
                          Progress=0)
    assert reply.at_reply["LastError"] != ""


def test_reply_after_properties_apply_failed_load(enabled, panel):
    lp = enabled
    with open(os.path.join(lp.daemon.sim_dir, "fail-load"), "w") as f:
        f.write("Operation not permitted\n")
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    reply = panel.call("Refresh")
    assert reply.error_name == "LoadFailed"
    assert_final_at_reply(reply, lp, PatchState="apply-failed", LastErrorCode="LoadFailed",
                          Progress=0)
    assert "Operation not permitted" in reply.at_reply["LastError"]


def test_reply_after_properties_check_failed(enabled, panel):
    lp = enabled
    lp.server.stop()
    reply = panel.call("Refresh")
    assert reply.error_name == "Network"
    assert_final_at_reply(reply, lp, CheckState="check-failed", LastErrorCode="Network")
    assert reply.at_reply["NextCheck"] > 0  # the retry


def test_reply_after_properties_disable(enabled, panel):
    lp = enabled
    lp.refresh()
    reply = panel.call("Disable")
    assert reply.error is None
    assert_final_at_reply(reply, lp, Enabled=False, CheckState="", Supported="unknown",
                          LastCheck=0, Tier="")


def test_reply_after_properties_disable_during_download(enabled, panel):
    lp = enabled
    stall_download(lp)
    refresh = panel.start("Refresh")
    spin_until(lambda: lp.prop("PatchState") == "downloading", "download started")
    disable = panel.call("Disable")
    refresh.wait()
    assert disable.error is None and refresh.error_name == "Cancelled"
    # The Refresh caller already saw the machine disabled.
    assert refresh.at_reply["Enabled"] is False
    assert_final_at_reply(disable, lp, Enabled=False, PatchState="unapplied", Progress=0)


def test_reply_after_properties_set_config(enabled, panel):
    lp = enabled
    reply = panel.call("SetConfig", ({"check-interval": "90"},), "(a{ss})")
    assert reply.error is None
    assert reply.at_reply["Config"]["check-interval"] == "90"
    assert reply.at_reply["NextCheck"] > 0
    assert_final_at_reply(reply, lp)


def test_reply_after_properties_refused_calls_change_nothing(enabled, panel, polkitd):
    lp = enabled
    before = lp.daemon.get_all()
    bad = panel.call("SetConfig", ({"check-interval": "often"},), "(a{ss})")
    assert bad.error_name == "InvalidArgument"
    assert bad.at_reply == before == lp.daemon.get_all()
    polkitd.deny_all()
    denied = panel.call("Refresh")
    assert denied.error_name == "NotAuthorized"
    assert denied.at_reply == before == lp.daemon.get_all()


# --- Progress ---

def assert_progress_only_while_working(states):
    for state in states:
        if state["Progress"] != 0:
            assert state["PatchState"] in ("downloading", "applying"), state


def test_progress_zero_outside_download_and_apply(enabled, panel):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    assert panel.call("Refresh").error is None
    assert any(s["Progress"] > 0 for s in panel.states)  # the bar did move
    assert lp.prop("Progress") == 0
    lp.server.publish([("57.4", lp.kit.make("57.4", key="untrusted"))])
    assert panel.call("Refresh").error_name == "InvalidSignature"
    assert lp.prop("Progress") == 0
    assert_progress_only_while_working(panel.states)


# --- LastErrorCode ---

def test_last_error_code_set_and_cleared_with_last_error(enabled, panel):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3", key="untrusted"))])
    assert panel.call("Refresh").error_name == "InvalidSignature"
    assert lp.prop("LastErrorCode") == "InvalidSignature"
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    assert panel.call("Refresh").error is None
    assert lp.prop("LastErrorCode") == "" and lp.prop("LastError") == ""
    lp.server.misbehave(mode="status", code=503, on="updates", times=1)
    assert panel.call("Refresh").error_name == "Server"
    assert lp.prop("LastErrorCode") == "Server"
    # Never one without the other, in any state the panel saw.
    for state in panel.states:
        assert (state["LastError"] == "") == (state["LastErrorCode"] == ""), state
        assert state["LastErrorCode"] == "" or state["LastErrorCode"] in ERROR_NAMES


def test_last_error_code_unknown_token_says_what_to_do(enabled, panel):
    lp = enabled
    lp.server.misbehave(mode="unknown-token", on="updates")
    assert panel.call("Refresh").error_name == "UnknownToken"
    assert lp.prop("LastErrorCode") == "UnknownToken"
    message = lp.prop("LastError")
    assert "disable Livepatch, then enable it again" in message
    assert "canonical-livepatch" not in message


def test_messages_do_not_assume_the_command_line(lp):
    with pytest.raises(GLib.Error) as info:
        lp.refresh()
    assert error_name(info.value) == "NotEnabled"
    assert "enable Livepatch with a token first" in info.value.message
    assert "canonical-livepatch" not in info.value.message
    lp.enable()
    with pytest.raises(GLib.Error) as info:
        lp.enable("other-token")
    assert error_name(info.value) == "AlreadyEnabled"
    assert "disable Livepatch first" in info.value.message
    assert "canonical-livepatch" not in info.value.message


# --- CheckState of a machine that is not enabled ---

def test_check_state_empty_after_disable(enabled, panel):
    lp = enabled
    assert panel.call("Refresh").at_reply["CheckState"] == "checked"
    count = len(panel.states)
    assert panel.call("Disable").at_reply["CheckState"] == ""
    assert panel.states[count:] and all(s["CheckState"] == "" for s in panel.states[count:])
    lp.daemon.restart()
    assert lp.prop("CheckState") == ""
    lp.enable()
    assert lp.prop("CheckState") == "needs-check"


# --- applied-with-bug ---

def test_server_marks_applied_patch_buggy(enabled, panel):
    lp = enabled
    lp.apply("57.3")
    lp.server.publish([("57.3", lp.kit.make("57.3"), conftest.RELEASE, conftest.ARCH,
                        {"buggy": True})])
    reply = panel.call("Refresh")
    assert reply.error is None
    assert_final_at_reply(reply, lp, PatchState="applied-with-bug", PatchVersion="57.3",
                          CheckState="checked", LastErrorCode="")
    assert lp.loaded() == [module_name("57.3")]
    # The verdict is stored, and reported to the server at the next check.
    lp.daemon.restart()
    assert lp.prop("PatchState") == "applied-with-bug"
    lp.server.publish([("57.3", lp.kit.make("57.3"), conftest.RELEASE, conftest.ARCH,
                        {"buggy": True}), ("57.4", lp.kit.make("57.4"))])
    lp.refresh()
    assert json.loads(lp.server.requests("/updates")[-1]["body"])["patch-state"] == \
        "applied-with-bug"
    assert lp.prop("PatchState") == "applied" and lp.prop("PatchVersion") == "57.4"
    assert lp.loaded() == [module_name("57.4")]


def test_buggy_verdict_on_another_version_ignored(enabled):
    lp = enabled
    lp.apply("57.4")
    lp.server.misbehave(mode="bad-type", member="buggy-version", value="57.3", on="updates")
    lp.refresh()
    assert lp.prop("PatchState") == "applied"


def test_ill_typed_buggy_version_fails_the_check(enabled):
    lp = enabled
    lp.apply("57.3")
    lp.server.misbehave(mode="bad-type", member="buggy-version", on="updates")
    with pytest.raises(GLib.Error) as info:
        lp.refresh()
    assert error_name(info.value) == "Server"
    assert 'check failed: check: member "buggy-version" is not a string' in info.value.message
    assert lp.prop("CheckState") == "check-failed"
    assert lp.prop("LastErrorCode") == "Server"
    assert lp.prop("PatchState") == "applied" and lp.prop("PatchVersion") == "57.3"
    assert lp.loaded() == [module_name("57.3")]


# --- Config ---

def test_config_property_follows_set_config(lp, panel):
    assert panel.cache()["Config"] == lp.daemon.get_config()
    proxy_url = "http://user:s3cret@proxy.example:3128"
    reply = panel.call("SetConfig", ({"check-interval": "90", "https-proxy": proxy_url},),
                       "(a{ss})")
    assert reply.error is None
    config = reply.at_reply["Config"]
    assert config == lp.daemon.get_config()
    assert config["check-interval"] == "90"
    assert "s3cret" not in config["https-proxy"] and "proxy.example" in config["https-proxy"]
    assert any("Config" in c for c in panel.changed)
    # A refused change emits nothing and changes nothing.
    count = len(panel.changed)
    bad = panel.call("SetConfig", ({"check-interval": "90", "no-such-key": "1"},), "(a{ss})")
    assert bad.error_name == "InvalidArgument"
    assert bad.at_reply["Config"] == config and len(panel.changed) == count


def test_config_property_follows_reload(lp, panel):
    with open(lp.daemon.config_path, "a") as f:
        f.write("patch-delay=2d\n")
    lp.daemon.signal(signal.SIGHUP)
    spin_until(lambda: panel.cache()["Config"]["patch-delay"] == "2d", "Config after reload")
    assert panel.cache()["Config"] == lp.daemon.get_config()


# --- Cancel ---

def test_cancel_stops_download(enabled, panel):
    lp = enabled
    stall_download(lp)
    refresh = panel.start("Refresh")
    spin_until(lambda: lp.prop("PatchState") == "downloading" and lp.prop("Progress") > 0,
               "half the download received")
    # The download is in livepatch-fetch's memory, never on disk.
    assert lp.patch_files() == []
    [helper] = lp.fetch_helpers()
    cancel = panel.call("Cancel")
    assert cancel.error is None
    # Once Cancel returns nothing is on disk and the state is back; the
    # helper is killed.
    assert lp.patch_files() == []
    spin_until(lambda: process_gone(helper), "livepatch-fetch gone")
    assert_final_at_reply(cancel, lp, CheckState="checked", PatchState="unapplied", Progress=0,
                          LastError="", LastErrorCode="")
    refresh.wait()
    assert refresh.error_name == "Cancelled"
    assert refresh.at_reply["PatchState"] == "unapplied"
    assert lp.loaded() == []
    assert os.listdir(os.path.join(lp.daemon.state_dir, "work")) == []
    # Nothing is stuck: the next Refresh downloads and applies.
    lp.refresh()
    assert lp.prop("PatchState") == "applied"


def test_cancel_download_keeps_previous_patch(enabled, panel):
    lp = enabled
    lp.apply("57.3")
    stall_download(lp, "57.4")
    refresh = panel.start("Refresh")
    spin_until(lambda: lp.prop("PatchState") == "downloading", "download started")
    cancel = panel.call("Cancel")
    assert_final_at_reply(cancel, lp, PatchState="applied", PatchVersion="57.3", Progress=0)
    assert refresh.wait().error_name == "Cancelled"
    assert lp.loaded() == [module_name("57.3")]
    assert len(lp.patch_files()) == 1


@pytest.mark.parametrize("before", ["needs-check", "checked"])
def test_cancel_stops_check(enabled, panel, before):
    lp = enabled
    if before == "checked":
        lp.refresh()
    lp.server.misbehave(mode="slow", on="updates", delay=600, times=1)
    refresh = panel.start("Refresh")
    spin_until(lambda: lp.prop("CheckState") == "checking", "check running")
    cancel = panel.call("Cancel")
    assert cancel.error is None
    assert_final_at_reply(cancel, lp, CheckState=before, Progress=0)
    refresh.wait()
    assert refresh.error_name == "Cancelled"
    assert refresh.error.message.endswith("the check was cancelled")


def test_cancel_after_the_check_keeps_it(enabled, panel):
    """Cancelled while the CVE data is fetched: the check itself stands, the
    offered patch is not downloaded."""
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.server.misbehave(mode="slow", on="cve", delay=600, times=1)
    refresh = panel.start("Refresh")
    spin_until(lambda: lp.server.requests("/cve-fixes"), "CVE data requested")
    cancel = panel.call("Cancel")
    assert_final_at_reply(cancel, lp, CheckState="checked", PatchState="unapplied", Progress=0)
    assert refresh.wait().error_name == "Cancelled"
    assert lp.server.requests("/v1/patches/") == [] and lp.patch_files() == []
    assert lp.prop("LastCheck") > 0


def test_cancel_lets_apply_finish(enabled, panel):
    lp = enabled
    # The simulated kernel holds the transition until the test releases it:
    # the module is in, past verification.
    stuck = os.path.join(lp.daemon.sim_dir, "transition-stuck")
    open(stuck, "w").close()
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    transition = os.path.join(lp.daemon.sim_dir, "sys", "kernel", "livepatch",
                              module_name("57.3"), "transition")
    refresh = panel.start("Refresh")
    spin_until(lambda: os.path.exists(transition), "module inserted")
    cancel = panel.call("Cancel")
    assert cancel.error is None
    assert cancel.at_reply["PatchState"] == "applying"
    assert not refresh.done
    os.unlink(stuck)
    with open(transition, "w") as f:
        f.write("0\n")
    assert refresh.wait().error is None
    assert lp.prop("PatchState") == "applied" and lp.loaded() == [module_name("57.3")]


def test_cancel_with_nothing_running_is_a_noop(lp, panel):
    before = lp.daemon.get_all()
    assert panel.call("Cancel").error is None  # not even enabled
    assert lp.daemon.get_all() == before
    assert panel.call("Enable", ("test-token",), "(s)").error is None
    before = lp.daemon.get_all()
    count = len(panel.changed)
    assert panel.call("Cancel").error is None
    assert lp.daemon.get_all() == before
    assert len(panel.changed) == count


def test_cancel_needs_the_refresh_action(enabled, polkitd):
    lp = enabled
    polkitd.record_checks(allowed=False)
    with pytest.raises(GLib.Error) as info:
        lp.call("Cancel")
    assert error_name(info.value) == "NotAuthorized"
    assert polkitd.checks()[-1][2] == "com.canonical.livepatch.refresh"


# --- stability ---

def test_api_version(lp, panel):
    assert panel.cache()["ApiVersion"] == 1
