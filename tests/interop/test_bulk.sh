#!/usr/bin/env bash
# Interop: 100 MiB each way at once between synack and a Linux socket peer, sha256
# checked, in both roles: synack as the server (`serve --app echo`, a Python client
# sends and reads back) and as the client (`synack connect` < file > file against a
# Python echo server).  Impairments come from $BULK_IMPAIR (test_bulk_loss.sh sets it).
. "$(dirname "$0")/lib.sh" "$1" "${BULK_SUBNET:-2}"
bytes=${BULK_BYTES:-104857600}
limit=${BULK_TIMEOUT:-300}
impair=${BULK_IMPAIR:-}
make_tun || { bad "make_tun"; finish; }
head -c "$bytes" /dev/urandom > "$T/data"
want=$(sha256sum < "$T/data" | cut -d' ' -f1)
mib=$((bytes / 1048576))

# synack as the server.
# shellcheck disable=SC2086
serve srv --port 7 --app echo --sndbuf 2097152 --rcvbuf 2097152 $impair || finish
if nsx timeout "$limit" python3 "$PEER" echo-client "$ADDR" 7 --file "$T/data" --timeout "$limit" \
     > "$T/client.out" 2>&1 && grep -q "^echo intact bytes=$bytes .*sha=$want" "$T/client.out"; then
  secs=$(sed -n 's/.*secs=\([0-9.]*\).*/\1/p' "$T/client.out")
  ok "synack server: $mib MiB each way intact in ${secs}s ($(calc "int($bytes * 8 / $secs / 1000000)") Mbit/s each way)"
else
  bad "synack server: echo of $mib MiB"; show "$T/client.out" "$T/srv.err"
  stat_raw srv | grep -E '^conn state=E|^drop [a-z_]*=[1-9]' 
fi
echo "info: synack server $(stat_raw srv | grep -E '^counter (tcp_retrans_segs|timeouts)=|^link' | tr '\n' ' ')"
stop_bg "$BG_PID"

# synack as the client.
start_bg echo python3 "$PEER" echo-server 5000 --timeout "$limit"
wait_for "$T/echo.out" '^ready' 10 || bad "python echo server did not start"
t0=$(date +%s.%N)
# shellcheck disable=SC2086
nsx timeout "$limit" "$SYNACK" connect --tun "$DEV" --addr "$ADDR/24" --control "$T/cl.ctl" \
  --sndbuf 2097152 --rcvbuf 2097152 $impair "$HOST" 5000 < "$T/data" > "$T/got" 2> "$T/cl.err"
rc=$?
secs=$(since "$t0")
if [ $rc = 0 ] && [ "$(sha256sum < "$T/got" | cut -d' ' -f1)" = "$want" ]; then
  ok "synack client: $mib MiB each way intact in ${secs}s ($(calc "int($bytes * 8 / $secs / 1000000)") Mbit/s each way)"
else
  bad "synack client: exit $rc, got $(stat -c %s "$T/got") of $bytes bytes"; show "$T/cl.err" "$T/echo.out" "$T/echo.err"
fi
finish
