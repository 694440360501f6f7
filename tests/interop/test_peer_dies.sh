#!/usr/bin/env bash
# Interop (seed story: the peer's process dies): a Linux server process is killed
# while synack (`connect`) is connected: its kernel sends FIN, synack reads EOF, and
# the data synack sends next is answered with RST: exit 4, ECONNRESET or EPIPE.  And
# the other role: a Linux client killed with unread data makes its kernel send RST,
# which ends synack's (`serve --app chargen`) connection with ECONNRESET.
. "$(dirname "$0")/lib.sh" "$1" 8
make_tun || { bad "make_tun"; finish; }

start_bg srv python3 "$PEER" accept-hold 5002 --secs 60 --timeout 20
pysrv=$BG_PID
wait_for "$T/srv.out" '^ready' 10 || bad "python server did not start"
mkfifo "$T/in"
exec 3<> "$T/in"
ip netns exec "$NS" "$SYNACK" connect --tun "$DEV" --addr "$ADDR/24" --control "$T/cl.ctl" -v \
  "$HOST" 5002 < "$T/in" > "$T/cl.out" 2> "$T/cl.err" &
cl=$!
PIDS="$PIDS $cl"
wait_for "$T/srv.out" '^accepted' 10 || bad "python server did not accept"
kill -KILL "$pysrv"
if wait_for "$T/cl.err" 'peer closed its side \(EOF\)' 10; then
  ok "Linux peer killed: synack read EOF"
else
  bad "no EOF seen"; show "$T/cl.err"
fi
echo "are you there?" >&3
i=0
while kill -0 "$cl" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
wait "$cl"
rc=$?
exec 3>&-
if [ $rc = 4 ] && grep -qE 'ECONNRESET|EPIPE' "$T/cl.err"; then
  ok "then its next data met RST: exit 4, $(tail -n 1 "$T/cl.err")"
else
  bad "after EOF: exit $rc"; show "$T/cl.err"
fi

serve gen --port 19 --app chargen -v || finish
start_bg reader python3 "$PEER" hold "$ADDR" 19 --secs 30
reader=$BG_PID
wait_for "$T/reader.out" '^connected' 10 || bad "Linux client did not connect"
sleep 0.5
kill -KILL "$reader"
if wait_for "$T/gen.err" 'ECONNRESET' 10; then
  ok "Linux client killed with unread data: synack's connection ended: $(grep ECONNRESET "$T/gen.err" | head -n 1)"
else
  bad "synack server saw no ECONNRESET"; show "$T/gen.err"
fi
finish
