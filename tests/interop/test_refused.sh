#!/usr/bin/env bash
# Interop: how a connection attempt fails.  Linux connecting to a closed synack port
# gets ECONNREFUSED (synack's RST); synack connecting to a closed Linux port exits 3
# with ECONNREFUSED; to an address nobody answers for, 5 (ETIMEDOUT, after short SYN
# retries); to an unreachable network (the kernel answers ICMP host unreachable), 6.
. "$(dirname "$0")/lib.sh" "$1" 5
make_tun || { bad "make_tun"; finish; }

serve srv --port 7 --app echo || finish
if nsx timeout 10 python3 "$PEER" refused "$ADDR" 9 --timeout 5 > "$T/r.out" 2>&1 && grep -qx ECONNREFUSED "$T/r.out"; then
  ok "Linux -> closed synack port: ECONNREFUSED"
else
  bad "Linux -> closed synack port: $(cat "$T/r.out")"
fi
rst=$(counter srv tcp_out_rsts)
nol=$(stat_raw srv | sed -n 's/^drop no_listener=//p')
[ "${rst:-0}" -ge 1 ] && [ "${nol:-0}" -ge 1 ] && ok "synack counted it: no_listener $nol, RSTs sent $rst" ||
  bad "counters: no_listener '$nol', tcp_out_rsts '$rst'"
stop_bg "$BG_PID"

client() {
  nsx timeout 30 "$SYNACK" connect --tun "$DEV" --addr "$ADDR/24" --control "$T/cl.ctl" \
    --sysctl tcp_syn_retries=2 "$@" < /dev/null > "$T/cl.out" 2> "$T/cl.err"
  RC=$?
}
client "$HOST" 9
if [ $RC = 3 ] && grep -q ECONNREFUSED "$T/cl.err"; then
  ok "synack -> closed Linux port: exit 3, $(cat "$T/cl.err")"
else
  bad "synack -> closed Linux port: exit $RC"; show "$T/cl.err"
fi

t0=$(date +%s)
client 198.18.$SUBNET.99 9
if [ $RC = 5 ] && grep -q ETIMEDOUT "$T/cl.err"; then
  ok "synack -> silent address: exit 5 after $(( $(date +%s) - t0 ))s (2 SYN retries), $(cat "$T/cl.err")"
else
  bad "synack -> silent address: exit $RC"; show "$T/cl.err"
fi

# The kernel routes 198.19.250.0/24 nowhere and says so with ICMP host unreachable.
nsx sysctl -qw net.ipv4.ip_forward=1
nsx ip route add unreachable 198.19.250.0/24
client 198.19.250.1 80
if [ $RC = 6 ] && grep -q EHOSTUNREACH "$T/cl.err"; then
  ok "synack -> unreachable network: exit 6, $(cat "$T/cl.err")"
else
  bad "synack -> unreachable network: exit $RC"; show "$T/cl.err"
fi
finish
