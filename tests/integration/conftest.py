# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures for the integration suite: a private system bus, a mock
polkitd and livepatchd from the build tree.

Run with the system python (/usr/bin/python3: python3-gi, python3-dbusmock).
Every fixture is function-scoped, so each test starts from a clean slate.

Fixtures
--------
``system_bus`` -> ``SystemBus``
    A private dbus-daemon of *system* type (own config file, <type>system</type>,
    policy allowing everything, unix socket in a temp dir). Its address is
    exported as DBUS_SYSTEM_BUS_ADDRESS for the test process and every child.
    ``system_bus.connection()`` opens a fresh Gio.DBusConnection (never
    Gio.bus_get_sync: that caches the first bus for the whole process).

``polkitd`` -> ``Polkit``
    python-dbusmock's polkitd template on that bus; denies everything until
    ``polkitd.allow(*actions)`` (``polkitd.allow_all()``, ``polkitd.deny_all()``).
    ``polkitd.record_checks(allowed, challenge)`` then ``polkitd.checks()`` lists what was
    asked: [(subject kind, subject details, action id, flags)].
    A test that wants *no* polkit at all simply does not request it.

``daemon`` -> ``Daemon``  (needs system_bus; add polkitd yourself if needed)
    livepatchd with a temp STATE_DIRECTORY, --kernel-sim on a temp dir, a fixed
    machine id and empty mode/cmdline files; started, name owned, ready.
    ``daemon.call(method, args=None, signature=None)`` -> unpacked result tuple
    ``daemon.get(prop)`` / ``daemon.get_all()``       -> unpacked values
    ``daemon.set_config({...})``, ``daemon.get_config()``
    ``daemon.restart()``, ``daemon.stop()`` -> exit code, ``daemon.signal(sig)``
    ``daemon.state_dir``, ``daemon.sim_dir``, ``daemon.config_path``,
    ``daemon.machine_id``, ``daemon.log()`` (its stderr so far)
    ``daemon.extra_args`` (list) is passed on the next start/restart.
    ``daemon.env`` (dict) is added to livepatchd's environment on the next
    start/restart (LP_FETCH_HELPER=..., LP_TEST_FETCH_DEADLINE=...).
    ``daemon.wait_properties_changed(names, action)``: runs ``action()`` and
    waits for a PropertiesChanged that names every one of ``names``.

``livepatch_server`` -> ``LivepatchServer``
    tests/server/livepatch-server over plain HTTP on 127.0.0.1 with an empty
    patch dir (index.json: supported, no patches). ``.url`` is its base URL,
    ``.patch_dir`` its directory; ``.enable(daemon, polkitd)`` points the
    daemon's remote-server at it and calls Enable (granting the two actions).

``make_daemon`` -> factory ``make_daemon(start=True, extra_args=())``
    for tests that need a daemon configured before it starts.

Environment: LP_DAEMON_WRAPPER (e.g. "valgrind --error-exitcode=3 -q") is put
in front of livepatchd; ``daemon.stop()`` then returns the wrapper's verdict.

Helpers: ``dbus_error_name(exc)`` gives the remote D-Bus error name of a
GLib.Error; ``BUILD_DIR``, ``SRC_DIR``, ``LIVEPATCHD``, ``CLI``, ``XML_PATH``.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
from gi.repository import Gio, GLib

SRC_DIR = os.environ.get("LP_TOP_SRCDIR",
                         os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD_DIR = os.environ.get("LP_TOP_BUILDDIR", os.path.join(SRC_DIR, "build"))
LIVEPATCHD = os.path.join(BUILD_DIR, "src", "livepatchd")
CLI = os.path.join(BUILD_DIR, "src", "cli", "canonical-livepatch")
SERVER = os.path.join(SRC_DIR, "tests", "server", "livepatch-server")
XML_PATH = os.path.join(SRC_DIR, "dbus", "com.canonical.Livepatch.xml")

BUS_NAME = "com.canonical.Livepatch"
OBJECT_PATH = "/com/canonical/Livepatch"
INTERFACE = "com.canonical.Livepatch"
ERROR_PREFIX = "com.canonical.Livepatch.Error."
MACHINE_ID = "0123456789abcdef0123456789abcdef"

# Waiting for a child to come up is not a timed assertion: the deadline
# only turns a hang into a readable failure.
STARTUP_DEADLINE = 30.0

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
"""


def dbus_error_name(exc):
    """The D-Bus error name carried by a GLib.Error from a Gio call."""
    return Gio.DBusError.get_remote_error(exc) if Gio.DBusError.is_remote_error(exc) else None


def _wait_for(predicate, what, proc=None):
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {proc.returncode}")
        time.sleep(0.05)
    raise RuntimeError(f"{what}: not ready after {STARTUP_DEADLINE} s")


class SystemBus:
    def __init__(self, tmpdir):
        self.dir = tmpdir
        socket = os.path.join(tmpdir, "system_bus_socket")
        conf = os.path.join(tmpdir, "system.conf")
        with open(conf, "w") as f:
            f.write(BUS_CONFIG.format(socket=socket))
        # The socket file appears at bind(), before listen(): wait for the
        # address dbus-daemon prints once it really accepts connections.
        self.proc = subprocess.Popen(["dbus-daemon", "--config-file", conf, "--nofork",
                                      "--nopidfile", "--nosyslog", "--print-address=1"],
                                     stdout=subprocess.PIPE, text=True)
        printed = self.proc.stdout.readline().strip()
        self.proc.stdout.close()
        if not printed:
            raise RuntimeError(f"dbus-daemon exited with {self.proc.wait()}")
        self.address = f"unix:path={socket}"

    def connection(self):
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                 | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        return Gio.DBusConnection.new_for_address_sync(self.address, flags, None, None)

    def has_owner(self, name):
        conn = self.connection()
        try:
            reply = conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "NameHasOwner",
                                   GLib.Variant("(s)", (name,)), GLib.VariantType("(b)"),
                                   Gio.DBusCallFlags.NONE, -1, None)
            return reply.unpack()[0]
        finally:
            conn.close_sync(None)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Polkit:
    NAME = "org.freedesktop.PolicyKit1"
    PATH = "/org/freedesktop/PolicyKit1/Authority"

    def __init__(self, bus):
        self.bus = bus
        self.proc = subprocess.Popen(["/usr/bin/python3", "-m", "dbusmock", "--system",
                                      "--template", "polkitd"],
                                     stdout=subprocess.DEVNULL)
        _wait_for(lambda: bus.has_owner(self.NAME), "mock polkitd", self.proc)

    def _mock(self, method, variant):
        conn = self.bus.connection()
        try:
            conn.call_sync(self.NAME, self.PATH, "org.freedesktop.DBus.Mock", method, variant,
                           None, Gio.DBusCallFlags.NONE, -1, None)
        finally:
            conn.close_sync(None)

    def allow(self, *actions):
        self._mock("SetAllowed", GLib.Variant("(as)", (list(actions),)))

    def allow_all(self):
        self._mock("AllowUnknown", GLib.Variant("(b)", (True,)))

    def deny_all(self):
        self._mock("AllowUnknown", GLib.Variant("(b)", (False,)))
        self.allow()

    def record_checks(self, allowed=True, challenge=False):
        """Replaces CheckAuthorization with one that answers (allowed,
        challenge) and is logged, so ``checks()`` can show what the daemon asked."""
        code = f"ret = ({bool(allowed)}, {bool(challenge)}, {{}})"
        self._mock("AddMethod", GLib.Variant("(sssss)", (
            "", "CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", code)))

    def checks(self):
        """[(subject_kind, subject_details, action_id, flags)] since record_checks()."""
        conn = self.bus.connection()
        try:
            reply = conn.call_sync(self.NAME, self.PATH, "org.freedesktop.DBus.Mock",
                                   "GetMethodCalls", GLib.Variant("(s)", ("CheckAuthorization",)),
                                   None, Gio.DBusCallFlags.NONE, -1, None)
        finally:
            conn.close_sync(None)
        result = []
        for _stamp, args in reply.unpack()[0]:
            (kind, details), action, _details, flags, _cancel = args
            result.append((kind, details, action, flags))
        return result

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class LivepatchServer:
    def __init__(self, tmpdir):
        self.patch_dir = os.path.join(tmpdir, "patches")
        os.makedirs(self.patch_dir, exist_ok=True)
        with open(os.path.join(self.patch_dir, "index.json"), "w") as f:
            f.write('{"supported": "supported", "patches": []}\n')
        port_file = os.path.join(tmpdir, "server.port")
        self.log_path = os.path.join(tmpdir, "server.log")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(["/usr/bin/python3", SERVER, "--patch-dir",
                                          self.patch_dir, "--port", "0", "--port-file",
                                          port_file], stderr=log)
        _wait_for(lambda: os.path.exists(port_file), "livepatch-server", self.proc)
        with open(port_file) as f:
            self.port = int(f.read().strip())
        self.url = f"http://127.0.0.1:{self.port}"

    def enable(self, daemon, polkitd, token="test-token"):
        polkitd.allow("com.canonical.livepatch.configure", "com.canonical.livepatch.enable")
        daemon.set_config({"remote-server": self.url})
        daemon.call("Enable", (token,), "(s)")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Daemon:
    def __init__(self, bus, tmpdir, extra_args=()):
        self.bus = bus
        self.tmpdir = tmpdir
        self.state_dir = os.path.join(tmpdir, "state")
        self.sim_dir = os.path.join(tmpdir, "kernel")
        self.config_path = os.path.join(self.state_dir, "config")
        self.machine_id = MACHINE_ID
        self.machine_id_file = os.path.join(tmpdir, "machine-id")
        self.mode_file = os.path.join(tmpdir, "mode")
        self.cmdline_file = os.path.join(tmpdir, "cmdline")
        self.stderr_path = os.path.join(tmpdir, "livepatchd.log")
        self.extra_args = list(extra_args)
        self.env = {}
        self.proc = None
        self.conn = None
        os.makedirs(self.sim_dir, exist_ok=True)
        with open(self.machine_id_file, "w") as f:
            f.write(MACHINE_ID + "\n")
        with open(self.cmdline_file, "w") as f:
            f.write("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet\n")

    def start(self):
        env = dict(os.environ, STATE_DIRECTORY=self.state_dir,
                   DBUS_SYSTEM_BUS_ADDRESS=self.bus.address)
        env.pop("JOURNAL_STREAM", None)
        env.update(self.env)
        wrapper = os.environ.get("LP_DAEMON_WRAPPER", "").split()
        args = wrapper + [LIVEPATCHD, "--debug", "--kernel-sim", self.sim_dir,
                "--machine-id-file", self.machine_id_file, "--mode-file", self.mode_file,
                "--cmdline-file", self.cmdline_file] + self.extra_args
        stderr = open(self.stderr_path, "a")
        self.proc = subprocess.Popen(args, env=env, stderr=stderr)
        stderr.close()
        _wait_for(lambda: self.bus.has_owner(BUS_NAME), "livepatchd", self.proc)
        self.conn = self.bus.connection()

    def stop(self, sig=signal.SIGTERM):
        """Stops the daemon; returns its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait()
        self.proc = None
        if self.conn is not None:
            self.conn.close_sync(None)
            self.conn = None
        return code

    def restart(self):
        assert self.stop() == 0, self.log()
        self.start()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def log(self):
        with open(self.stderr_path, errors="replace") as f:
            return f.read()

    def call(self, method, args=None, signature=None, interactive=False):
        variant = GLib.Variant(signature, args) if signature else None
        flags = (Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION if interactive
                 else Gio.DBusCallFlags.NONE)
        reply = self.conn.call_sync(BUS_NAME, OBJECT_PATH, INTERFACE, method, variant, None,
                                    flags, -1, None)
        return reply.unpack() if reply is not None else ()

    def get(self, prop):
        return self.call_raw_property(prop).unpack()

    def call_raw_property(self, prop):
        reply = self.conn.call_sync(BUS_NAME, OBJECT_PATH, "org.freedesktop.DBus.Properties",
                                    "Get", GLib.Variant("(ss)", (INTERFACE, prop)),
                                    GLib.VariantType("(v)"), Gio.DBusCallFlags.NONE, -1, None)
        return reply.get_child_value(0).get_variant()

    def get_all_raw(self):
        reply = self.conn.call_sync(BUS_NAME, OBJECT_PATH, "org.freedesktop.DBus.Properties",
                                    "GetAll", GLib.Variant("(s)", (INTERFACE,)),
                                    GLib.VariantType("(a{sv})"), Gio.DBusCallFlags.NONE, -1,
                                    None)
        props = reply.get_child_value(0)
        return {props.get_child_value(i).get_child_value(0).get_string():
                props.get_child_value(i).get_child_value(1).get_variant()
                for i in range(props.n_children())}

    def get_all(self):
        return {k: v.unpack() for k, v in self.get_all_raw().items()}

    def get_config(self):
        return self.call("GetConfig")[0]

    def set_config(self, changes):
        return self.call("SetConfig", (changes,), "(a{ss})")

    def wait_properties_changed(self, names, action):
        """Runs action() and waits until PropertiesChanged has named all of names.
        Returns {name: new value} from the signals."""
        seen = {}
        loop = GLib.MainLoop()
        deadline_hit = []

        def quit_on_deadline():
            deadline_hit.append(True)
            loop.quit()
            return False

        def on_signal(_conn, _sender, _path, _iface, _signal, params):
            iface, changed, invalidated = params.unpack()
            if iface != INTERFACE:
                return
            seen.update(changed)
            for name in invalidated:
                seen.setdefault(name, None)
            if all(n in seen for n in names):
                loop.quit()

        sub = self.conn.signal_subscribe(BUS_NAME, "org.freedesktop.DBus.Properties",
                                         "PropertiesChanged", OBJECT_PATH, None,
                                         Gio.DBusSignalFlags.NONE, on_signal)
        try:
            result = {}

            def run_action():
                result["value"] = action()
                return False

            GLib.idle_add(run_action)
            timeout = GLib.timeout_add_seconds(int(STARTUP_DEADLINE), quit_on_deadline)
            loop.run()
            if not deadline_hit:
                GLib.source_remove(timeout)
        finally:
            self.conn.signal_unsubscribe(sub)
        return seen


@pytest.fixture
def tmp_root():
    d = tempfile.mkdtemp(prefix="lp-it-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def system_bus(tmp_root, monkeypatch):
    if not os.path.exists(LIVEPATCHD):
        pytest.fail(f"{LIVEPATCHD} is not built")
    bus = SystemBus(tmp_root)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
    yield bus
    bus.stop()


@pytest.fixture
def polkitd(system_bus):
    pk = Polkit(system_bus)
    yield pk
    pk.stop()


@pytest.fixture
def livepatch_server(tmp_root):
    server = LivepatchServer(os.path.join(tmp_root, "server"))
    yield server
    server.stop()


@pytest.fixture
def make_daemon(system_bus, tmp_root):
    made = []

    def factory(start=True, extra_args=()):
        d = Daemon(system_bus, os.path.join(tmp_root, f"d{len(made)}"), extra_args)
        os.makedirs(d.tmpdir, exist_ok=True)
        os.makedirs(d.sim_dir, exist_ok=True)
        made.append(d)
        if start:
            d.start()
        return d

    yield factory
    for d in made:
        d.stop(signal.SIGKILL if d.proc is not None and d.proc.poll() is not None else
               signal.SIGTERM)


@pytest.fixture
def daemon(make_daemon):
    return make_daemon()
