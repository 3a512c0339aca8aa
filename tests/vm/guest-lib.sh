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
  echo "lpvm: [$LPVM_STEP] $*"
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
