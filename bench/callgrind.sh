#!/usr/bin/env bash
# callgrind.sh: the repeatable figure: instructions synack executes per segment, round trip
# and connection (valgrind's callgrind), with the top functions.  Read bench/README.md.
#
#   bash bench/callgrind.sh [path/to/synack_bench] [OUTDIR]
# Same binary and sources give the same counts on any machine and under any load.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build-bench/synack_bench}
out=${2:-$(mktemp -d /tmp/synack-callgrind.XXXXXX)}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 2; }
[ -x "$bin" ] || { echo "callgrind.sh: $bin not found: build it with 'make bench'" >&2; exit 2; }
mkdir -p "$out"

bulk_bytes=$((16 << 20))
rr=10000
crr=2000

# Counts everything inside synack_memlink_run: both stacks, the memlink and the two
# applications' calls (not stack creation).  Prints the instruction count.
measure() { # name, synack_bench options...
    local name=$1
    shift
    timeout 600 valgrind --tool=callgrind --toggle-collect=synack_memlink_run \
        --callgrind-out-file="$out/callgrind.$name" "$bin" --sides synack --runs 1 --warmup 0 \
        --limit 300 "$@" >"$out/$name.txt" 2>"$out/$name.err"
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$name.err"
}

ir_bulk=$(measure bulk --only bulk --bytes $bulk_bytes)
segs=$(sed -n 's/^- bulk synack:.* \([0-9]*\) segments.*/\1/p' "$out/bulk.txt")
ir_rr=$(measure rr --only rr --rr $rr)
ir_crr=$(measure crr --only crr --crr $crr)

# valgrind counts each iteration of memset's `rep stosb` as one instruction (one per
# byte), so a memset weighs far more here than in time: shown apart.
memset_ir() {
    callgrind_annotate "$out/callgrind.$1" 2>/dev/null |
        awk '/__memset/ { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}
m_bulk=$(memset_ir bulk)
m_rr=$(memset_ir rr)
m_crr=$(memset_ir crr)

echo "synack instructions (callgrind Ir), both stacks + memlink + applications;"
echo "in brackets: the same without memset"
awk -v ir="$ir_bulk" -v m="$m_bulk" -v s="$segs" -v b="$bulk_bytes" 'BEGIN {
    printf "  bulk: %.0f [%.0f] per data segment (%d segments), %.2f [%.2f] per byte\n",
        ir / s, (ir - m) / s, s, ir / b, (ir - m) / b }'
awk -v ir="$ir_rr" -v m="$m_rr" -v n="$rr" 'BEGIN {
    printf "  rr:   %.0f [%.0f] per round trip\n", ir / n, (ir - m) / n }'
awk -v ir="$ir_crr" -v m="$m_crr" -v n="$crr" 'BEGIN {
    printf "  crr:  %.0f [%.0f] per connection\n", ir / n, (ir - m) / n }'
for name in bulk rr crr; do
    echo
    echo "top functions ($name, self cost):"
    callgrind_annotate "$out/callgrind.$name" 2>/dev/null |
        sed -n '/^Ir *file:function/,$p' | sed -n '3,8p' |
        sed -e 's/ \[[^]]*\]$//' -e 's|[^ ]*/\([^/:]*:\)|\1|'
done
echo
echo "(profiles in $out; callgrind_annotate --inclusive=yes $out/callgrind.bulk for more)"
