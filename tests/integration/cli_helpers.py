# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the canonical-livepatch tests (test_cli.py).

``run_cli(*args, input=None, env=None)`` -> subprocess.CompletedProcess (text)
    runs the built CLI with LC_ALL=C.UTF-8 and the test's DBUS_SYSTEM_BUS_ADDRESS.
``run_cli_on_tty(*args, wrapper=())`` -> (exit code, output)
    runs it with stdin, stdout and stderr on a pseudo-terminal, as a person would.
``assert_one_error_line(result, *fragments)``
    exit code 1, nothing on stdout, exactly one "canonical-livepatch: ..." line
    on stderr holding every fragment, no GDBus prefix and no GLib warning.
``LivepatchServer`` / fixture ``patch_server``
    tests/server/livepatch-server on 127.0.0.1 with a temporary patch
    directory; ``.url``, ``.publish(index)``, ``.requests()``.
``fresh_config(daemon)``: the daemon's GetConfig, and the file's bytes, for
    "nothing changed" assertions.
``PolicyBus(tmpdir, env)``
    a private system bus that, unlike conftest's, denies by default like
    Debian's system.conf, includes dbus/com.canonical.Livepatch.conf, and
    activates services from ``tmpdir/services``; usable with conftest's
    Polkit and Daemon. ``.pid_of(name)`` gives the pid owning a name.
``polkit_check_flags(system_bus)`` -> [(action, flags)] of every
    CheckAuthorization the mock polkitd received (dbusmock's call log);
    flags bit 1 = AllowUserInteraction.
"""

import json
import os
import pty
import select
import subprocess
import tempfile
import time
import urllib.request

import pytest
from gi.repository import Gio, GLib

from conftest import BUILD_DIR, CLI, SRC_DIR, STARTUP_DEADLINE, Polkit, SystemBus, _wait_for

SERVER = os.path.join(SRC_DIR, "tests", "server", "livepatch-server")
NOT_ENABLED_HINT = ("Machine is not enabled. Please run 'sudo canonical-livepatch enable' with the\n"
                    "token obtained from https://ubuntu.com/livepatch.")


def cli_env(extra=None):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    env.pop("G_MESSAGES_DEBUG", None)
    if extra:
        env.update(extra)
    return env


def run_cli(*args, input=None, env=None):
    # never the caller's terminal: whether stdin is a tty changes the CLI's behaviour
    stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=cli_env(env),
                          timeout=120, **stdin)


def run_cli_on_tty(*args, env=None, wrapper=()):
    """Runs the CLI on a pseudo-terminal (behind the command ``wrapper``, e.g.
    setpriv); returns (exit code, everything it wrote)."""
    argv = [*wrapper, CLI, *args]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, cli_env(env))
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 120)
        if not ready:
            break
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def assert_one_error_line(result, *fragments):
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("canonical-livepatch: "), line
    # the remote-error prefix is stripped (a daemon message may still quote one)
    assert not line.startswith("canonical-livepatch: GDBus.Error"), line
    assert "WARNING" not in line and "CRITICAL" not in line, line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


def fresh_config(daemon):
    config = daemon.get_config()
    try:
        with open(daemon.config_path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        data = None
    return config, data


POLICY_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.PolicyKit1"/>
  </policy>
  <policy user="root">
    <allow own="org.freedesktop.PolicyKit1"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>{policy}</include>
</busconfig>
"""


class PolicyBus(SystemBus):
    def __init__(self, tmpdir, env=None):
        self.dir = tmpdir
        os.chmod(tmpdir, 0o755)  # other users connect to the socket
        self.services = os.path.join(tmpdir, "services")
        os.makedirs(self.services, exist_ok=True)
        socket = os.path.join(tmpdir, "system_bus_socket")
        conf = os.path.join(tmpdir, "system.conf")
        with open(conf, "w") as f:
            f.write(POLICY_BUS_CONFIG.format(
                socket=socket, services=self.services,
                policy=os.path.join(SRC_DIR, "dbus", "com.canonical.Livepatch.conf")))
        self.address = f"unix:path={socket}"
        self.proc = subprocess.Popen(["dbus-daemon", "--config-file", conf, "--nofork",
                                      "--nopidfile", "--nosyslog"],
                                     env=dict(os.environ, **(env or {}),
                                              DBUS_SYSTEM_BUS_ADDRESS=self.address))
        _wait_for(lambda: os.path.exists(socket), "dbus-daemon", self.proc)

    def pid_of(self, name):
        conn = self.connection()
        try:
            reply = conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                   GLib.Variant("(s)", (name,)), GLib.VariantType("(u)"),
                                   Gio.DBusCallFlags.NONE, -1, None)
            return reply.unpack()[0]
        finally:
            conn.close_sync(None)


def polkit_calls(system_bus):
    """[(method, args)] the mock polkitd received, in order."""
    conn = system_bus.connection()
    try:
        reply = conn.call_sync(Polkit.NAME, Polkit.PATH, "org.freedesktop.DBus.Mock", "GetCalls",
                               None, GLib.VariantType("(a(tsav))"), Gio.DBusCallFlags.NONE, -1, None)
    finally:
        conn.close_sync(None)
    return [(method, args) for _, method, args in reply.unpack()[0]]


def polkit_check_flags(system_bus):
    return [(args[1], args[3]) for method, args in polkit_calls(system_bus)
            if method == "CheckAuthorization"]


class LivepatchServer:
    def __init__(self, tmpdir, extra_args=()):
        self.patch_dir = os.path.join(tmpdir, "patches")
        os.makedirs(self.patch_dir, exist_ok=True)
        port_file = os.path.join(tmpdir, "port")
        self.log_path = os.path.join(tmpdir, "server.log")
        self.publish({"supported": "supported", "patches": []})
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(["/usr/bin/python3", SERVER, "--patch-dir", self.patch_dir,
                                          "--port", "0", "--port-file", port_file, *extra_args],
                                         stderr=log)
        deadline = time.monotonic() + STARTUP_DEADLINE
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("livepatch-server did not start: " + open(self.log_path).read())
            time.sleep(0.05)
        with open(port_file) as f:
            self.url = f"http://127.0.0.1:{int(f.read().strip())}"

    def publish(self, index):
        tmp = os.path.join(self.patch_dir, "index.json.tmp")
        with open(tmp, "w") as f:
            json.dump(index, f)
        os.rename(tmp, os.path.join(self.patch_dir, "index.json"))

    def requests(self):
        with urllib.request.urlopen(self.url + "/_log") as reply:
            return json.load(reply)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


@pytest.fixture
def patch_server():
    tmpdir = tempfile.mkdtemp(prefix="lp-srv-")
    server = LivepatchServer(tmpdir)
    yield server
    server.stop()


def make_signing_cert(outdir):
    subprocess.run(["/usr/bin/python3", os.path.join(SRC_DIR, "tests", "tools", "make-signing-cert"),
                    outdir], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(outdir, "signing_key.pem"), os.path.join(outdir, "signing_cert.pem")


def make_test_patch(key, cert, kernel, arch, version, output, fixes=()):
    args = ["/usr/bin/python3", os.path.join(SRC_DIR, "tests", "tools", "make-test-patch"),
            "--key", key, "--cert", cert, "--kernel", kernel, "--arch", arch,
            "--version", version, "--output", output, "--json"]
    for fix in fixes:
        args += ["--fix", fix]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


__all__ = ["BUILD_DIR", "NOT_ENABLED_HINT", "run_cli", "run_cli_on_tty", "assert_one_error_line",
           "fresh_config", "PolicyBus", "polkit_calls", "polkit_check_flags", "LivepatchServer", "patch_server", "make_signing_cert",
           "make_test_patch"]
