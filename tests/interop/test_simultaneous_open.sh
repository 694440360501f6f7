#!/usr/bin/env bash
# Interop (seed story: simultaneous open): synack (`connect --local-port 6000`) and a
# Linux socket bound to port 6001 connect to each other at the same time.  An 800 ms
# delay at synack's driver makes the two SYNs cross, so each side gets a SYN while in
# SYN_SENT: both go SYN_RCVD, answer SYN-ACK, and the connection carries data both ways.
. "$(dirname "$0")/lib.sh" "$1" 10
make_tun || { bad "make_tun"; finish; }

start_bg linux python3 "$PEER" simopen "$ADDR" 6000 --bind-port 6001 --dev "$DEV" --timeout 20
linux=$BG_PID
printf 'from synack\n' | ip netns exec "$NS" timeout 30 "$SYNACK" connect --tun "$DEV" \
  --addr "$ADDR/24" --control "$T/cl.ctl" --local-port 6000 --delay 800 -vv "$HOST" 6001 \
  > "$T/cl.out" 2> "$T/cl.err"
rc=$?
wait "$linux"
lrc=$?
if grep -q 'SYN_SENT -> SYN_RCVD (rcv SYN (simultaneous open))' "$T/cl.err" &&
   grep -q 'SYN_RCVD -> ESTABLISHED' "$T/cl.err"; then
  ok "synack: SYN_SENT -> SYN_RCVD on Linux's SYN, then ESTABLISHED"
else
  bad "synack did not see a simultaneous open"; show "$T/cl.err"
fi
if [ $rc = 0 ] && [ "$(cat "$T/cl.out")" = "from linux" ] && [ $lrc = 0 ]; then
  ok "data both ways: Linux got 'from synack', synack got 'from linux'"
else
  bad "exchange: synack exit $rc, got '$(cat "$T/cl.out")'; Linux exit $lrc"; show "$T/linux.out" "$T/linux.err"
fi
finish
