# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""livepatchd on a private system bus: the exported interface, its
properties, GetConfig/SetConfig and polkit gating (fixtures in conftest.py)."""

import os
import signal
import stat

import pytest
from gi.repository import Gio, GLib

from conftest import (BUS_NAME, ERROR_PREFIX, INTERFACE, OBJECT_PATH, XML_PATH,
                      dbus_error_name)

PRIVILEGED = [
    ("Enable", ("abc123",), "(s)", "com.canonical.livepatch.enable"),
    ("Disable", None, None, "com.canonical.livepatch.disable"),
    ("Refresh", None, None, "com.canonical.livepatch.refresh"),
    ("SetConfig", ({"check-interval": "90"},), "(a{ss})", "com.canonical.livepatch.configure"),
]
PRIVILEGED_IDS = [p[0] for p in PRIVILEGED]
CONFIG_KEYS = ["remote-server", "check-interval", "http-proxy", "https-proxy", "no-proxy",
               "ca-certs", "dial-timeout", "log-level", "tls-patch-download", "cutoff-date",
               "patch-delay"]


def expect_error(name, func, *args):
    with pytest.raises(GLib.Error) as info:
        func(*args)
    assert dbus_error_name(info.value) == ERROR_PREFIX + name, info.value.message
    return info.value.message


def read_or_none(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def xml_interface():
    with open(XML_PATH) as f:
        return Gio.DBusNodeInfo.new_for_xml(f.read()).lookup_interface(INTERFACE)


def describe(iface):
    """Comparable shape of an interface: members, argument types, access."""
    return {
        "methods": {m.name: ([(a.signature) for a in m.in_args or []],
                             [(a.signature) for a in m.out_args or []])
                    for m in iface.methods or []},
        "properties": {p.name: (p.signature, int(p.flags)) for p in iface.properties or []},
        "signals": {s.name: [a.signature for a in s.args or []] for s in iface.signals or []},
    }


# --- the exported object ---

def test_introspection_matches_xml(daemon):
    reply = daemon.conn.call_sync(BUS_NAME, OBJECT_PATH, "org.freedesktop.DBus.Introspectable",
                                  "Introspect", None, GLib.VariantType("(s)"),
                                  Gio.DBusCallFlags.NONE, -1, None)
    node = Gio.DBusNodeInfo.new_for_xml(reply.unpack()[0])
    exported = node.lookup_interface(INTERFACE)
    assert exported is not None
    assert describe(exported) == describe(xml_interface())


def test_every_property_present_with_its_type(daemon):
    props = daemon.get_all_raw()
    expected = {p.name: p.signature for p in xml_interface().properties}
    assert set(props) == set(expected)
    for name, sig in expected.items():
        assert props[name].get_type_string() == sig, name


def test_properties_have_real_values(daemon):
    props = daemon.get_all()
    assert props["Enabled"] is False
    assert props["MachineId"] == daemon.machine_id
    assert props["ClientVersion"] != ""
    assert props["Kernel"] == os.uname().release  # LpKernelSim defaults to uname
    assert props["Architecture"] != ""
    assert props["Mode"] == "normal"
    assert props["LastCheck"] == 0
    assert props["NextCheck"] == 0
    assert props["Fixes"] == []
    # not enabled: the documented initial states; no check state without
    # enrolment (the reference client shows none either)
    assert props["Supported"] == "unknown"
    assert props["CheckState"] == ""
    assert props["PatchState"] == "unapplied"
    assert props["LastError"] == "" and props["LastErrorCode"] == ""
    assert props["Progress"] == 0
    assert props["ApiVersion"] == 1
    assert props["Config"] == daemon.get_config()


def test_state_directory_created_private(daemon):
    assert stat.S_IMODE(os.stat(daemon.state_dir).st_mode) == 0o700


def test_version_option():
    import subprocess
    from conftest import LIVEPATCHD
    out = subprocess.run([LIVEPATCHD, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("livepatchd ")


# --- configuration ---

def test_get_config_lists_every_key_without_privilege(daemon):
    # no polkitd on the bus: GetConfig needs no authorization
    config = daemon.get_config()
    assert sorted(config) == sorted(CONFIG_KEYS)
    assert config["remote-server"] == "https://livepatch.canonical.com"
    assert config["check-interval"] == "60"


def test_set_config_round_trip_and_persists_across_restart(daemon, polkitd):
    polkitd.allow("com.canonical.livepatch.configure")
    daemon.set_config({"check-interval": "90", "log-level": "debug",
                       "no-proxy": "localhost,10.0.0.0/8", "patch-delay": "3d"})
    config = daemon.get_config()
    assert config["check-interval"] == "90"
    assert config["log-level"] == "debug"
    assert config["no-proxy"] == "localhost,10.0.0.0/8"
    assert config["patch-delay"] == "3d"
    assert stat.S_IMODE(os.stat(daemon.config_path).st_mode) == 0o600

    daemon.restart()
    assert daemon.get_config() == config

    daemon.set_config({"check-interval": ""})  # "" resets to the default
    assert daemon.get_config()["check-interval"] == "60"


def test_set_config_bad_key_among_good_changes_nothing(daemon, polkitd):
    polkitd.allow("com.canonical.livepatch.configure")
    daemon.set_config({"log-level": "warning"})
    before = daemon.get_config()
    file_before = read_or_none(daemon.config_path)

    message = expect_error("InvalidArgument", daemon.set_config,
                           {"check-interval": "90", "dial-timeout": "9999",
                            "no-proxy": "localhost"})
    assert "dial-timeout" in message
    assert daemon.get_config() == before
    assert read_or_none(daemon.config_path) == file_before


def test_set_config_unknown_key_refused(daemon, polkitd):
    polkitd.allow("com.canonical.livepatch.configure")
    message = expect_error("InvalidArgument", daemon.set_config,
                           {"check-interval": "90", "colour": "blue"})
    assert "colour" in message
    assert daemon.get_config()["check-interval"] == "60"
    assert read_or_none(daemon.config_path) is None


def test_get_config_masks_proxy_password(daemon, polkitd):
    polkitd.allow("com.canonical.livepatch.configure")
    daemon.set_config({"https-proxy": "http://alice:s3cret@proxy.example:3128"})
    value = daemon.get_config()["https-proxy"]
    assert "s3cret" not in value
    assert "proxy.example:3128" in value


def test_sighup_reloads_config(daemon, polkitd):
    with open(daemon.config_path, "w") as f:
        f.write("[livepatch]\ncheck-interval=170\n")
    # The reload is asynchronous to us; GetConfig after the signal is
    # ordered behind it only once the daemon's loop ran, so poll.
    daemon.signal(signal.SIGHUP)
    for _ in range(200):
        if daemon.get_config()["check-interval"] == "170":
            break
        GLib.usleep(50000)
    assert daemon.get_config()["check-interval"] == "170"


# --- polkit ---

@pytest.mark.parametrize("method,args,sig,action", PRIVILEGED, ids=PRIVILEGED_IDS)
def test_privileged_method_denied_by_polkit(daemon, polkitd, method, args, sig, action):
    polkitd.deny_all()
    before = daemon.get_all()
    config_before = daemon.get_config()
    expect_error("NotAuthorized", daemon.call, method, args, sig)
    assert daemon.get_all() == before
    assert daemon.get_config() == config_before
    assert read_or_none(daemon.config_path) is None


@pytest.mark.parametrize("method,args,sig,action", PRIVILEGED, ids=PRIVILEGED_IDS)
def test_privileged_method_denied_without_polkitd(daemon, method, args, sig, action):
    before = daemon.get_all()
    message = expect_error("NotAuthorized", daemon.call, method, args, sig)
    assert "polkit could not decide: The name org.freedesktop.PolicyKit1" in message
    # the cause is told in words, without polkit's own remote-error prefix
    assert "ServiceUnknown" not in message
    assert daemon.get_all() == before
    assert read_or_none(daemon.config_path) is None


@pytest.mark.parametrize("method,args,sig,action", PRIVILEGED, ids=PRIVILEGED_IDS)
def test_polkit_asked_for_the_right_action(make_daemon, polkitd, method, args, sig, action):
    # Only the method's own action is granted: anything but NotAuthorized
    # shows the daemon asked polkit for exactly that action. The server is a
    # closed local port, so Enable fails fast without leaving the machine.
    daemon = make_daemon(start=False)
    os.makedirs(daemon.state_dir, mode=0o700, exist_ok=True)
    with open(daemon.config_path, "w") as f:
        f.write("[livepatch]\nremote-server=http://127.0.0.1:9\n")
    daemon.start()
    polkitd.allow(action)
    try:
        daemon.call(method, args, sig)
    except GLib.Error as e:
        assert dbus_error_name(e) != ERROR_PREFIX + "NotAuthorized", e.message


def test_polkit_subject_and_interaction_flag(daemon, polkitd):
    polkitd.record_checks(allowed=True)
    daemon.set_config({"check-interval": "310"})
    daemon.call("SetConfig", ({"check-interval": "320"},), "(a{ss})", interactive=True)
    checks = polkitd.checks()
    assert len(checks) == 2
    unique_name = daemon.conn.get_unique_name()
    for kind, details, action, _flags in checks:
        assert kind == "system-bus-name"
        assert details["name"] == unique_name
        assert action == "com.canonical.livepatch.configure"
    # ALLOW_USER_INTERACTION (1) only when the message allowed it
    assert [c[3] for c in checks] == [0, 1]
    assert daemon.get_config()["check-interval"] == "320"


def test_same_question_in_flight_is_asked_once(daemon, polkitd):
    # polkit takes its time; ten identical calls arrive while it decides
    polkitd._mock("AddMethod", GLib.Variant("(sssss)", (
        "", "CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})",
        "import time; time.sleep(0.5); ret = (True, False, {})")))
    loop = GLib.MainLoop()
    answers = []

    def done(conn, result):
        try:
            conn.call_finish(result)
            answers.append("ok")
        except GLib.Error as e:
            answers.append(dbus_error_name(e))
        if len(answers) == 10:
            loop.quit()

    for _ in range(10):
        daemon.conn.call(BUS_NAME, OBJECT_PATH, INTERFACE, "Refresh", None, None,
                         Gio.DBusCallFlags.NONE, -1, None, done)
    loop.run()
    # every caller was authorized (then told the machine is not enabled) ...
    assert answers == [ERROR_PREFIX + "NotEnabled"] * 10
    # ... by one polkit call: identical checks in flight are shared
    calls = polkitd.checks()
    assert len(calls) == 1 and calls[0][2] == "com.canonical.livepatch.refresh"


def test_polkit_challenge_is_refused_with_a_hint(daemon, polkitd):
    # polkit wants a password but the caller did not allow interaction
    polkitd.record_checks(allowed=False, challenge=True)
    message = expect_error("NotAuthorized", daemon.set_config, {"check-interval": "310"})
    assert "authentication is required" in message
    assert daemon.get_config()["check-interval"] == "60"


# Pro tokens are up to 4096 characters of base64(url) with "=" padding
@pytest.mark.parametrize("token", ["", "a" * 4097, "abc/../def", "tok en", "tök", "a=b", "abc==="])
def test_enable_rejects_malformed_token(daemon, polkitd, token):
    polkitd.allow_all()
    expect_error("InvalidArgument", daemon.call, "Enable", (token,), "(s)")
    assert daemon.get("Enabled") is False


# --- process life ---

def test_sigterm_exits_cleanly(daemon):
    assert daemon.stop(signal.SIGTERM) == 0


def test_second_instance_exits(daemon, make_daemon):
    import subprocess
    second = make_daemon(start=False)
    env = dict(os.environ, STATE_DIRECTORY=second.state_dir)
    from conftest import LIVEPATCHD
    proc = subprocess.run([LIVEPATCHD, "--kernel-sim", second.sim_dir], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert daemon.get("Enabled") is False  # the first one still answers


def test_unreachable_system_bus_exits_with_one_clear_line(tmp_path):
    import subprocess
    from conftest import LIVEPATCHD
    sim = tmp_path / "kernel"
    sim.mkdir()
    env = dict(os.environ, STATE_DIRECTORY=str(tmp_path / "state"), G_DEBUG="fatal-criticals",
               DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={tmp_path / 'no-such-bus'}")
    env.pop("JOURNAL_STREAM", None)
    proc = subprocess.run([LIVEPATCHD, "--kernel-sim", str(sim)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode > 0, proc.stderr  # a failure exit, not a crash
    assert "CRITICAL" not in proc.stderr, proc.stderr
    said = [line for line in proc.stderr.splitlines() if "system bus" in line]
    assert len(said) == 1 and "cannot connect to the system bus" in said[0], proc.stderr


# --- PropertiesChanged ---

def test_enable_against_local_server_updates_properties(daemon, polkitd, livepatch_server):
    seen = daemon.wait_properties_changed(
        ["Enabled", "Tier"], lambda: livepatch_server.enable(daemon, polkitd))
    assert seen["Enabled"] is True
    assert daemon.get("Enabled") is True
    assert daemon.get("Tier") == "stable"


def test_check_interval_change_moves_next_check(daemon, polkitd, livepatch_server):
    livepatch_server.enable(daemon, polkitd)
    # Enable runs a first check and schedules the next from check-interval.
    for _ in range(200):
        if daemon.get("NextCheck") != 0:
            break
        GLib.usleep(50000)
    before = daemon.get("NextCheck")
    assert before != 0
    seen = daemon.wait_properties_changed(
        ["NextCheck"], lambda: daemon.set_config({"check-interval": "1440"}))
    assert seen["NextCheck"] != before
    assert seen["NextCheck"] > before  # a day away instead of an hour

    seen = daemon.wait_properties_changed(
        ["NextCheck"], lambda: daemon.set_config({"check-interval": "0"}))
    assert seen["NextCheck"] == 0  # 0 = no automatic checks
