#!/usr/bin/env bash
# Interop: TIME_WAIT lands on whichever side closes first.  A Linux client that closes
# first holds it (ss -tan) and synack holds none; when synack's HTTP server closes
# first (Connection: close) synack holds it (synack stat, with the 2MSL timer
# counting down and then expiring) and Linux holds none.
. "$(dirname "$0")/lib.sh" "$1" 6
need curl
make_tun || { bad "make_tun"; finish; }
mkdir -p "$T/www" && echo hello > "$T/www/f"
serve srv --port 80 --app http --root "$T/www" --sysctl msl_ms=2000 || finish

tw_linux() { nsx ss -Htan state time-wait "( dport = :80 or sport = :80 )" | wc -l; }
tw_synack() { stat_raw srv | grep -c '^conn state=TIME_WAIT'; }

# Linux closes first: an HTTP/1.1 client that hangs up after its answer.
printf 'GET /f HTTP/1.1\r\nHost: x\r\n\r\n' | nsx timeout 5 nc -N -q 1 "$ADDR" 80 > "$T/a" 2>&1
sleep 0.3
if [ "$(tw_linux)" = 1 ] && [ "$(tw_synack)" = 0 ]; then
  ok "Linux closed first: TIME-WAIT on Linux ($(nsx ss -Htan state time-wait | awk '{print $3, $4}')), none in synack"
else
  bad "Linux closed first: Linux has $(tw_linux), synack has $(tw_synack)"; nsx ss -tan; stat_raw srv | grep ^conn
fi

# synack closes first: the server answers "Connection: close" and hangs up.
nsx timeout 5 curl -s -H 'Connection: close' "http://$ADDR/f" > /dev/null
sleep 0.3
"$SYNACK" stat --control "$T/srv.ctl" > "$T/stat.txt"
row=$(grep '^TIME_WAIT' "$T/stat.txt")
left=$(stat_raw srv | sed -n 's/^conn state=TIME_WAIT.* timer=timewait timer_ms=\([0-9]*\).*/\1/p')
if [ "$(tw_synack)" = 1 ] && [ -n "$row" ] && [ "${left:-0}" -gt 0 ] && [ "${left:-9999}" -le 4000 ]; then
  ok "synack closed first: synack stat shows TIME_WAIT with ${left} ms left: $row"
else
  bad "synack closed first: no TIME_WAIT in synack stat (left '$left')"; cat "$T/stat.txt"
fi
nlinux=$(nsx ss -Htan state time-wait "( sport = :80 or dport = :80 )" | grep -c ":$(echo "$row" | awk '{print $5}' | cut -d: -f2)\$" )
[ "$nlinux" = 0 ] && ok "...and Linux holds no TIME-WAIT for it" || bad "Linux also in TIME-WAIT"
sleep 4.5
[ "$(tw_synack)" = 0 ] && ok "2MSL (4 s with msl_ms=2000) expired: entry gone" || bad "TIME_WAIT still there after 2MSL"
pool=$(stat_raw srv | sed -n 's/^pool name=time_wait .*in_use=\([0-9]*\).*/\1/p')
[ "$pool" = 0 ] && ok "time_wait pool back to 0" || bad "time_wait pool in use: '$pool'"
finish
