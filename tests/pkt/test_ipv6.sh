#!/usr/bin/env bash
# Every scenario script again over IPv6 (RFC 8200): the same segments, with the MTU
# raised to 1520 so the MSS is still 1460, as packetdrill's Linux suite runs IPv6.
# Scripts about IPv4 itself (ICMPv4 names, the 536-byte default MSS) say
# "ipv4-only" in a comment and are left out.
set -u
tool=$1
root=$(cd "$(dirname "$0")/../scripts" && pwd)
mapfile -t files < <(find "$root" -name '*.pkt' | sort | xargs grep -L 'ipv4-only')
[ "${#files[@]}" -gt 50 ] || { echo "FAIL: only ${#files[@]} scripts found"; exit 1; }
out=$("$tool" pkt --ip-version 6 --mtu 1520 "${files[@]}")
rc=$?
echo "$out" | grep -v '^PASS' || true
echo "$(echo "$out" | grep -c '^PASS') of ${#files[@]} scripts pass over IPv6"
exit $rc
