#!/usr/bin/env bash
# Interop (seed story: crash and reboot): kill -9 the synack server in the middle of a
# transfer and start a fresh one on the same device and address.  The Linux client's
# next segments reach a stack that knows nothing of them: it answers RST, and the
# client sees ECONNRESET.
. "$(dirname "$0")/lib.sh" "$1" 7
make_tun || { bad "make_tun"; finish; }
serve srv --port 9 --app discard || finish
old=$BG_PID

start_bg cl python3 "$PEER" stream "$ADDR" 9 --pace 0.002 --timeout 60
client=$BG_PID
wait_for "$T/cl.out" '^connected' 10 || bad "client did not connect"
sleep 1
before=$(stat_raw srv | sed -n 's/^conn state=ESTABLISHED.* peer=\([^ ]*\).*/\1/p')
kill -KILL "$old"
wait "$old" 2>/dev/null
[ $? = 137 ] && ok "synack server killed (-9) while receiving from $before" || bad "kill -9"
sleep 0.5
t0=$(date +%s.%N)
serve srv --port 9 --app discard || finish
if wait_for "$T/cl.out" 'ECONNRESET' 30; then
  secs=$(since "$t0")
  ok "Linux client: $(tail -n 1 "$T/cl.out") (${secs}s after the restart)"
else
  bad "Linux client did not see ECONNRESET"; show "$T/cl.out" "$T/cl.err"
fi
wait "$client" 2>/dev/null
rst=$(counter srv tcp_out_rsts)
[ "${rst:-0}" -ge 1 ] && ok "the fresh stack answered with RST ($rst sent)" || bad "fresh stack sent no RST"
stat_raw srv | grep -q '^conn state=ESTABLISHED' && bad "fresh stack has a connection" ||
  ok "the fresh stack has no connection"
finish
