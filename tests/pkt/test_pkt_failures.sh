#!/bin/bash
# test_pkt_failures.sh: every tests/pkt/fail/*.pkt must make `synack pkt` FAIL, with the
# text its first line names ("// expect: TEXT") in the FAIL line.  Read tools/pkt/pkt.h first.
# Usage: bash tests/pkt/test_pkt_failures.sh /path/to/synack   (exit 0 pass, 1 fail, 77 skip)
set -u
tool=${1:-}
if [ -z "$tool" ] || [ ! -x "$tool" ]; then
    echo "SKIP: no synack binary given"
    exit 77
fi
dir=$(cd "$(dirname "$0")" && pwd)/fail
passed=0
failed=0
for script in "$dir"/*.pkt; do
    name=$(basename "$script")
    want=$(head -n 1 "$script" | sed -n 's|^// expect: ||p')
    if [ -z "$want" ]; then
        echo "BAD  $name: the first line must be '// expect: TEXT'"
        failed=$((failed + 1))
        continue
    fi
    out=$(timeout 60 "$tool" pkt "$script" 2>&1)
    rc=$?
    line=$(grep -m 1 '^FAIL ' <<<"$out")
    if [ $rc -eq 0 ]; then
        echo "BAD  $name: passed, but it must fail"
        failed=$((failed + 1))
    elif [ $rc -ne 1 ] || grep -q 'Sanitizer' <<<"$out"; then
        echo "BAD  $name: exit status $rc"
        echo "$out" | sed 's/^/     /'
        failed=$((failed + 1))
    elif ! grep -qF -- "$want" <<<"$line"; then
        echo "BAD  $name: the FAIL line lacks '$want'"
        echo "     ${line:-$out}"
        failed=$((failed + 1))
    else
        echo "ok   $name: $line"
        passed=$((passed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
