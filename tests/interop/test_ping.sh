#!/usr/bin/env bash
# Interop: ping (ICMP echo) from Linux to synack's address, small and near-MTU, IPv4
# and IPv6 (2001:db8::/32), with synack's counters agreeing; TCP over IPv6 too; and an
# idle `synack serve` sleeps: almost no CPU and few loop wakeups over 3 seconds.
. "$(dirname "$0")/lib.sh" "$1" 13
need ping nc
make_tun || { bad "make_tun"; finish; }
ADDR6=2001:db8:13::2
nsx ip -6 addr add 2001:db8:13::1/64 dev "$DEV" nodad
serve srv --port 7 --app echo || finish
srv=$BG_PID

if nsx timeout 20 ping -n -c 5 -i 0.2 -W 2 "$ADDR" > "$T/p1" 2>&1 && grep -q ' 0% packet loss' "$T/p1" &&
   nsx timeout 20 ping -n -c 5 -i 0.2 -W 2 -s 1472 -M do "$ADDR" > "$T/p2" 2>&1 && grep -q ' 0% packet loss' "$T/p2"; then
  ok "ping $ADDR: 5 of 5 (56 bytes), 5 of 5 (1472 bytes, DF): $(tail -n 1 "$T/p1")"
else
  bad "ping"; cat "$T/p1" "$T/p2"
fi
echos=$(counter srv icmp_in_echos)
reps=$(counter srv icmp_out_echo_reps)
[ "$echos" = 10 ] && [ "$reps" = 10 ] && ok "synack counted 10 echo requests and 10 replies" ||
  bad "ICMP counters: in_echos '$echos', out_echo_reps '$reps'"

# Idle: the loop must sleep in epoll_wait (no busy polling).
w0=$(stat_raw srv | sed -n 's/^link .*wakeups=\([0-9]*\).*/\1/p')
c0=$(awk '{print $14 + $15}' "/proc/$srv/stat")
sleep 3
c1=$(awk '{print $14 + $15}' "/proc/$srv/stat")
w1=$(stat_raw srv | sed -n 's/^link .*wakeups=\([0-9]*\).*/\1/p')
ticks=$((c1 - c0))
wakes=$((w1 - w0 - 1))
if [ $ticks -le 5 ] && [ $wakes -le 20 ]; then
  ok "idle 3 s: $ticks CPU ticks ($(getconf CLK_TCK)/s), $wakes loop wakeups"
else
  bad "idle 3 s: $ticks CPU ticks, $wakes wakeups (busy?)"
fi
stop_bg "$srv"

serve six --port 7 --app echo --addr "$ADDR6/64" || finish
if nsx timeout 20 ping -n -6 -c 3 -i 0.2 -W 2 "$ADDR6" > "$T/p6" 2>&1 && grep -q ' 0% packet loss' "$T/p6"; then
  ok "ping $ADDR6: 3 of 3"
else
  bad "ping IPv6"; cat "$T/p6"
fi
got=$(echo "over IPv6" | nsx timeout 10 nc -N "$ADDR6" 7)
[ "$got" = "over IPv6" ] && ok "TCP echo over IPv6" || bad "TCP over IPv6: '$got'"
finish
