# lib.sh: what the tool tests share (sourced, not run): $tool (the synack binary, the
# test's first argument), a scratch directory $t removed on exit, and ok/bad, which
# print a check's outcome (bad also sets $fail, the test's exit status).
set -u
tool=$1
fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
