#!/usr/bin/env bash
# Interop: the driver's own impairments (this kernel has no netem), seen by ping from
# Linux: --delay applies in both directions (RTT >= twice it), --dup 1 duplicates every
# packet, --loss 1 drops everything; `stat --cmd impair` changes them live; the link
# counters agree.
. "$(dirname "$0")/lib.sh" "$1" 15
need ping
make_tun || { bad "make_tun"; finish; }
pingx() { nsx timeout 20 ping -n -c "$1" -i 0.2 -W 2 "$ADDR" 2>&1; }

serve srv --port 7 --app echo --delay 25 || finish
out=$(pingx 4)
avg=$(echo "$out" | sed -n 's/^rtt .* = [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
if echo "$out" | grep -q ' 0% packet loss' && [ "$(calc "(${avg:-0} >= 50)")" = 1 ]; then
  ok "--delay 25: ping RTT avg ${avg} ms (>= 50: both directions)"
else
  bad "--delay 25: $out"
fi
"$SYNACK" stat --control "$T/srv.ctl" --cmd "impair both delay=0 dup=1" > /dev/null
out=$(pingx 4)
echo "$out" | grep -qE '\+[0-9]+ duplicates' && ok "impair dup=1: $(echo "$out" | grep 'packets transmitted')" ||
  bad "dup: $out"
"$SYNACK" stat --control "$T/srv.ctl" --cmd "impair in dup=0 loss=1" > /dev/null
out=$(pingx 3)
echo "$out" | grep -q ' 100% packet loss' && ok "impair in loss=1: 100% loss" || bad "loss=1: $out"
link=$(stat_raw srv | grep '^link')
lost=$(echo "$link" | sed -n 's/.*lost_in=\([0-9]*\).*/\1/p')
dup=$(echo "$link" | sed -n 's/.*dup_out=\([0-9]*\).*/\1/p')
[ "${lost:-0}" -ge 3 ] && [ "${dup:-0}" -ge 4 ] && ok "link counters: lost_in $lost, dup_out $dup" ||
  bad "link counters: $link"
"$SYNACK" stat --control "$T/srv.ctl" --cmd "impair sideways loss=1" > "$T/e" 2>&1
[ $? != 0 ] && grep -q '^error' "$T/e" && ok "bad impair command refused: $(cat "$T/e")" || bad "bad impair accepted"
finish
