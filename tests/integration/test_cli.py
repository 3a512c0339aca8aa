# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""canonical-livepatch against livepatchd on a private system bus.

Fixtures come from conftest.py (system_bus, polkitd, daemon, make_daemon) and
cli_helpers.py (patch_server). Every negative path checks the exit code, the
one error line, and that the configuration did not change.
"""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile

import pytest
import yaml
from gi.repository import GLib

from cli_helpers import (NOT_ENABLED_HINT, PolicyBus, assert_one_error_line, fresh_config, make_signing_cert,
                         make_test_patch, patch_server, polkit_calls, polkit_check_flags, run_cli,  # noqa: F401
                         run_cli_on_tty)
from conftest import BUILD_DIR, CLI, MACHINE_ID, Polkit

CONFIGURE = "com.canonical.livepatch.configure"


# ---- without a daemon ----

def test_version_prints_the_client_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"canonical-livepatch \d+\.\d+\.\d+\n", result.stdout)
    assert result.stderr == ""


@pytest.mark.parametrize("flag", ["--help", "-h", "help"])
def test_help_lists_every_command(flag):
    result = run_cli(flag)
    assert result.returncode == 0 and result.stderr == ""
    for command in ("enable TOKEN", "disable", "refresh",
                    "status [--verbose] [--summary] [--show-secrets] [--format humane|json|yaml]",
                    "config [KEY=VALUE | KEY= | KEY=@stdin]...", "config KEY [--format yaml|json]"):
        assert command in result.stdout, command


@pytest.mark.parametrize("command", ["enable", "disable", "refresh", "config"])
@pytest.mark.parametrize("form", ["COMMAND --help", "COMMAND -h", "help COMMAND"])
def test_command_help_never_reaches_the_daemon(command, form):
    # No bus at all: a help that called the daemon (an "enable --help" taking
    # "--help" for the token) would fail to connect instead.
    args = form.replace("COMMAND", command).split()
    result = run_cli(*args, env={"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/bus"})
    assert result.returncode == 0, result
    assert result.stderr == ""
    assert result.stdout.startswith(f"Usage: canonical-livepatch {command}")
    assert "See canonical-livepatch(1)." in result.stdout


def test_help_for_an_unknown_command_is_a_usage_error():
    result = run_cli("help", "frobnicate")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "unknown command 'frobnicate'" in result.stderr


def test_no_command_prints_help_and_is_a_usage_error():
    result = run_cli()
    assert result.returncode == 2
    assert result.stdout.startswith("Usage: canonical-livepatch")


@pytest.mark.parametrize("args", [["frobnicate"], ["enable"], ["enable", "a", "b"], ["disable", "x"],
                                  ["refresh", "now"], ["status", "--format", "xml"],
                                  ["status", "extra"], ["status", "--bogus"]])
def test_bad_command_line_is_a_usage_error(args):
    result = run_cli(*args)
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert result.stderr.startswith("canonical-livepatch: ")
    assert "--help" in result.stderr


def test_no_daemon_on_the_bus_is_one_clear_line(system_bus):
    for args in (["status"], ["config"], ["refresh"], ["config", "check-interval=75"]):
        assert_one_error_line(run_cli(*args), "cannot reach livepatchd on the system bus: ",
                              "com.canonical.Livepatch is not running")


def test_no_system_bus_is_one_clear_line(tmp_path):
    result = run_cli("status", env={"DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={tmp_path}/none"})
    assert_one_error_line(result, "cannot reach livepatchd on the system bus: ")


# ---- status ----

def test_status_not_enabled_prints_only_the_hint_on_stderr(daemon):
    # as the reference: exit 1, nothing a parser could read on stdout
    for args in ([], ["--verbose"], ["--format", "json"], ["--format", "yaml"]):
        result = run_cli("status", *args)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", NOT_ENABLED_HINT + "\n")


# ---- config ----

def parse_config_lines(text):
    """`config` output (single-line values) -> {key: value as GetConfig has it}"""
    config = {}
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        assert sep, line
        value = value.split("  # ")[0]
        config[key] = json.loads(value) if value.startswith('"') else value
    return config


def test_config_lists_every_key(daemon):
    # the order and quoting are pinned in test_cli_contracts.py
    result = run_cli("config")
    assert result.returncode == 0 and result.stderr == ""
    assert parse_config_lines(result.stdout) == daemon.get_config()


def test_config_sets_several_keys_in_one_call(daemon, polkitd):
    polkitd.allow(CONFIGURE)
    result = run_cli("config", "check-interval=90", "log-level=debug", "no-proxy=localhost")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    config = daemon.get_config()
    assert (config["check-interval"], config["log-level"], config["no-proxy"]) == ("90", "debug", "localhost")
    listed = parse_config_lines(run_cli("config").stdout)
    assert listed["check-interval"] == "90"
    daemon.restart()
    assert daemon.get_config()["log-level"] == "debug"


def test_config_empty_value_resets_the_default(daemon, polkitd):
    polkitd.allow(CONFIGURE)
    default = daemon.get_config()["check-interval"]
    assert run_cli("config", "check-interval=150").returncode == 0
    assert daemon.get_config()["check-interval"] == "150"
    assert run_cli("config", "check-interval=").returncode == 0
    assert daemon.get_config()["check-interval"] == default


def test_config_reads_a_value_from_stdin(daemon, polkitd):
    polkitd.allow(CONFIGURE)
    result = run_cli("config", "no-proxy=@stdin", "log-level=warning", input="localhost,example.com\n")
    assert (result.returncode, result.stderr) == (0, "")
    config = daemon.get_config()
    assert config["no-proxy"] == "localhost,example.com"
    assert config["log-level"] == "warning"


def test_config_reads_a_pem_bundle_from_stdin_and_lists_it_masked(daemon, polkitd, tmp_path):
    polkitd.allow(CONFIGURE)
    key, cert = tmp_path / "ca.key", tmp_path / "ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=livepatch test proxy CA"],
                   check=True, capture_output=True)
    pem = cert.read_text()
    result = run_cli("config", "ca-certs=@stdin", input=pem)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    with open(daemon.config_path) as f:
        assert pem.strip() in f.read().replace("\\n", "\n")
    # GetConfig, open to every caller, never shows a ca-certs body (issue 11).
    assert daemon.get_config()["ca-certs"] == "********"
    listing = run_cli("config").stdout
    assert "ca-certs: \"********\"\n" in listing
    assert pem.strip().splitlines()[1] not in listing


def test_config_one_bad_key_among_good_ones_changes_nothing(daemon, polkitd):
    polkitd.allow(CONFIGURE)
    before = fresh_config(daemon)
    result = run_cli("config", "check-interval=120", "dial-timeout=banana", "log-level=debug")
    assert_one_error_line(result, "dial-timeout")
    assert fresh_config(daemon) == before


def test_config_unknown_key_changes_nothing(daemon, polkitd):
    polkitd.allow(CONFIGURE)
    before = fresh_config(daemon)
    assert_one_error_line(run_cli("config", "colour=blue", "check-interval=120"), "colour")
    assert fresh_config(daemon) == before


@pytest.mark.parametrize("args,stdin", [
    (["=value"], None),
    (["check-interval=75", "check-interval=80"], None),
    (["no-proxy=@stdin", "ca-certs=@stdin"], b"x\n"),
    (["no-proxy=@stdin"], b"\xff\xfe not UTF-8"),
])
def test_config_malformed_arguments_are_usage_errors_and_change_nothing(daemon, polkitd, args, stdin):
    polkitd.allow(CONFIGURE)
    before = fresh_config(daemon)
    result = subprocess.run([CLI, "config", *args], input=stdin or b"", capture_output=True,
                            env=dict(os.environ, LC_ALL="C.UTF-8"), timeout=120)
    assert result.returncode == 2, result
    assert result.stdout == b""
    assert result.stderr.startswith(b"canonical-livepatch: ")
    assert fresh_config(daemon) == before


def test_config_refused_by_polkit_is_one_line_and_changes_nothing(daemon, polkitd):
    polkitd.deny_all()
    before = fresh_config(daemon)
    assert_one_error_line(run_cli("config", "check-interval=75"))
    assert fresh_config(daemon) == before


def test_config_without_polkit_is_refused(daemon):
    before = fresh_config(daemon)
    assert_one_error_line(run_cli("config", "check-interval=75"))
    assert fresh_config(daemon) == before
    assert run_cli("config").returncode == 0  # reading needs no authorization


@pytest.mark.needs_root
def test_interactive_authorization_only_from_a_terminal(daemon, polkitd, system_bus):
    polkitd.allow(CONFIGURE)
    assert run_cli("config", "check-interval=75").returncode == 0
    code, output = run_cli_on_tty("config", "check-interval=80")
    assert (code, output) == (0, "")
    assert polkit_check_flags(system_bus) == [(CONFIGURE, 0), (CONFIGURE, 1)]
    assert daemon.get_config()["check-interval"] == "80"


# ---- privileged commands ----

@pytest.mark.parametrize("args", [["enable", "sometoken"], ["disable"], ["refresh"]])
def test_privileged_commands_refused_by_polkit(daemon, polkitd, args):
    polkitd.deny_all()
    assert_one_error_line(run_cli(*args))
    assert daemon.get("Enabled") is False


def test_refresh_when_not_enabled_says_what_to_do(daemon, polkitd):
    polkitd.allow_all()
    line = assert_one_error_line(run_cli("refresh"), "not enabled")
    assert "com.canonical.Livepatch.Error" not in line


def test_disable_when_not_enabled_fails_in_one_line(daemon, polkitd):
    polkitd.allow_all()
    assert_one_error_line(run_cli("disable"), "not enabled")


# ---- against a Livepatch server ----

def point_at(daemon, server):
    daemon.set_config({"remote-server": server.url})


def test_enable_with_an_unknown_token_fails_in_one_line(daemon, polkitd, patch_server):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    patch_server.stop()
    refused = run_cli("enable", "badtoken")
    assert_one_error_line(refused)
    assert daemon.get("Enabled") is False


def test_enable_status_refresh_disable_cycle(daemon, polkitd, patch_server):
    polkitd.allow_all()
    point_at(daemon, patch_server)

    enabled = run_cli("enable", "goodtoken")
    assert (enabled.returncode, enabled.stderr) == (0, ""), enabled.stderr
    assert enabled.stdout.startswith("Successfully enabled")
    assert daemon.get("Enabled") is True

    refreshed = run_cli("refresh")
    assert (refreshed.returncode, refreshed.stderr) == (0, ""), refreshed.stderr
    kernel = daemon.get("Kernel")
    assert refreshed.stdout == f"patch state: ✓ no live kernel patches available for kernel {kernel}\n"

    status = run_cli("status")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert re.fullmatch(r"last check: \d+ seconds? ago", lines[0])
    assert lines[1] == "kernel: " + daemon.get("Kernel")
    assert lines[2] == "server check-in: succeeded"
    assert re.fullmatch(r"kernel state: ✓ kernel series \d+\.\d+ is covered by Livepatch", lines[3])
    assert lines[4] == f"patch state: ✓ no live kernel patches available for kernel {kernel}"
    assert lines[-1] == f"machine id: {MACHINE_ID}"

    as_json = json.loads(run_cli("status", "--format", "json").stdout)
    assert as_json["Last-Check"].endswith("Z")
    assert as_json["Status"][0]["Livepatch"]["CheckState"] == "checked"
    assert as_json["Status"][0]["Supported"] == "supported"

    disabled = run_cli("disable")
    assert (disabled.returncode, disabled.stderr) == (0, ""), disabled.stderr
    assert daemon.get("Enabled") is False
    assert run_cli("status").stderr == NOT_ENABLED_HINT + "\n"


@pytest.fixture
def signed_patch(tmp_path, daemon):
    """A signed patch for the simulated kernel, and the daemon trusting its key."""
    key, cert = make_signing_cert(str(tmp_path / "keys"))
    certs_dir = tmp_path / "module-certs"
    certs_dir.mkdir(mode=0o755)
    (certs_dir / "test.pem").write_bytes(open(cert, "rb").read())
    daemon.extra_args += ["--module-certs-dir", str(certs_dir)]
    daemon.restart()
    return key, cert


def test_refresh_applies_a_patch_and_status_shows_its_fixes(daemon, polkitd, patch_server, signed_patch):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    kernel, arch = daemon.get("Kernel"), daemon.get("Architecture")
    key, cert = signed_patch
    make_test_patch(key, cert, kernel, arch, "57.3", os.path.join(patch_server.patch_dir, "p.tar.xz"),
                    fixes=["CVE-2026-1234:use-after-free in nf_tables: a race:LP#2061234:true"])
    patch_server.publish({"supported": "supported",
                          "patches": [{"kernel": kernel, "architecture": arch, "version": "57.3",
                                       "file": "p.tar.xz"}]})
    assert run_cli("enable", "goodtoken").returncode == 0

    refreshed = run_cli("refresh")
    assert (refreshed.returncode, refreshed.stderr) == (0, ""), refreshed.stderr + daemon.log()[-2000:]
    assert refreshed.stdout == ("patch state: ✓ all applicable live kernel patch modules applied\n"
                                "patch version: 57.3\n")

    verbose = run_cli("status", "--verbose").stdout
    assert "patch version: 57.3\n" in verbose
    assert "fixes:\n  * CVE-2026-1234: use-after-free in nf_tables: a race [LP#2061234]\n" in verbose
    tree = json.loads(run_cli("status", "--format", "json").stdout)
    as_yaml = yaml.safe_load(run_cli("status", "--format", "yaml").stdout)
    assert as_yaml["status"][0]["livepatch"]["fixes"] == "* CVE-2026-1234 LP#2061234"
    fixes = tree["Status"][0]["Livepatch"]
    assert fixes["State"] == "applied" and fixes["Version"] == "57.3"
    assert fixes["Fixes"] == [{"Name": "CVE-2026-1234", "Description": "use-after-free in nf_tables: a race",
                               "Bug": "LP#2061234", "Patched": True}]


def test_refresh_on_a_terminal_ends_with_the_final_state(daemon, polkitd, patch_server):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    assert run_cli("enable", "goodtoken").returncode == 0
    code, output = run_cli_on_tty("refresh")
    assert code == 0, (output, [(r["path"], r["body"]) for r in patch_server.requests()])
    # the progress bar, if any, was erased; the last line is the state
    assert output.replace("\r\n", "\n").rstrip("\n").split("\n")[-1].endswith(
        "patch state: ✓ no live kernel patches available for kernel " + daemon.get("Kernel"))


@pytest.mark.needs_root
def test_refresh_on_a_terminal_shows_progress_then_the_final_state(daemon, polkitd, patch_server,
                                                                    signed_patch):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    kernel, arch = daemon.get("Kernel"), daemon.get("Architecture")
    key, cert = signed_patch
    make_test_patch(key, cert, kernel, arch, "57.4", os.path.join(patch_server.patch_dir, "p.tar.gz"))
    patch_server.publish({"supported": "supported",
                          "patches": [{"kernel": kernel, "architecture": arch, "version": "57.4",
                                       "file": "p.tar.gz"}]})
    assert run_cli("enable", "goodtoken").returncode == 0
    code, output = run_cli_on_tty("refresh")
    assert code == 0, output
    # PatchState passes through downloading and applying while Refresh runs;
    # each PropertiesChanged redraws the bar in place
    assert re.search(r"\r\[[# ]{40}\] +\d+% (downloading|applying)", output), output
    assert "\r\x1b[K" in output  # the bar is erased before the result
    assert output.replace("\r\n", "\n").endswith(
        "patch state: ✓ all applicable live kernel patch modules applied\npatch version: 57.4\n"), output


def test_refresh_off_a_terminal_prints_no_progress(daemon, polkitd, patch_server, signed_patch):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    kernel, arch = daemon.get("Kernel"), daemon.get("Architecture")
    key, cert = signed_patch
    make_test_patch(key, cert, kernel, arch, "57.5", os.path.join(patch_server.patch_dir, "p.tar"))
    patch_server.publish({"supported": "supported",
                          "patches": [{"kernel": kernel, "architecture": arch, "version": "57.5",
                                       "file": "p.tar"}]})
    assert run_cli("enable", "goodtoken").returncode == 0
    refreshed = run_cli("refresh")
    assert refreshed.stdout == ("patch state: ✓ all applicable live kernel patch modules applied\n"
                                "patch version: 57.5\n")
    assert refreshed.stderr == ""


# ---- the installed bus files, for real ----

@pytest.fixture
def policy_bus(tmp_path, monkeypatch):
    """A deny-by-default system bus with our policy; livepatchd activatable."""
    # outside pytest's 0700 tmp tree, so that "nobody" reaches the socket
    root = pathlib.Path(tempfile.mkdtemp(prefix="lp-policy-bus-"))
    state = tmp_path / "state"
    sim = tmp_path / "kernel"
    sim.mkdir()
    (tmp_path / "machine-id").write_text(MACHINE_ID + "\n")
    (tmp_path / "cmdline").write_text("BOOT_IMAGE=/vmlinuz ro quiet\n")
    bus = PolicyBus(str(root), env={"STATE_DIRECTORY": str(state)})
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
    # the activation file meson generated, with Exec pointed at the build tree
    with open(os.path.join(BUILD_DIR, "dbus", "com.canonical.Livepatch.service")) as f:
        activation = f.read()
    exec_line = (f"Exec={os.path.join(BUILD_DIR, 'src', 'livepatchd')} --kernel-sim {sim} "
                 f"--machine-id-file {tmp_path / 'machine-id'} --mode-file {tmp_path / 'mode'} "
                 f"--cmdline-file {tmp_path / 'cmdline'}")
    activation = re.sub(r"(?m)^Exec=.*$", lambda _: exec_line, activation)
    (root / "services" / "com.canonical.Livepatch.service").write_text(activation)
    yield bus
    if bus.has_owner("com.canonical.Livepatch"):
        os.kill(bus.pid_of("com.canonical.Livepatch"), signal.SIGTERM)
    bus.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.needs_root
def test_cli_starts_the_daemon_by_bus_activation(policy_bus):
    assert not policy_bus.has_owner("com.canonical.Livepatch")
    result = run_cli("status", "--format", "json")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", NOT_ENABLED_HINT + "\n")
    assert policy_bus.has_owner("com.canonical.Livepatch")


def run_as_nobody(*args):
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                           *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C.UTF-8", HOME="/"), timeout=120)


@pytest.mark.needs_root
def test_bus_policy_lets_anyone_read_and_call(policy_bus):
    polkit = Polkit(policy_bus)
    try:
        assert run_cli("config").returncode == 0  # activates the daemon, as root
        listed = run_as_nobody(CLI, "config")
        assert listed.returncode == 0, listed.stderr
        assert "check-interval: " in listed.stdout
        status = run_as_nobody(CLI, "status", "--format", "json")
        assert (status.returncode, status.stderr) == (1, NOT_ENABLED_HINT + "\n"), status.stderr
        # the call itself gets through the bus; polkit (denying) answers it
        refused = run_as_nobody(CLI, "config", "check-interval=75")
        assert refused.returncode == 1 and "not authorized" in refused.stderr, refused.stderr
    finally:
        polkit.stop()


@pytest.mark.needs_root
def test_bus_policy_lets_only_root_own_the_name(policy_bus):
    own = ("from gi.repository import Gio, GLib\n"
           "c = Gio.bus_get_sync(Gio.BusType.SYSTEM)\n"
           "r = c.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',"
           " 'RequestName', GLib.Variant('(su)', ('com.canonical.Livepatch', 4)), None, 0, -1)\n"
           "print(r.unpack()[0])\n")
    denied = run_as_nobody("/usr/bin/python3", "-c", own)
    assert denied.returncode != 0
    assert "org.freedesktop.DBus.Error.AccessDenied" in denied.stderr
    allowed = subprocess.run(["/usr/bin/python3", "-c", own], capture_output=True, text=True)
    assert allowed.stdout.strip() == "1", allowed.stderr  # PRIMARY_OWNER


NOBODY = ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--")


@pytest.mark.needs_root
def test_unprivileged_user_at_a_terminal_gets_a_polkit_agent(policy_bus):
    polkit = Polkit(policy_bus)  # denies: the agent is never asked for a password
    # pkttyagent --fallback registers with the WithOptions variant, which the
    # dbusmock template lacks
    polkit._mock("AddMethod", GLib.Variant("(sssss)", (
        "org.freedesktop.PolicyKit1.Authority", "RegisterAuthenticationAgentWithOptions",
        "(sa{sv})ssa{sv}", "", "")))
    try:
        assert run_cli("config").returncode == 0  # activates the daemon
        code, output = run_cli_on_tty("config", "check-interval=75", wrapper=NOBODY)
        assert code == 1, output
        assert output.startswith("canonical-livepatch: ") and "not authorized" in output, output
        methods = [method for method, _ in polkit_calls(policy_bus)]
        register = "RegisterAuthenticationAgentWithOptions"
        assert register in methods
        assert methods.index(register) < methods.index("CheckAuthorization")
        assert polkit_check_flags(policy_bus) == [("com.canonical.livepatch.configure", 1)]
        # without a terminal there is nobody to ask: no agent, no interaction
        refused = run_as_nobody(CLI, "config", "check-interval=75")
        assert refused.returncode == 1
        assert [m for m, _ in polkit_calls(policy_bus)].count(register) == 1
        assert polkit_check_flags(policy_bus)[-1] == ("com.canonical.livepatch.configure", 0)
    finally:
        polkit.stop()
