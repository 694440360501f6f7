#!/bin/sh
# Installs what the tests need when run as root on Debian; otherwise only reports.
# Each package is tried on its own so one missing name cannot block the rest.
need=""
command -v cmake  >/dev/null 2>&1 || need="$need cmake"
command -v ninja  >/dev/null 2>&1 || need="$need ninja-build"
command -v gcc    >/dev/null 2>&1 || need="$need gcc"
command -v clang  >/dev/null 2>&1 || need="$need clang"
command -v tshark >/dev/null 2>&1 || need="$need tshark"
command -v ip     >/dev/null 2>&1 || need="$need iproute2"
command -v curl   >/dev/null 2>&1 || need="$need curl"
command -v nc     >/dev/null 2>&1 || need="$need netcat-openbsd"
command -v python3 >/dev/null 2>&1 || need="$need python3"
command -v hping3 >/dev/null 2>&1 || need="$need hping3"
command -v ping   >/dev/null 2>&1 || need="$need iputils-ping"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "deps: installing$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  for p in $need; do
    apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 || echo "deps: could not install $p"
  done
else
  echo "deps: missing$need (not root: tests that need them report themselves skipped)"
fi
exit 0
