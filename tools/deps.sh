# Sourced by tools/check and tools/demo: installs the Debian packages the
# project needs, only those missing, so a fresh Debian 12 machine is enough.
# shellcheck shell=bash

LP_BUILD_PACKAGES=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin libsoup-3.0-dev glib-networking
  libgnutls28-dev libarchive-dev libjson-glib-dev libpolkit-gobject-1-dev libseccomp-dev
  bash-completion systemd libgtk-4-dev libadwaita-1-dev
)
LP_TEST_PACKAGES=(
  dbus-daemon dbus python3 python3-gi gir1.2-glib-2.0 python3-dbusmock python3-pytest
  polkitd pkexec gnutls-bin openssl tinyproxy stunnel4 dante-server linux-kbuild-6.1
  zstd xz-utils bzip2 libarchive-tools util-linux systemd groff-base curl clang-format
  clang libclang-rt-14-dev valgrind gcc-12 libasan8 libubsan1 mount python3-yaml
  xvfb xauth at-spi2-core python3-pyatspi gir1.2-atspi-2.0 imagemagick
)
# tools/build-deb: the packaging tools (the build dependencies themselves
# come from debian/control).
LP_PACKAGING_PACKAGES=(dpkg-dev debhelper lintian bash-completion)

lp_install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}"
  if [ -z "${LP_APT_UPDATED:-}" ]; then
    apt-get update -q >/dev/null
    LP_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# Creates the system user livepatch-fetch runs as (meson option fetch_user)
# from the sysusers.d file of build directory $1, as the package's postinst
# does: livepatchd started as root (root test suites, the vm guests, the
# demo) runs its download helper as that user. systemd-sysusers leaves an
# existing user alone, so running it again changes nothing. Not root: nothing
# to do, livepatchd then runs the helper as its own user.
lp_ensure_fetch_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  systemd-sysusers "$(cd "$1" && pwd)/data/livepatch.conf"
}

# The system python has python3-gi and python3-dbusmock; a pyenv or venv
# python earlier in PATH has neither.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:${PATH}"
