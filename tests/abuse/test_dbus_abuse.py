# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile D-Bus callers: wrong argument types, a 10 MB token, invalid UTF-8,
1000 concurrent Refresh calls from 50 connections, a caller that disconnects
while polkit decides, 10 000 property reads during an apply.  No crash, no
stuck state, every call answered."""

import os

import pytest
from gi.repository import Gio, GLib

from conftest import (AsyncCall, BUS_NAME, INTERFACE, OBJECT_PATH, RawBusClient,
                      dbus_error_name, dbus_string_body, error_name, module_name, spin_until)

INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"


def assert_alive(lp):
    """The daemon runs, answers, and is not stuck in a cycle."""
    assert lp.daemon.proc.poll() is None, lp.daemon.log()
    assert "check-interval" in lp.daemon.get_config()
    assert lp.prop("CheckState") != "checking"


def raw_call(conn, method, variant):
    return conn.call_sync(BUS_NAME, OBJECT_PATH, INTERFACE, method, variant, None,
                          Gio.DBusCallFlags.NONE, -1, None)


@pytest.mark.parametrize("method, variant", [
    ("Enable", GLib.Variant("(i)", (42,))),
    ("Enable", GLib.Variant("(ss)", ("a", "b"))),
    ("Enable", None),
    ("SetConfig", GLib.Variant("(s)", ("check-interval=5",))),
    ("SetConfig", GLib.Variant("(a{sv})", ({"check-interval": GLib.Variant("u", 5)},))),
    ("Refresh", GLib.Variant("(s)", ("now",))),
    ("GetConfig", GLib.Variant("(b)", (True,))),
], ids=["enable-int", "enable-two", "enable-none", "setconfig-string", "setconfig-variant",
        "refresh-arg", "getconfig-arg"])
def test_wrong_argument_types_are_refused(lp, method, variant):
    lp.server.publish([])
    config = lp.daemon.get_config()
    with pytest.raises(GLib.Error) as info:
        raw_call(lp.daemon.conn, method, variant)
    assert dbus_error_name(info.value) == INVALID_ARGS
    assert lp.daemon.get_config() == config
    assert lp.prop("Enabled") is False
    assert lp.server.requests("/v1/client") == []
    assert_alive(lp)


def test_ten_megabyte_token_is_refused(lp):
    with pytest.raises(GLib.Error) as info:
        lp.enable("t" * (10 * 1024 * 1024))
    assert error_name(info.value) == "InvalidArgument"
    assert lp.prop("Enabled") is False
    assert not os.path.exists(os.path.join(lp.daemon.state_dir, "machine-token"))
    assert lp.server.requests("/v1/client") == []
    assert_alive(lp)


def test_ten_megabyte_config_value_is_refused(lp):
    config = lp.daemon.get_config()
    with pytest.raises(GLib.Error) as info:
        lp.daemon.set_config({"no-proxy": "x" * (10 * 1024 * 1024)})
    assert error_name(info.value) == "InvalidArgument"
    assert lp.daemon.get_config() == config
    assert_alive(lp)


def test_invalid_utf8_never_reaches_the_daemon(lp):
    """GDBus cannot even send it; a raw client can, and the bus drops it."""
    client = RawBusClient(lp.daemon.bus.address)
    client.send(BUS_NAME.encode(), OBJECT_PATH.encode(), INTERFACE.encode(), b"Enable",
                b"s", dbus_string_body(b"tok\xff\xfeen\xc0\x80"))
    client.read_until_closed()
    client.close()
    assert lp.prop("Enabled") is False
    assert lp.server.requests("/v1/client") == []
    assert_alive(lp)


def test_thousand_concurrent_refreshes_from_fifty_connections(enabled):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    # Every check takes a while, so the calls pile up on the running one.
    lp.server.misbehave(mode="slow", on="updates", delay=2)
    conns = [lp.daemon.bus.connection() for _ in range(50)]
    try:
        calls = [AsyncCall(conn, "Refresh") for conn in conns for _ in range(20)]
        spin_until(lambda: all(c.done for c in calls), "every Refresh answered")
    finally:
        for conn in conns:
            conn.close_sync(None)
    errors = [f"{error_name(c.error)}: {c.error.message}" for c in calls if c.error is not None]
    assert errors == [], f"{len(errors)} of {len(calls)} failed, e.g. {errors[0]}"
    checks = lp.server.requests("/updates")
    # Calls made while a check runs join it: far fewer checks than calls.
    assert 1 <= len(checks) <= 10, len(checks)
    assert len(lp.server.requests("/v1/patches/")) == 1
    assert lp.prop("PatchState") == "applied" and lp.loaded() == [module_name("57.3")]
    assert_alive(lp)


def test_caller_disconnecting_while_polkit_decides(lp, polkitd):
    # CheckAuthorization answers yes, but only after a pause.
    code = "__import__('time').sleep(2)\nret = (True, False, {})"
    polkitd._mock("AddMethod", GLib.Variant("(sssss)", (
        "", "CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", code)))
    quitter = lp.daemon.bus.connection()
    quitter.call(BUS_NAME, OBJECT_PATH, INTERFACE, "SetConfig",
                 GLib.Variant("(a{ss})", ({"check-interval": "77"},)), None,
                 Gio.DBusCallFlags.NONE, -1, None, None)
    quitter.flush_sync(None)
    spin_until(lambda: len(polkitd_calls(polkitd)) >= 1, "polkit asked")
    quitter.close_sync(None)
    # The next caller is served: nothing waits for the vanished one.
    lp.daemon.set_config({"check-interval": "88"})
    assert lp.daemon.get_config()["check-interval"] == "88"
    assert_alive(lp)


def polkitd_calls(polkitd):
    conn = polkitd.bus.connection()
    try:
        reply = conn.call_sync(polkitd.NAME, polkitd.PATH, "org.freedesktop.DBus.Mock",
                               "GetMethodCalls", GLib.Variant("(s)", ("CheckAuthorization",)),
                               None, Gio.DBusCallFlags.NONE, -1, None)
    finally:
        conn.close_sync(None)
    return reply.unpack()[0]


def test_ten_thousand_property_reads_during_an_apply(enabled):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.server.misbehave(mode="slow", on="download", delay=1)
    reader = lp.daemon.bus.connection()
    refresh = lp.call_async("Refresh")
    seen = set()
    try:
        for i in range(10000):
            name = ("PatchState", "Progress", "CheckState", "Fixes")[i % 4]
            reply = reader.call_sync(BUS_NAME, OBJECT_PATH, "org.freedesktop.DBus.Properties",
                                     "Get", GLib.Variant("(ss)", (INTERFACE, name)),
                                     GLib.VariantType("(v)"), Gio.DBusCallFlags.NONE, -1, None)
            value = reply.unpack()[0]
            if name == "PatchState":
                seen.add(value)
            elif name == "Progress":
                assert 0 <= value <= 100
    finally:
        reader.close_sync(None)
    refresh.wait()
    assert refresh.error is None, refresh.error
    assert seen <= {"unapplied", "downloading", "applying", "applied"}, seen
    assert lp.prop("PatchState") == "applied" and lp.loaded() == [module_name("57.3")]
    assert_alive(lp)
