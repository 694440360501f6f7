#!/usr/bin/env bash
# Interop: half-close both ways.  Linux shuts down writing and still reads synack's
# echo to the end; synack (`connect`, stdin at EOF) sends its FIN and still receives
# the Linux server's answer, which comes only after that FIN.
. "$(dirname "$0")/lib.sh" "$1" 4
make_tun || { bad "make_tun"; finish; }

serve srv --port 7 --app echo -vv || finish
if nsx timeout 30 python3 "$PEER" half-close-client "$ADDR" 7 --bytes 1000000 --timeout 20 > "$T/hc.out" 2>&1 &&
   grep -q '^half-close intact sent=1000000 got=1000000' "$T/hc.out"; then
  ok "Linux half-closes: synack's echo goes on after the FIN ($(sed -n 's/.*after_fin=//p' "$T/hc.out") bytes), all intact"
else
  bad "Linux half-close"; show "$T/hc.out" "$T/srv.err"
  stat_raw srv | grep -E '^conn state=[CEL]|^drop [a-z_]*=[1-9]' 
fi
grep -q 'ESTABLISHED -> CLOSE_WAIT (rcv FIN)' "$T/srv.err" && grep -q 'CLOSE_WAIT -> LAST_ACK' "$T/srv.err" &&
  ok "synack went CLOSE_WAIT (kept sending) then LAST_ACK" || { bad "synack server states"; show "$T/srv.err"; }

stop_bg "$BG_PID"

head -c 1048576 /dev/urandom > "$T/data"
want="1048576 $(sha256sum < "$T/data" | cut -d' ' -f1)"
start_bg sink python3 "$PEER" sink-server 5001 --timeout 20
wait_for "$T/sink.out" '^ready' 10 || bad "python sink did not start"
nsx timeout 30 "$SYNACK" connect --tun "$DEV" --addr "$ADDR/24" --control "$T/cl.ctl" -vv "$HOST" 5001 \
  < "$T/data" > "$T/answer" 2> "$T/cl.err"
rc=$?
if [ $rc = 0 ] && [ "$(cat "$T/answer")" = "$want" ]; then
  ok "synack half-closes: the answer sent after its FIN arrived ($want)"
else
  bad "synack half-close: exit $rc, answer '$(cat "$T/answer")'"; show "$T/cl.err" "$T/sink.out"
fi
grep -q 'FIN_WAIT_1 -> FIN_WAIT_2' "$T/cl.err" && grep -q -- '-> TIME_WAIT' "$T/cl.err" &&
  ok "synack went FIN_WAIT_2 (still receiving) then TIME_WAIT" || { bad "synack client states"; show "$T/cl.err"; }
finish
