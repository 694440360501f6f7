#!/usr/bin/env bash
# run.sh: runs synack_bench (synack, Linux, lwIP side by side) and writes bench/results.md.
# Read bench/README.md first.  As root the Linux side runs over a veth pair between two
# network namespaces this script makes (198.18.0.1 and .2) and removes; else loopback.
# The lossy workload's Linux side also needs root: a persistent TUN device in each of the
# two namespaces (198.18.7.1 and .2), which synack_bench's relay joins (bench/relay.c);
# deleting the namespaces on exit removes them.
#
#   bash bench/run.sh [path/to/synack_bench] [synack_bench options...]
#   SYNACK_BENCH_LINUX=loopback bash bench/run.sh ...   (loopback even as root)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build-bench/synack_bench}
[ $# -gt 0 ] && shift
if [ ! -x "$bin" ]; then
    echo "run.sh: $bin not found: build it with 'make bench'" >&2
    exit 2
fi

ns_c=sybench-c-$$
ns_s=sybench-s-$$
veth_c=sybc$$
veth_s=sybs$$
made=0
cleanup() {
    if [ "$made" = 1 ]; then
        ip netns del "$ns_c" 2>/dev/null || true
        ip netns del "$ns_s" 2>/dev/null || true
    fi
}
trap cleanup EXIT

linux_args=()
if [ "${SYNACK_BENCH_LINUX:-veth}" = veth ] && [ "$(id -u)" = 0 ] && command -v ip >/dev/null &&
    ip netns add "$ns_c" 2>/dev/null; then
    made=1
    if ip netns add "$ns_s" &&
        ip link add "$veth_c" type veth peer name "$veth_s" &&
        ip link set "$veth_c" netns "$ns_c" &&
        ip link set "$veth_s" netns "$ns_s" &&
        ip -n "$ns_c" addr add 198.18.0.1/24 dev "$veth_c" &&
        ip -n "$ns_s" addr add 198.18.0.2/24 dev "$veth_s" &&
        ip -n "$ns_c" link set lo up && ip -n "$ns_s" link set lo up &&
        ip -n "$ns_c" link set "$veth_c" up && ip -n "$ns_s" link set "$veth_s" up; then
        linux_args=(--netns "$ns_c,$ns_s" --addr 198.18.0.1,198.18.0.2)
        # The lossy path: the name is BENCH_LOSSY_TUN in bench.h; MTU 1500 (the default);
        # no carrier until the relay attaches, which also drops the IPv6 chatter.
        if ip -n "$ns_c" tuntap add mode tun name sylossy &&
            ip -n "$ns_s" tuntap add mode tun name sylossy &&
            ip -n "$ns_c" addr add 198.18.7.1/24 dev sylossy &&
            ip -n "$ns_s" addr add 198.18.7.2/24 dev sylossy &&
            ip -n "$ns_c" link set sylossy up && ip -n "$ns_s" link set sylossy up; then
            linux_args+=(--lossy-addr 198.18.7.1,198.18.7.2)
        else
            echo "run.sh: could not set up the TUN devices; lossy skips Linux" >&2
        fi
    else
        echo "run.sh: could not set up the veth pair; Linux runs over loopback" >&2
    fi
fi

"$bin" "${linux_args[@]}" --out "$here/results.md" "$@"
