#!/usr/bin/env bash
# Interop (seed story: SYN flood): hping3 floods synack's listener with SYNs from
# spoofed (random) sources for 3 seconds, inside the namespace, while a Linux client
# keeps connecting.  With SYN cookies every client connection succeeds; the counters
# show cookies sent and validated; synack's pools stay within their bounds and its
# memory is reported.
. "$(dirname "$0")/lib.sh" "$1" 14
need hping3
make_tun || { bad "make_tun"; finish; }
# serve allocates each connection's buffer when it accepts it: under ASan, freed ones
# would sit in its quarantine (up to 256 MB), which is not synack's memory.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
serve srv --port 80 --app echo --sysctl tcp_max_syn_backlog=128 || finish
srv=$BG_PID
m0=$(stat_raw srv | sed -n 's/^mem rss_kb=\([0-9]*\).*/\1/p')

start_bg flood timeout -s INT 3 hping3 --flood --rand-source -S -p 80 "$ADDR"
flood=$BG_PID
start_bg clients python3 "$PEER" loop "$ADDR" 80 --secs 4 --timeout 15
clients=$BG_PID
wait "$flood" 2>/dev/null
wait "$clients"
crc=$?
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T/flood.out" "$T/flood.err" | head -n 1)
echo "info: hping3 sent ${sent:-?} SYNs in 3 s ($(( ${sent:-0} / 3 )) per second)"
if [ $crc = 0 ]; then
  ok "during the flood: $(cat "$T/clients.out")"
else
  bad "clients during the flood: $(cat "$T/clients.out")"; show "$T/clients.err"
fi
stat_raw srv > "$T/stat"
get() { sed -n "s/^counter $1=//p" "$T/stat"; }
cs=$(get syncookies_sent); cr=$(get syncookies_recv); cf=$(get syncookies_failed)
if [ "${cs:-0}" -gt 0 ] && [ "${cr:-0}" -gt 0 ]; then
  ok "SYN cookies: $cs sent, $cr validated, $cf failed; SYN queue overflows $(get listen_overflows), passive opens $(get tcp_passive_opens)"
else
  bad "SYN cookies: sent '$cs', validated '$cr'"
fi
over=$(awk '/^pool / { split($3, c, "="); split($5, p, "="); if (p[2] > c[2]) print $2 }' "$T/stat")
pools=$(awk '/^pool / { sub("name=", "", $2); sub("peak=", "", $5); sub("capacity=", "", $3); printf "%s %s/%s, ", $2, $5, $3 }' "$T/stat")
[ -z "$over" ] && ok "pools within bounds (peak/capacity): ${pools%, }" || bad "pool over capacity: $over"
rx=$(sed -n 's/^link rx_pkts=\([0-9]*\).*/\1/p' "$T/stat")
mem=$(sed -n 's/^mem rss_kb=\([0-9]*\) hwm_kb=\([0-9]*\).*/rss \1 KiB, peak \2 KiB/p' "$T/stat")
echo "info: synack read $rx packets; memory before ${m0} KiB, after: $mem"
hwm=$(sed -n 's/^mem .*hwm_kb=\([0-9]*\).*/\1/p' "$T/stat")
[ "${hwm:-0}" -le $(( m0 + 65536 )) ] && ok "memory bounded: peak $hwm KiB (started at $m0 KiB)" ||
  bad "memory grew: peak $hwm KiB from $m0 KiB"
if kill -0 "$srv" && echo still here | nsx timeout 10 nc -N "$ADDR" 80 | grep -q 'still here'; then
  ok "after the flood: server alive and serving"
else
  bad "server not serving after the flood"
fi
finish
