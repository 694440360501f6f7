# test_pcap_tshark.sh: the demo's pcap read back by tshark: no malformed packet, no expert
# error, every record counted.  Read drivers/pcap.c and include/synack_pcap.h before changing.
# Usage: bash test_pcap_tshark.sh /path/to/synack   (exit 77: tshark not installed)
set -u

tool=${1:?usage: test_pcap_tshark.sh /path/to/synack}
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
f=$tmp/demo.pcap
fail() { echo "FAIL: $*"; exit 1; }

"$tool" demo --pcap "$f" >"$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out"; fail "synack demo failed"; }
[ -s "$f" ] || fail "demo wrote no pcap"

# Our own count: walk the records (16-byte headers, little-endian incl_len at +8), and
# check the file header and that the last record ends exactly at the end of the file.
ours=$(od -An -v -tu1 "$f" | awk '
    { for (i = 1; i <= NF; i++) b[n++] = $i }
    END {
        if (n < 24 || b[0] != 77 || b[1] != 60 || b[2] != 178 || b[3] != 161) { print "badmagic"; exit }
        if (b[20] != 101 || b[21] != 0 || b[16] != 255 || b[17] != 255) { print "badheader"; exit }
        for (o = 24; o + 16 <= n; o += 16 + incl) {
            incl = b[o+8] + 256 * (b[o+9] + 256 * (b[o+10] + 256 * b[o+11]))
            if (b[o+5] * 256 + b[o+4] + 65536 * (b[o+6] + 256 * b[o+7]) >= 1000000000) { print "badnsec"; exit }
            c++
        }
        print (o == n ? c : "truncated")
    }')
case $ours in
'' | *[!0-9]*) fail "pcap file walk: $ours" ;;
0) fail "pcap has no packets" ;;
esac

# Checksums validated too: the pcap is captured before impairments, so all must be right.
opts=(-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE)
theirs=$(tshark -n "${opts[@]}" -r "$f" -T fields -e frame.number 2>"$tmp/err1" | wc -l) ||
    fail "tshark could not read the file"
# (tshark's warning about running as root is not about the file)
if grep -v '^Running as user' "$tmp/err1" | grep -q .; then
    cat "$tmp/err1"
    fail "tshark complained reading the file"
fi
[ "$theirs" -eq "$ours" ] || fail "tshark counts $theirs packets, the file holds $ours"

malformed=$(tshark -n "${opts[@]}" -r "$f" -Y '_ws.malformed || _ws.expert.severity == error' \
    -T fields -e frame.number 2>/dev/null | wc -l)
[ "$malformed" -eq 0 ] || {
    tshark -n "${opts[@]}" -r "$f" -Y '_ws.malformed || _ws.expert.severity == error' | head -20
    fail "$malformed malformed or expert-error packets"
}

tshark -n "${opts[@]}" -r "$f" -q -z expert >"$tmp/expert" 2>&1 || fail "tshark -z expert failed"
# Errors of any group, and checksum findings of any severity (ICMP's is only a warning).
if grep -Eq '^Errors \(|Malformed|^ +[0-9]+ +Checksum ' "$tmp/expert"; then
    cat "$tmp/expert"
    fail "tshark expert info reports errors or bad checksums"
fi

echo "PASS: $ours packets, none malformed, no expert errors"
