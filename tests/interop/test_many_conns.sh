#!/usr/bin/env bash
# Interop: 1000 short connections one after another, then 200 at once (all open
# together before any talks), from Linux clients to `synack serve --app echo`: every
# one is served; afterwards synack's socket pool is back to just the listener.
. "$(dirname "$0")/lib.sh" "$1" 12
make_tun || { bad "make_tun"; finish; }
serve srv --port 7 --app echo --backlog 512 || finish

if nsx timeout 180 python3 "$PEER" many "$ADDR" 7 --seq 1000 --conc 200 --timeout 30 > "$T/many.out" 2>&1 &&
   grep -q '^sequential 1000/1000 .* concurrent 200/200 ' "$T/many.out"; then
  ok "$(cat "$T/many.out")"
else
  bad "many connections: $(cat "$T/many.out")"; show "$T/srv.err"
fi
opens=$(counter srv tcp_passive_opens)
[ "$opens" = 1200 ] && ok "synack: 1200 passive opens" || bad "passive opens: $opens"
sleep 1
pool=$(stat_raw srv | sed -n 's/^pool name=sockets .*in_use=\([0-9]*\) peak=\([0-9]*\).*/\1 \2/p')
[ "${pool%% *}" = 1 ] && ok "sockets pool back to the listener alone (peak ${pool##* })" ||
  { bad "sockets still in use: $pool"; stat_raw srv | grep -v '^counter\|^drop' | head -20; }
finish
