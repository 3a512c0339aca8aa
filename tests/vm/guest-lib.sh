# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for scripts that run inside the vm suite's guest (sourced).
# shellcheck shell=bash

# shellcheck disable=SC1090
[ -n "${LPVM_ENV:-}" ] && . "$LPVM_ENV"
set -euo pipefail

LPVM_STEP=0

step() {
  LPVM_STEP=$((LPVM_STEP + 1))
  echo "lpvm: [$LPVM_STEP] $* (at $(uptime_s) s)"
}

die() {
  echo "lpvm: FAIL: $*"
  echo "lpvm: --- /proc/modules (livepatch) ---"
  grep lkp_ /proc/modules || true
  echo "lpvm: --- /sys/kernel/livepatch ---"
  ls /sys/kernel/livepatch 2>/dev/null || true
  echo "lpvm: --- /proc/cmdline ---"
  cat /proc/cmdline || true
  lpvm_on_failure 2>/dev/null || true
  exit 1
}

ok() { echo "lpvm: ok: $*"; }

# A measurement for the host: run-guest prints these lines after the verdict.
report() { echo "LPVM-REPORT: $*"; }

# Seconds since the guest's kernel started.
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# Seconds from uptime START to uptime END (default now).
seconds_since() { awk -v a="$1" -v b="${2:-$(uptime_s)}" 'BEGIN { printf "%.2f\n", b - a }'; }

assert_eq() {
  local what=$1 expected=$2 actual=$3
  [ "$actual" = "$expected" ] || die "$what: expected '$expected', got '$actual'"
  ok "$what = '$actual'"
}

cmdline() { cat /proc/cmdline; }

marker() { echo "livepatch-vm-test version $1"; }

module_loaded() { grep -q "^$1 " /proc/modules; }

assert_module_loaded() {
  module_loaded "$1" || die "$1 is not in /proc/modules"
  ok "$1 is in /proc/modules"
}

assert_module_gone() {
  module_loaded "$1" && die "$1 is still in /proc/modules"
  ok "$1 is not in /proc/modules"
}

livepatch_modules() { grep -o '^lkp_[a-z0-9_]*' /proc/modules | sort | tr '\n' ' '; }

# The kernel finishes a patch transition in the background; an idle guest
# settles at once, so a short bounded wait is enough.
wait_transition() {
  local mod=$1
  for _ in $(seq 1 100); do
    [ "$(cat "/sys/kernel/livepatch/$mod/transition" 2>/dev/null)" = 0 ] && return 0
    sleep 0.1
  done
  die "the $mod transition did not finish"
}

# Waits until a replaced patch has left /sys/kernel/livepatch.
wait_patch_gone() {
  local mod=$1
  for _ in $(seq 1 100); do
    [ -e "/sys/kernel/livepatch/$mod" ] || return 0
    sleep 0.1
  done
  die "the replaced patch $mod is still registered"
}

# Polls until a condition holds while process PID lives; the bound only
# keeps a broken guest from hanging until the host's hard timeout.
wait_for() {
  local what=$1 pid=$2
  shift 2
  for _ in $(seq 1 600); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || die "$what exited before it was ready"
    sleep 0.1
  done
  die "timed out waiting for $what"
}

# --- the product's client and the local patch server ----------------------
# A scenario sets cli (the canonical-livepatch to run) and work (a scratch
# directory) before using these.
# shellcheck disable=SC2154 # cli and work come from the scenario

LPVM_TOKEN=vm-test-token

# Every client call is bounded so a hang fails here, with the logs, instead
# of at the host's hard timeout without them.
CLI_TIMEOUT=${LPVM_CLI_TIMEOUT:-120}

run() {
  echo "lpvm: \$ canonical-livepatch $*"
  timeout "$CLI_TIMEOUT" "$cli" "$@" || die "canonical-livepatch $* failed (exit $?)"
}

# tests/server/livepatch-server on https://127.0.0.1:$port, serving
# $work/patches with the certificate prepare made; nothing published yet.
start_server() {
  mkdir -p "$work/patches"
  echo '{"supported": "supported", "patches": []}' >"$work/patches/index.json"
  /usr/bin/python3 "$LP_TOP_SRCDIR/tests/server/livepatch-server" --patch-dir "$work/patches" \
    --listen 127.0.0.1 --port 0 --port-file "$work/port" --token "$LPVM_TOKEN" \
    --tls-cert "$LPVM_OUT/keys/tls-cert.pem" --tls-key "$LPVM_OUT/keys/tls-key.pem" \
    >"$work/server.log" 2>&1 &
  wait_for "the patch server" $! test -s "$work/port"
  port=$(cat "$work/port")
}

# Points the service at the local server, over HTTPS, trusting its
# certificate through ca-certs.  dial-timeout covers a cold livepatch-fetch
# loading its TLS stack and shaking hands, once per request: under TCG on a
# loaded machine that outlasts the default 12 s.
configure_for_server() {
  run config remote-server="https://127.0.0.1:$port" check-interval=0 dial-timeout=90s \
    tls-patch-download=true ca-certs=@stdin <"$LPVM_OUT/keys/tls-cert.pem"
}

# Publishes exactly one patch: the server offers the newest listed version.
publish() {
  local version=$1 file=$2
  cp "$LPVM_OUT/patches/$file" "$work/patches/$file"
  cat >"$work/patches/index.json.tmp" <<JSON
{"supported": "supported",
 "patches": [{"kernel": "$LPVM_ABI", "architecture": "amd64",
              "version": "$version", "file": "$file"}]}
JSON
  mv "$work/patches/index.json.tmp" "$work/patches/index.json"
}

# Tells the patch server to misbehave from now on (its POST /_control), e.g.
# '{"misbehave": [{"mode": "slow", "on": "download", "times": 1}]}'.
server_control() {
  curl -sS --fail --max-time 60 --cacert "$LPVM_OUT/keys/tls-cert.pem" --data "$1" \
    "https://127.0.0.1:$port/_control" >/dev/null || die "the patch server refused the control request $1"
}

# --- livepatch-fetch, the unprivileged helper livepatchd runs each server
# request in (docs: the privilege split) ----------------------------------

# One field of a /proc/PID/status copy (file $1), white space squeezed.
status_value() { awk -v key="$2:" '$1 == key { $1 = ""; sub(/^ /, ""); print }' "$1"; }

# Runs COMMAND (a refresh that downloads a patch) in the background and
# catches the livepatch-fetch that livepatchd (PID $1) starts for the
# download while it runs.  Deterministic, not a race against a fast helper:
# the patch server holds that download's reply back for a few seconds, so
# the helper waits in the middle of its work, inside its own seccomp filter
# (one filter more than livepatchd has; it enters it before it reads its
# request).  Leaves the helper's /proc/PID/status in $work/fetch-status, its
# executable in $fetch_exe and its cgroup in $fetch_cgroup.
# shellcheck disable=SC2034 # fetch_cgroup is for the scenario
catch_fetch_helper() {
  local parent=$1 pid cmd parent_filters filters
  shift
  server_control '{"misbehave": [{"mode": "slow", "on": "download", "delay": 5, "times": 1}]}'
  parent_filters=$(status_value "/proc/$parent/status" Seccomp_filters)
  rm -f "$work/fetch-status"
  "$@" &
  cmd=$!
  fetch_exe=
  while [ -z "$fetch_exe" ] && kill -0 "$cmd" 2>/dev/null; do
    for pid in $(pgrep -P "$parent" -x livepatch-fetch); do
      # It may end between the two reads: then the next one is tried.
      cat "/proc/$pid/status" >"$work/fetch-status.tmp" 2>/dev/null || continue
      filters=$(status_value "$work/fetch-status.tmp" Seccomp_filters)
      [ "${filters:-0}" -gt "${parent_filters:-0}" ] || continue
      fetch_cgroup=$(cat "/proc/$pid/cgroup" 2>/dev/null) || continue
      fetch_exe=$(readlink "/proc/$pid/exe") || continue
      mv "$work/fetch-status.tmp" "$work/fetch-status"
      echo "lpvm: caught livepatch-fetch (pid $pid, parent $parent) in its sandbox"
      break
    done
    [ -n "$fetch_exe" ] || sleep 0.05
  done
  wait "$cmd" || die "$* failed (exit $?)"
  [ -n "$fetch_exe" ] || die "no livepatch-fetch of livepatchd (pid $parent) seen in its sandbox during $*"
}

# The caught helper (catch_fetch_helper) ran EXE as USER, with no
# capability at all (setresuid away from root drops them, no-new-privs keeps
# them from coming back), no supplementary groups, and its seccomp filter.
assert_fetch_helper_unprivileged() {
  local exe=$1 user=$2 uid gid cap
  uid=$(id -u "$user") || die "no user $user"
  gid=$(id -g "$user")
  [ "$uid" -ne 0 ] || die "the user $user is root"
  assert_eq "livepatch-fetch executable" "$exe" "$fetch_exe"
  assert_eq "livepatch-fetch Uid (real, effective, saved, fs)" "$uid $uid $uid $uid" \
    "$(status_value "$work/fetch-status" Uid)"
  assert_eq "livepatch-fetch Gid (real, effective, saved, fs)" "$gid $gid $gid $gid" \
    "$(status_value "$work/fetch-status" Gid)"
  assert_eq "livepatch-fetch Groups" "" "$(status_value "$work/fetch-status" Groups)"
  for cap in CapInh CapPrm CapEff CapAmb; do
    assert_eq "livepatch-fetch $cap" 0000000000000000 "$(status_value "$work/fetch-status" "$cap")"
  done
  assert_eq "livepatch-fetch NoNewPrivs" 1 "$(status_value "$work/fetch-status" NoNewPrivs)"
  assert_eq "livepatch-fetch Seccomp (filter mode)" 2 "$(status_value "$work/fetch-status" Seccomp)"
}

cmdline_shows() { [ "$(cmdline)" = "$(marker "$1")" ]; }

# status --format json, one field of the first Status entry.
status_field() {
  timeout "$CLI_TIMEOUT" "$cli" status --format json >"$work/status.json" ||
    die "canonical-livepatch status failed"
  /usr/bin/python3 - "$work/status.json" "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
value = doc["Status"][0]
for key in sys.argv[2].split("."):
    value = value[key]
print(value)
PY
}

# What the kernel runs: the patched function's output and sysfs.
assert_kernel_runs() {
  local version=$1 mod="lkp_test_v$1"
  assert_eq "/proc/cmdline" "$(marker "$version")" "$(cmdline)"
  assert_eq "$mod enabled" 1 "$(cat "/sys/kernel/livepatch/$mod/enabled" 2>/dev/null)"
  assert_module_loaded "$mod"
}

# ... and what the service reports about it.
assert_live() {
  assert_kernel_runs "$1"
  assert_eq "status State" applied "$(status_field Livepatch.State)"
  assert_eq "status Version" "$1" "$(status_field Livepatch.Version)"
  assert_eq "status Kernel" "$LPVM_ABI" "$(status_field Kernel)"
}

# A refresh that must fail (exit status non-zero, not a timeout); its
# output is left in $work/refresh.out.
refresh_fails() {
  local rc=0
  echo "lpvm: \$ $* canonical-livepatch refresh (must fail)"
  "$@" timeout "$CLI_TIMEOUT" "$cli" refresh >"$work/refresh.out" 2>&1 || rc=$?
  cat "$work/refresh.out"
  case $rc in
  0) die "refresh succeeded" ;;
  124) die "refresh did not return within ${CLI_TIMEOUT}s" ;;
  esac
  ok "refresh failed (exit $rc)"
}

# Refresh called over D-Bus must fail with the D-Bus error NAME (the reply is
# left in $reply); words after NAME prefix the call, e.g. runuser -u USER --.
dbus_refresh_fails_with() {
  local name=$1
  shift
  reply=$("$@" gdbus call --system --timeout "$CLI_TIMEOUT" --dest com.canonical.Livepatch \
    --object-path /com/canonical/Livepatch --method com.canonical.Livepatch.Refresh 2>&1) &&
    die "Refresh over D-Bus succeeded: $reply"
  case $reply in
  *"$name"*) ok "Refresh over D-Bus failed with $name" ;;
  *) die "Refresh over D-Bus failed with the wrong error: $reply" ;;
  esac
}
