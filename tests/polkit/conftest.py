# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the polkit suite: the integration fixtures (tests/integration/
conftest.py, loaded under another module name) plus the real polkitd.

``real_polkitd`` -> ``RealPolkit``
    Debian's /usr/lib/polkit-1/polkitd on the private system bus, in a private
    mount namespace where /usr/share/polkit-1/actions holds only our built
    policy and /etc/polkit-1/rules.d a temp directory: the host's polkit
    configuration is neither read nor touched.  ``add_rule(name, js)`` writes
    a rules.d file (polkitd reloads rules when the directory changes) and
    waits until polkitd has loaded it.
    polkitd drops to its own user, so the bus socket lives in a directory
    every user may enter (``tmp_root`` is 0755 here).
"""

import importlib.util
import os
import shutil
import subprocess
import tempfile

import pytest

_spec = importlib.util.spec_from_file_location(
    "lp_integration_fixtures",
    os.path.join(os.path.dirname(__file__), "..", "integration", "conftest.py"))
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
globals().update({k: v for k, v in vars(_fixtures).items() if not k.startswith("__")})

POLKITD = "/usr/lib/polkit-1/polkitd"
ACTIONS = ("enable", "disable", "refresh", "configure", "show-secrets")
POLICY = os.path.join(_fixtures.BUILD_DIR, "polkit", "com.canonical.livepatch.policy")


@pytest.fixture
def tmp_root():  # noqa: F811 - replaces the integration one: 0755, not 0700
    d = tempfile.mkdtemp(prefix="lp-pk-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


class RealPolkit:
    def __init__(self, bus, tmpdir):
        self.bus = bus
        self.actions = os.path.join(tmpdir, "actions")
        self.rules = os.path.join(tmpdir, "rules.d")
        for d in (self.actions, self.rules):
            os.makedirs(d, mode=0o755)
        with open(POLICY, "rb") as src, open(os.path.join(self.actions, os.path.basename(POLICY)),
                                             "wb") as dst:
            dst.write(src.read())
        self.log_path = os.path.join(tmpdir, "polkitd.log")
        script = ("mount --bind \"$1\" /usr/share/polkit-1/actions && "
                  "mount --bind \"$2\" /etc/polkit-1/rules.d && exec \"$3\" --no-debug")
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.address)
        with open(self.log_path, "w") as log:
            # unshare execs in place: self.proc is polkitd itself in the end.
            self.proc = subprocess.Popen(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                 self.actions, self.rules, POLKITD], env=env, stdout=log, stderr=log)
        _fixtures._wait_for(lambda: bus.has_owner("org.freedesktop.PolicyKit1"), "polkitd",
                            self.proc)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def pkcheck(self, action, user=None):
        """pkcheck's exit code for a process of @user (None = root)."""
        shell = ["sh", "-c", f"exec pkcheck --action-id {action} --process $$"]
        if user is not None:
            shell = ["runuser", "-u", user, "--"] + shell
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address)
        return subprocess.run(shell, env=env, capture_output=True, text=True).returncode

    def add_rule(self, name, js, probe_action, probe_user):
        """Installs a rules.d file and waits until polkitd applies it (the
        reload follows an inotify event; the deadline only turns a hang into
        a failure)."""
        with open(os.path.join(self.rules, name), "w") as f:
            f.write(js)
        _fixtures._wait_for(lambda: self.pkcheck(probe_action, probe_user) == 0,
                            f"polkitd loading {name}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def call_as(bus, user, method, *args):
    """Calls a livepatchd method with gdbus as @user (None = root); returns
    (exit code, D-Bus error name or None, output)."""
    cmd = ["env", f"DBUS_SYSTEM_BUS_ADDRESS={bus.address}", "gdbus", "call", "--system",
           "--dest", _fixtures.BUS_NAME, "--object-path", _fixtures.OBJECT_PATH,
           "--method", f"{_fixtures.INTERFACE}.{method}"] + list(args)
    if user is not None:
        cmd = ["runuser", "-u", user, "--"] + cmd
    done = subprocess.run(cmd, capture_output=True, text=True)
    error = None
    marker = "GDBus.Error:"
    if marker in done.stderr:
        error = done.stderr.split(marker, 1)[1].split(":", 1)[0].strip()
    return done.returncode, error, done.stdout + done.stderr


def polkitd_unavailable():
    """Why the real polkitd cannot run here, or None."""
    if not os.access(POLKITD, os.X_OK):
        return f"{POLKITD} is missing (Debian package polkitd)"
    if os.geteuid() != 0:
        return "needs root: polkitd drops to its own user and the test bind-mounts its policy"
    if not os.path.exists(POLICY):
        return f"{POLICY} is not built"
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return "cannot make a private mount namespace: " + probe.stderr.strip()
    return None


@pytest.fixture
def real_polkitd(system_bus, tmp_root):
    why = polkitd_unavailable()
    if why is not None:
        # The rule: a polkitd that cannot run is a failure, not a skip.
        pytest.fail("real polkitd cannot run here: " + why)
    pk = RealPolkit(system_bus, os.path.join(tmp_root, "polkit"))
    yield pk
    pk.stop()
