# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Configuration values as Canonical's client documentation writes them
(canonical/livepatch-docs: configuration options, proxy how-to, cloud-init
templates), set with `canonical-livepatch config` against the real daemon."""

import os
import subprocess

import pytest

from cli_helpers import CLI, cli_env, fresh_config, run_cli

CONFIGURE = "com.canonical.livepatch.configure"

# The runcmd block of the documented on-premises cloud-init template, as
# written there (the hosted-server template is the same without
# remote-server); the values come from /etc/livepatch/livepatch.env.
CLOUD_INIT_RUNCMD = """set -e
. "$LIVEPATCH_ENV"
canonical-livepatch config \\
  remote-server="$SERVER_URL" \\
  ca-certs="$CA_CERTS" \\
  check-interval="$CHECK_INTERVAL" \\
  dial-timeout="$DIAL_TIMEOUT" \\
  http-proxy="$HTTP_PROXY" \\
  https-proxy="$HTTPS_PROXY" \\
  log-level="$LOG_LEVEL" \\
  no-proxy="$NO_PROXY" \\
  tls-patch-download="$TLS_PATCH_DOWNLOAD"
"""


def make_pem(tmp_path):
    key, cert = tmp_path / "ca.key", tmp_path / "ca.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=proxy CA"],
                   check=True, capture_output=True)
    return cert.read_text()


def write_env(path, values):
    with open(path, "w") as f:
        for name, value in values.items():
            f.write(f'export {name}="{value}"\n')


def run_template(tmp_path, values):
    env_file = tmp_path / "livepatch.env"
    write_env(env_file, values)
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    link = bindir / "canonical-livepatch"
    if not link.exists():
        link.symlink_to(CLI)
    env = cli_env({"LIVEPATCH_ENV": str(env_file),
                   "PATH": f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}"})
    return subprocess.run(["sh", "-c", CLOUD_INIT_RUNCMD], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=120)


def test_documented_cloud_init_template_succeeds(daemon, polkitd, tmp_path):
    polkitd.allow(CONFIGURE)
    pem = make_pem(tmp_path)
    values = {
        "SERVER_URL": "https://livepatch.example.com",
        "PATCH_DELAY": "1w",
        "CUTOFF_DATE": "2024-02-01T00:00:00Z",
        "CA_CERTS": pem.strip(),
        "CHECK_INTERVAL": "60",
        "DIAL_TIMEOUT": "12s",
        "HTTP_PROXY": "http://proxy.example.com",
        "HTTPS_PROXY": "http://proxy.example.com",
        "LOG_LEVEL": "warning",
        "NO_PROXY": "canonical.com",
        "TLS_PATCH_DOWNLOAD": "true",
    }
    result = run_template(tmp_path, values)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    config = daemon.get_config()
    assert config["remote-server"] == "https://livepatch.example.com"
    # ca-certs bodies never leave the daemon (shown masked); the stored file has them
    assert config["ca-certs"] == "********"
    with open(daemon.config_path) as f:
        stored = f.read()
    assert all(line in stored for line in pem.strip().splitlines()[1:-1])
    assert (config["check-interval"], config["dial-timeout"], config["log-level"]) == (
        "60", "12s", "warning")
    assert (config["http-proxy"], config["https-proxy"], config["no-proxy"]) == (
        "http://proxy.example.com", "http://proxy.example.com", "canonical.com")
    assert config["tls-patch-download"] == "true"
    # Saved: a restart keeps it.
    daemon.restart()
    assert daemon.get_config() == config


def test_cloud_init_template_with_every_documented_value_form(daemon, polkitd, tmp_path):
    """The other forms the documentation shows: a bare proxy address, an
    https:// proxy, durations in minutes, the notice level, placeholders left
    empty (which reset the key)."""
    polkitd.allow(CONFIGURE)
    values = {
        "SERVER_URL": "https://livepatch.canonical.com",
        "CA_CERTS": "",
        "CHECK_INTERVAL": "0",
        "DIAL_TIMEOUT": "1m",
        "HTTP_PROXY": "1.2.3.4",
        "HTTPS_PROXY": "https://proxy.example.com",
        "LOG_LEVEL": "notice",
        "NO_PROXY": "",
        "TLS_PATCH_DOWNLOAD": "false",
    }
    result = run_template(tmp_path, values)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    config = daemon.get_config()
    assert (config["check-interval"], config["dial-timeout"], config["log-level"]) == (
        "0", "1m", "notice")
    assert (config["http-proxy"], config["https-proxy"]) == ("1.2.3.4",
                                                              "https://proxy.example.com")
    assert (config["ca-certs"], config["no-proxy"]) == ("", "")


def test_defaults_are_the_documented_ones(daemon):
    config = daemon.get_config()
    assert (config["dial-timeout"], config["check-interval"], config["log-level"],
            config["patch-delay"]) == ("12s", "60", "warning", "0")


@pytest.mark.parametrize("setting,message", [
    ("check-interval=30",
     'check-interval: “30” is not 0 (no automatic checks) or a number of minutes from 60 to '
     '10080'),
    ("dial-timeout=1h",
     "dial-timeout: “1h” is not a duration such as 12s, 1m or 1h from 1s to 300s "
     "(units s, m, h)"),
    ("log-level=verbose", "log-level: “verbose” is not one of debug, info, notice, warning, error"),
    ("patch-delay=1y",
     "patch-delay: “1y” is not a duration such as 1w, 3d, 12h, 30m or 0 (units s, m, h, d, w; "
     "at most 365d)"),
    ("https-proxy=proxy:port",
     "https-proxy: “proxy:port” is neither a proxy URL nor a host name with an optional port"),
])
def test_bad_value_in_a_template_call_changes_nothing(daemon, polkitd, setting, message):
    polkitd.allow(CONFIGURE)
    before = fresh_config(daemon)
    result = subprocess.run([CLI, "config", "no-proxy=localhost", setting, "tls-patch-download=true"],
                            capture_output=True, text=True, env=cli_env(),
                            stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert fresh_config(daemon) == before
