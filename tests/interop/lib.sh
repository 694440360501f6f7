# lib.sh: shared set-up of the interop tests (sourced, not run): a network namespace of
# the test's own with a TUN device, addresses from 198.18.0.0/15, cleanup on exit.
# Read docs/interop.md and DESIGN.md ("Testing against things nobody here wrote") first.
#
# A test sources it with its subnet number N (distinct per test, so tests can run in
# parallel):   . "$(dirname "$0")/lib.sh" "$1" N
# and gets: $SYNACK (the tool), $NS (namespace), $T (scratch dir), $HOST (the kernel's
# address 198.18.N.1), $ADDR (synack's, 198.18.N.2), nsx CMD (run inside $NS),
# make_tun, start_bg NAME CMD..., wait_for FILE REGEX SECS, ok/bad, finish.
set -u
SYNACK=$(readlink -f "$1")
SUBNET=$2
TEST=${INTEROP_NAME:-$(basename "$0" .sh)}
HERE=$(cd "$(dirname "$0")" && pwd)
PEER="$HERE/peer.py"
HOST=198.18.$SUBNET.1
ADDR=198.18.$SUBNET.2
NS=synack-${TEST#test_}-$$
DEV=sa0
fail=0
passed=0
PIDS=""

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root: the interop tests need a network namespace and a TUN device"
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing"
command -v ip >/dev/null || skip "ip (iproute2) is missing"
# Missing peers are a failure, not a skip: .ci/deps.sh installs them.
need() {
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "FAIL: $c is not installed (see .ci/deps.sh)"; exit 1; }
  done
}
need python3 timeout sha256sum ss

T=$(mktemp -d /tmp/synack-interop.XXXXXX)
cleanup() {
  for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.2
  # Whatever still runs in our namespace was started by this test.
  for p in $PIDS $(ip netns pids "$NS" 2>/dev/null); do
    { kill -KILL "$p" && wait "$p"; } 2>/dev/null
  done
  ip netns del "$NS" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS" || { echo "FAIL: ip netns add $NS"; exit 1; }
ip -n "$NS" link set lo up

nsx() { ip netns exec "$NS" "$@"; }
# calc EXPR: floating-point arithmetic (awk; bc may not be installed).
calc() { awk "BEGIN { print $* }"; }
# since T0: seconds (3 decimals) from a `date +%s.%N` stamp to now.
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; fail=1; }
show() { for f in "$@"; do [ -s "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done; return 0; }

# A persistent TUN device with the kernel's address, up: synack attaches to it, so it
# (and the kernel's address) survives a synack process.
make_tun() {
  nsx ip tuntap add dev "$DEV" mode tun &&
  nsx ip addr add "$HOST/24" dev "$DEV" &&
  nsx ip link set "$DEV" up
}

# start_bg NAME CMD...: runs CMD inside the namespace in the background, stdout and
# stderr to $T/NAME.out and $T/NAME.err; sets BG_PID.
start_bg() {
  local name=$1
  shift
  # Not through nsx: a function would fork a subshell, and $! must be the program
  # itself (ip netns exec execs it) so signals reach it.
  ip netns exec "$NS" "$@" > "$T/$name.out" 2> "$T/$name.err" &
  BG_PID=$!
  PIDS="$PIDS $BG_PID"
}

# wait_for FILE REGEX SECS: true once FILE has a line matching REGEX.
wait_for() {
  local i=0 n=$(( $3 * 20 ))
  while [ $i -lt $n ]; do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
    i=$((i + 1))
  done
  return 1
}

# serve NAME ARGS...: starts `synack serve` on $DEV with address $ADDR and control
# socket $T/NAME.ctl, and waits for "listening on".
serve() {
  local name=$1
  shift
  start_bg "$name" "$SYNACK" serve --tun "$DEV" --addr "$ADDR/24" --control "$T/$name.ctl" "$@"
  if ! wait_for "$T/$name.out" '^listening on ' 10; then
    bad "synack serve $name did not start"
    show "$T/$name.out" "$T/$name.err"
    return 1
  fi
}

# stat_raw NAME: the raw records of the instance with control socket $T/NAME.ctl.
stat_raw() { "$SYNACK" stat --control "$T/$1.ctl" --raw; }
# counter NAME FIELD: one counter of that instance.
counter() { stat_raw "$1" | sed -n "s/^counter $2=//p"; }

# Stops a background process with SIGTERM and waits (bounded) for it; its status in RC.
stop_bg() {
  kill -TERM "$1" 2>/dev/null
  local i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
  wait "$1" 2>/dev/null
  RC=$?
}

finish() {
  # Stop what still runs (synack closes gracefully on SIGTERM), so its exit-time leak
  # check has run before the logs are read.
  for p in $PIDS; do kill -0 "$p" 2>/dev/null && stop_bg "$p"; done
  # The test build has ASan and UBSan: any report from a synack process is a failure.
  if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T"/*.err > /dev/null 2>&1; then
    bad "sanitizer report"
    grep -hE -A5 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T"/*.err | head -n 40
  fi
  echo "$TEST: $passed checks passed, $([ $fail = 0 ] && echo 0 || echo some) failed"
  exit $fail
}
