# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the canonical-livepatch tests (test_cli.py).

``run_cli(*args, input=None, env=None)`` -> subprocess.CompletedProcess (text)
    runs the built CLI with LC_ALL=C.UTF-8 and the test's DBUS_SYSTEM_BUS_ADDRESS.
``run_cli_on_tty(*args)`` -> (exit code, output)
    runs it with stdin, stdout and stderr on a pseudo-terminal, as a person would.
``assert_one_error_line(result, *fragments)``
    exit code 1, nothing on stdout, exactly one "canonical-livepatch: ..." line
    on stderr holding every fragment, no GDBus prefix and no GLib warning.
``LivepatchServer`` / fixture ``patch_server``
    tests/server/livepatch-server on 127.0.0.1 with a temporary patch
    directory; ``.url``, ``.publish(index)``, ``.requests()``.
``fresh_config(daemon)``: the daemon's GetConfig, and the file's bytes, for
    "nothing changed" assertions.
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

from conftest import BUILD_DIR, CLI, SRC_DIR, STARTUP_DEADLINE

SERVER = os.path.join(SRC_DIR, "tests", "server", "livepatch-server")
NOT_ENABLED_HINT = ("Machine is not enabled. Please run 'sudo canonical-livepatch enable' "
                    "with the token obtained from https://ubuntu.com/pro.")


def cli_env(extra=None):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    env.pop("G_MESSAGES_DEBUG", None)
    if extra:
        env.update(extra)
    return env


def run_cli(*args, input=None, env=None):
    return subprocess.run([CLI, *args], input=input, capture_output=True, text=True,
                          env=cli_env(env), timeout=120)


def run_cli_on_tty(*args, env=None):
    """Runs the CLI on a pseudo-terminal; returns (exit code, everything it wrote)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(CLI, [CLI, *args], cli_env(env))
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
           "fresh_config", "LivepatchServer", "patch_server", "make_signing_cert",
           "make_test_patch"]
