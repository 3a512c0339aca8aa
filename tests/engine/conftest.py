# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the engine suite: the integration suite's private system bus,
mock polkitd and livepatchd (tests/integration/conftest.py), plus the local
patch server, signing keys and patches made at test time.

``lp`` -> ``Livepatch``: a started livepatchd on a simulated kernel
(release RELEASE, amd64) trusting a fresh signing certificate, pointed at an
empty local server; polkit allows everything.
``kit`` -> ``PatchKit`` (session): ``kit.make(version, ...)`` builds a signed
patch tarball with tests/tools/make-test-patch and returns its path.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest
from gi.repository import Gio, GLib

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "lp_integration_conftest", os.path.join(HERE, "..", "integration", "conftest.py"))
it = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(it)

# Re-exported fixtures and helpers of the integration suite.
tmp_root = it.tmp_root
system_bus = it.system_bus
polkitd = it.polkitd
make_daemon = it.make_daemon
dbus_error_name = it.dbus_error_name
BUS_NAME, OBJECT_PATH, INTERFACE = it.BUS_NAME, it.OBJECT_PATH, it.INTERFACE
ERROR_PREFIX = it.ERROR_PREFIX
CLI = it.CLI



def _connect_when_listening(bus, _connect=it.SystemBus.connection):
    """dbus-daemon creates its socket file before it listens: a connection in
    between is refused. Retry those (reported to the integration suite)."""
    end = time.monotonic() + it.STARTUP_DEADLINE
    while True:
        try:
            return _connect(bus)
        except GLib.Error as exc:
            if (not exc.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CONNECTION_REFUSED)
                    or time.monotonic() > end):
                raise
            time.sleep(0.02)


it.SystemBus.connection = _connect_when_listening

TOOLS = os.path.join(it.SRC_DIR, "tests", "tools")
SERVER = os.path.join(it.SRC_DIR, "tests", "server", "livepatch-server")
PYTHON = "/usr/bin/python3"
RELEASE = "6.1.0-57-amd64"
ARCH = "amd64"
# Only turns a hang into a readable failure; no assertion depends on it.
DEADLINE = 60.0


def error_name(exc):
    """The short LP_ERROR name of a D-Bus error ("Rollback")."""
    name = dbus_error_name(exc) or ""
    return name[len(ERROR_PREFIX):] if name.startswith(ERROR_PREFIX) else name


class PatchKit:
    def __init__(self, root):
        self.root = root
        self.trusted = os.path.join(root, "trusted")
        self.untrusted = os.path.join(root, "untrusted")
        # Trusted certificates live in a root-owned 0700 directory, as required.
        self.certs_dir = os.path.join(root, "module-certs")
        for d in (self.trusted, self.untrusted):
            subprocess.run([PYTHON, os.path.join(TOOLS, "make-signing-cert"), "--bits", "2048",
                            d], check=True, stdout=subprocess.DEVNULL)
        os.makedirs(self.certs_dir, mode=0o700)
        shutil.copy(os.path.join(self.trusted, "signing_cert.pem"), self.certs_dir)
        self.cache = {}

    def make(self, version, kernel=RELEASE, arch=ARCH, key="trusted", compression="xz",
             fixes=None, unsigned=False, tamper=False, module=None, elf_name=None):
        fixes = tuple(fixes or (f"CVE-2026-{version.replace('.', '')}:fix for {version}:"
                                f"LP#{version.replace('.', '')}:true",))
        cache_key = (version, kernel, arch, key, compression, fixes, unsigned, tamper, module,
                     elf_name)
        if cache_key in self.cache:
            return self.cache[cache_key]
        keydir = self.trusted if key == "trusted" else self.untrusted
        ext = {"none": "tar", "gz": "tar.gz", "xz": "tar.xz", "bz2": "tar.bz2",
               "zst": "tar.zst"}[compression]
        out = os.path.join(self.root, f"p{len(self.cache)}-{version}.{ext}")
        args = [PYTHON, os.path.join(TOOLS, "make-test-patch"),
                "--key", os.path.join(keydir, "signing_key.pem"),
                "--cert", os.path.join(keydir, "signing_cert.pem"),
                "--kernel", kernel, "--arch", arch, "--version", version,
                "--compression", compression, "--output", out]
        for fix in fixes:
            args += ["--fix", fix]
        if unsigned:
            args.append("--unsigned")
        if tamper:
            args.append("--tamper")
        if module:  # file name in patch.json and the tarball
            args += ["--module-name", module]
        if elf_name:  # name inside the module
            args += ["--elf-name", elf_name]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        self.cache[cache_key] = out
        return out

    def junk(self, name="junk.tar.xz"):
        path = os.path.join(self.root, name)
        with open(path, "wb") as f:
            f.write(b"this is not a tarball\n" * 64)
        return path


class Server:
    def __init__(self, root):
        self.dir = os.path.join(root, "server")
        os.makedirs(self.dir, exist_ok=True)
        port_file = os.path.join(root, "server.port")
        self.log_path = os.path.join(root, "server.log")
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen([PYTHON, SERVER, "--patch-dir", self.dir,
                                          "--listen", "127.0.0.1", "--port", "0",
                                          "--port-file", port_file], stderr=log)
        it._wait_for(lambda: os.path.exists(port_file), "livepatch-server", self.proc)
        with open(port_file) as f:
            self.url = f"http://127.0.0.1:{f.read().strip()}"
        self.publish([])

    def publish(self, patches, supported="supported", **index_members):
        """patches: list of (version, path[, kernel[, arch[, extra members]]]);
        replaces the index. index_members are more top-level index members,
        named with _ for - (upgrade_required_date=..., cve_fixes=...)."""
        entries = []
        for p in patches:
            version, path = p[0], p[1]
            kernel = p[2] if len(p) > 2 else RELEASE
            arch = p[3] if len(p) > 3 else ARCH
            name = os.path.basename(path)
            shutil.copy(path, os.path.join(self.dir, name))
            entries.append({"kernel": kernel, "architecture": arch, "version": version,
                            "file": name, **(p[4] if len(p) > 4 else {})})
        tmp = os.path.join(self.dir, "index.json.tmp")
        with open(tmp, "w") as f:
            json.dump({"supported": supported, "patches": entries,
                       **{k.replace("_", "-"): v for k, v in index_members.items()}}, f)
        os.rename(tmp, os.path.join(self.dir, "index.json"))

    def _request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=DEADLINE) as reply:
            return reply.read()

    def requests(self, part=None):
        log = json.loads(self._request("GET", "/_log"))
        return [r for r in log if part is None or part in r["path"]]

    def control(self, body):
        self._request("POST", "/_control", body)

    def misbehave(self, **rule):
        self.control({"misbehave": [rule]})

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


class Recorder:
    """Collects PropertiesChanged (name, value) pairs in arrival order."""

    def __init__(self, conn):
        self.conn = conn
        self.events = []
        self.sub = conn.signal_subscribe(BUS_NAME, "org.freedesktop.DBus.Properties",
                                         "PropertiesChanged", OBJECT_PATH, None,
                                         Gio.DBusSignalFlags.NONE, self._on_signal)

    def _on_signal(self, _conn, _sender, _path, _iface, _signal, params):
        iface, changed, _invalidated = params.unpack()
        if iface == INTERFACE:
            self.events.extend(changed.items())

    def values(self, name):
        return [v for k, v in self.events if k == name]

    def stop(self):
        self.conn.signal_unsubscribe(self.sub)


def process_gone(pid):
    """True once @pid has exited (a zombie not yet reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def spin_until(predicate, what="condition"):
    """Runs the default main context until predicate() holds."""
    ctx = GLib.MainContext.default()
    wake = GLib.timeout_add(20, lambda: True)
    end = time.monotonic() + DEADLINE
    try:
        while not predicate():
            if time.monotonic() > end:
                raise AssertionError(f"never happened: {what}")
            ctx.iteration(True)
    finally:
        GLib.source_remove(wake)


class AsyncCall:
    def __init__(self, conn, method, args=None, signature=None):
        self.done = False
        self.result = None
        self.error = None
        variant = GLib.Variant(signature, args) if signature else None
        conn.call(BUS_NAME, OBJECT_PATH, INTERFACE, method, variant, None,
                  Gio.DBusCallFlags.NONE, int(DEADLINE * 1000), None, self._on_reply)

    def _on_reply(self, conn, result):
        try:
            self.result = conn.call_finish(result).unpack()
        except GLib.Error as exc:
            self.error = exc
        self.done = True

    def wait(self):
        spin_until(lambda: self.done, "method reply")
        return self


class Livepatch:
    def __init__(self, daemon, server, kit):
        self.daemon = daemon
        self.server = server
        self.kit = kit

    # --- D-Bus ---
    def call(self, method, *args, signature=None):
        return self.daemon.call(method, args if signature else None, signature)

    def enable(self, token="test-token"):
        self.call("Enable", token, signature="(s)")

    def refresh(self):
        self.call("Refresh")

    def refresh_error(self):
        """Refresh that must fail; returns the short error name."""
        with pytest.raises(GLib.Error) as info:
            self.refresh()
        return error_name(info.value)

    def prop(self, name):
        return self.daemon.get(name)

    def call_async(self, method, args=None, signature=None):
        return AsyncCall(self.daemon.conn, method, args, signature)

    def wait_prop(self, name, value):
        spin_until(lambda: self.prop(name) == value, f"{name} == {value!r}")

    # --- files ---
    def loaded(self):
        """Livepatches enabled in the simulated kernel."""
        root = os.path.join(self.daemon.sim_dir, "sys", "kernel", "livepatch")
        names = []
        for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
            with open(os.path.join(root, name, "enabled")) as f:
                if f.read().strip() == "1":
                    names.append(name)
        return names

    def patch_files(self):
        """The patches stored under patches/: each a verified module
        <sha256>.ko with its <sha256>.manifest beside it, listed once, by the
        module. Any other file (a module or manifest alone, a temporary
        file) is listed as it is: a test that expects nothing on disk, or
        one patch, sees it."""
        names = set(os.listdir(os.path.join(self.daemon.state_dir, "patches")))
        found = []
        for name in names:
            base, ext = os.path.splitext(name)
            if ext == ".manifest" and base + ".ko" in names:
                continue  # counted with its module
            if ext == ".ko" and base + ".manifest" not in names:
                name += " (no manifest)"
            found.append(name)
        return sorted(found)

    def fetch_helpers(self):
        """Process ids of the livepatch-fetch helpers the daemon runs now."""
        pid = self.daemon.proc.pid
        found = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(child) for child in f.read().split()]
        return sorted(found)

    def stored_module(self):
        """Path of the one stored module (patches/<sha256>.ko)."""
        [name] = self.patch_files()
        assert name.endswith(".ko"), name
        return os.path.join(self.daemon.state_dir, "patches", name)

    def lock_path(self, module):
        return os.path.join(self.daemon.state_dir, "locks", module)

    def set_mode(self, mode):
        with open(self.daemon.mode_file, "w") as f:
            f.write(mode + "\n")

    def reboot(self, while_down=None):
        """Stops the daemon, empties the simulated kernel, starts again;
        @while_down runs in between, as something done to a stopped machine."""
        assert self.daemon.stop() == 0, self.daemon.log()
        if while_down:
            while_down()
        for sub in ("modules", os.path.join("sys", "kernel", "livepatch")):
            path = os.path.join(self.daemon.sim_dir, sub)
            shutil.rmtree(path, ignore_errors=True)
            os.makedirs(path)
        self.daemon.start()

    def cli(self, *args):
        return subprocess.run([CLI] + list(args), capture_output=True, text=True,
                              timeout=DEADLINE)

    # --- scenarios ---
    def apply(self, version, **make_args):
        """Publishes @version alone and refreshes until it is applied."""
        self.server.publish([(version, self.kit.make(version, **make_args))])
        self.refresh()
        assert self.prop("PatchState") == "applied"
        assert self.prop("PatchVersion") == version


def module_name(version, kernel=RELEASE):
    tag = "".join(c if c.isalnum() else "_" for c in kernel)
    return f"lkp_Test_{tag}_{version.replace('.', '_')}"


@pytest.fixture(scope="session")
def kit():
    root = tempfile.mkdtemp(prefix="lp-kit-")
    yield PatchKit(root)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def server(tmp_root):
    s = Server(tmp_root)
    yield s
    s.stop()


def write_file(path, text):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


@pytest.fixture
def lp_stopped(make_daemon, polkitd, server, kit):
    """A configured daemon, not started yet (for tests that prepare state)."""
    polkitd.allow_all()
    daemon = make_daemon(start=False, extra_args=("--module-certs-dir", kit.certs_dir))
    write_file(os.path.join(daemon.sim_dir, "release"), RELEASE + "\n")
    write_file(os.path.join(daemon.sim_dir, "machine"), "x86_64\n")
    # No automatic checks: every check in a test is one the test asked for.
    write_file(daemon.config_path,
               f"[livepatch]\nremote-server={server.url}\ncheck-interval=0\n")
    return Livepatch(daemon, server, kit)


@pytest.fixture
def lp(lp_stopped):
    lp_stopped.daemon.start()
    return lp_stopped


@pytest.fixture
def enabled(lp):
    lp.enable()
    return lp
