#!/usr/bin/env bash
# The `synack demo` contract: the default run delivers its bytes intact (exit 0, the
# summary line), with loss too; --list names every scenario; each scenario exits 0; the
# same seed gives the same output; bad arguments exit 2.
. "$(dirname "$0")/lib.sh" "$1"

if "$tool" demo --no-ladder > "$t/out" 2>&1 && grep -qE '^delivered 1048576 bytes intact \(sha256 [0-9a-f]{64}\)$' "$t/out"; then
  ok "default demo delivers 1 MiB intact"
else
  bad "default demo"; cat "$t/out"
fi
if "$tool" demo --no-ladder --loss 0.02 --seed 7 --bytes 300000 > "$t/loss" 2>&1 && grep -q '^delivered 300000 bytes intact' "$t/loss"; then
  ok "demo with 2% loss delivers intact"
else
  bad "demo with 2% loss"; cat "$t/loss"
fi
# Buffer auto-tuning, in virtual time (deterministic): 20 MB over a 100 ms RTT must not be
# held to a fixed 128 KiB window (that alone would take over 15 s).
"$tool" demo --no-ladder --delay 50 --bytes 20000000 > "$t/bdp" 2>&1
secs=$(sed -n 's/.*; \([0-9.]*\) s of virtual time.*/\1/p' "$t/bdp")
if grep -q '^delivered 20000000 bytes intact' "$t/bdp" && awk -v s="$secs" 'BEGIN { exit !(s < 4) }'; then
  ok "20 MB over 100 ms RTT in $secs s of virtual time (windows grow)"
else
  bad "window growth: $secs s"; cat "$t/bdp"
fi
"$tool" demo --seed 3 --bytes 50000 > "$t/a" 2>&1
"$tool" demo --seed 3 --bytes 50000 > "$t/b" 2>&1
if cmp -s "$t/a" "$t/b" && grep -q 'SYN_SENT' "$t/a" && grep -q 'TIME_WAIT' "$t/a"; then
  ok "same seed, same ladder (with its states)"
else
  bad "ladder determinism"
fi
"$tool" demo --list > "$t/list"
n=0
for s in $(awk 'NR > 1 {print $1}' "$t/list"); do
  n=$((n + 1))
  if "$tool" demo --scenario "$s" > "$t/s" 2>&1 && grep -q "^$s: ok$" "$t/s"; then
    ok "scenario $s"
  else
    bad "scenario $s"; cat "$t/s"
  fi
done
[ "$n" -ge 15 ] && ok "$n scenarios listed" || bad "only $n scenarios listed"
"$tool" demo --bogus > /dev/null 2>&1; [ $? -eq 2 ] && ok "bad argument exits 2" || bad "bad argument exit status"
"$tool" demo --scenario nope > /dev/null 2>&1; [ $? -eq 2 ] && ok "unknown scenario exits 2" || bad "unknown scenario exit status"
exit $fail
