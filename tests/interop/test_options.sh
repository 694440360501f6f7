#!/usr/bin/env bash
# Interop: TCP options negotiated with Linux (MSS, window scale, SACK, timestamps) as
# the Linux side reports them (`ss -ti`, and TCP_INFO's options, which some ss builds
# do not print) and as synack stat does, in both roles; turned off by --sysctl they
# disappear; --mss lowers the MSS Linux sends with.
. "$(dirname "$0")/lib.sh" "$1" 11
make_tun || { bad "make_tun"; finish; }

# ss_info FILTER: the info line of the one Linux connection matching FILTER.
ss_info() { nsx ss -Htin state established "$1" | tr '\n\t' '  '; }
syn_conn() { stat_raw "$1" | grep '^conn state=ESTABLISHED'; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2[:=]//p" | head -n 1; }

check() { # NAME SS-LINE TCP_INFO-LINE SYNACK-LINE WANT-MSS
  local name=$1 ss=$2 info=$3 sy=$4 want=$5
  local sws=$(field "$ss" wscale) yws=$(field "$sy" wscale) opts=$(field "$info" options)
  if [ "$opts" = ts,sack,wscale ] && [ "$(field "$info" wscale)" = "$sws" ] &&
     [ "$(field "$ss" mss)" = "$want" ] &&
     [ "$(field "$sy" ts)" = 1 ] && [ "$(field "$sy" sack)" = 1 ] && [ "$(field "$sy" mss)" = "$want" ] &&
     [ -n "$sws" ] && [ "${sws#*,},${sws%,*}" = "$yws" ]; then
    ok "$name: Linux: $opts wscale:$sws mss:$want; synack: ts=1 sack=1 wscale=$yws mss=$want"
  else
    bad "$name options"; echo "ss: $ss"; echo "Linux $info"; echo "synack: $sy"
  fi
}

serve srv --port 7 --app echo || finish
srv=$BG_PID
start_bg h python3 "$PEER" hold "$ADDR" 7 --secs 3
wait_for "$T/h.out" '^info' 10
check "Linux client -> synack server" "$(ss_info "dst $ADDR:7")" "$(grep ^info "$T/h.out")" "$(syn_conn srv)" 1448
stop_bg "$srv"

serve off --port 7 --app echo --sysctl tcp_sack=0 --sysctl tcp_timestamps=0 --sysctl tcp_window_scaling=0 || finish
srv=$BG_PID
start_bg h2 python3 "$PEER" hold "$ADDR" 7 --secs 3
wait_for "$T/h2.out" '^info' 10
ss=$(ss_info "dst $ADDR:7")
if grep -q 'options=none' "$T/h2.out" && ! echo "$ss" | grep -q wscale && [ "$(field "$ss" mss)" = 1460 ]; then
  ok "options off in synack: Linux has no ts, sack or wscale, mss:1460"
else
  bad "options off"; echo "ss: $ss"; cat "$T/h2.out"
fi
stop_bg "$srv"

serve small --port 7 --app echo --mss 1000 || finish
srv=$BG_PID
start_bg h3 python3 "$PEER" hold "$ADDR" 7 --secs 3
wait_for "$T/h3.out" '^info' 10
ss=$(ss_info "dst $ADDR:7")
[ "$(field "$ss" mss)" = 988 ] && ok "--mss 1000: Linux sends 988-byte segments (1000 - 12 of timestamps)" ||
  { bad "--mss 1000"; echo "ss: $ss"; }
stop_bg "$srv"

start_bg srvl python3 "$PEER" accept-hold 5005 --secs 5 --timeout 20
wait_for "$T/srvl.out" '^ready' 10
mkfifo "$T/in"
exec 3<> "$T/in"
ip netns exec "$NS" "$SYNACK" connect --tun "$DEV" --addr "$ADDR/24" --control "$T/cl.ctl" \
  "$HOST" 5005 < "$T/in" > /dev/null 2> "$T/cl.err" &
PIDS="$PIDS $!"
wait_for "$T/srvl.out" '^info' 10
check "synack client -> Linux server" "$(ss_info "sport = :5005")" "$(grep ^info "$T/srvl.out")" "$(syn_conn cl)" 1448
exec 3>&-
finish
