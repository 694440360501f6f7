#!/usr/bin/env bash
# Interop (seed stories: the peer falls silent): mid-connection, synack's driver starts
# dropping every packet both ways (`synack stat --cmd "impair both loss=1"`).  With
# data outstanding synack retransmits tcp_retries2=3 times and gives up: exit 5,
# ETIMEDOUT.  An idle connection with short keepalive settings first sees its probes
# answered by Linux, then, silenced, gives up after tcp_keepalive_probes: ETIMEDOUT.
. "$(dirname "$0")/lib.sh" "$1" 9
make_tun || { bad "make_tun"; finish; }

# start_client NAME PORT ARGS...: synack connect to Linux's HOST:PORT, stdin a fifo on fd 3.
start_client() {
  local name=$1 port=$2
  shift 2
  rm -f "$T/$name.in"
  mkfifo "$T/$name.in"
  exec 3<> "$T/$name.in"
  ip netns exec "$NS" "$SYNACK" connect --tun "$DEV" --addr "$ADDR/24" --control "$T/$name.ctl" \
    -v "$@" "$HOST" "$port" < "$T/$name.in" > "$T/$name.out" 2> "$T/$name.err" &
  CL=$!
  PIDS="$PIDS $CL"
}
# expect_etimedout NAME SECS WHAT: waits (bounded) for the client NAME ($CL), silenced at
# $t0, to give up, and checks how: exit 5, ETIMEDOUT.  One still running has its state
# saved in $T/NAME.stat and is killed, so the next check can use the device.
expect_etimedout() {
  local name=$1 i=0 rc secs
  while kill -0 "$CL" 2>/dev/null && [ $i -lt $(( $2 * 20 )) ]; do sleep 0.05; i=$((i + 1)); done
  if kill -0 "$CL" 2>/dev/null; then
    rc=999
    "$SYNACK" stat --control "$T/$name.ctl" --raw | grep '^conn' > "$T/$name.stat"
    kill -KILL "$CL"
    wait "$CL" 2>/dev/null
  else
    wait "$CL"
    rc=$?
  fi
  secs=$(since "$t0")
  exec 3>&-
  if [ $rc = 5 ] && grep -q ETIMEDOUT "$T/$name.err"; then
    ok "$3 in ${secs}s: exit 5, ETIMEDOUT"
  else
    bad "$3: exit $rc after ${secs}s"; show "$T/$name.err" "$T/$name.stat"
  fi
}
silence() { "$SYNACK" stat --control "$T/$1.ctl" --cmd "impair both loss=1" > /dev/null; }

start_bg sink python3 "$PEER" sink-server 5003 --timeout 60
wait_for "$T/sink.out" '^ready' 10 || bad "python server did not start"
start_client rtx 5003 --sysctl tcp_retries2=3
echo hello >&3
wait_for "$T/rtx.err" '^connect: connected' 10 || bad "no connection"
sleep 0.5
silence rtx
t0=$(date +%s.%N)
echo "into the void" >&3
expect_etimedout rtx 30 "data unacknowledged: gave up after tcp_retries2=3"

start_bg idle python3 "$PEER" accept-hold 5004 --secs 60 --timeout 20
wait_for "$T/idle.out" '^ready' 10 || bad "python server did not start"
start_client ka 5004 --keepalive --sysctl tcp_keepalive_time_ms=1000 \
  --sysctl tcp_keepalive_intvl_ms=500 --sysctl tcp_keepalive_probes=3
wait_for "$T/ka.err" '^connect: connected' 10 || bad "no connection"
sleep 3.2
probes=$("$SYNACK" stat --control "$T/ka.ctl" --raw | sed -n 's/^counter keepalive_probes=//p')
alive=$("$SYNACK" stat --control "$T/ka.ctl" --raw | grep -c '^conn state=ESTABLISHED.*timer=keepalive')
if [ "${probes:-0}" -ge 2 ] && [ "$alive" = 1 ]; then
  ok "idle 3 s with keepalive every 1 s: $probes probes answered by Linux, still ESTABLISHED"
else
  bad "keepalive while Linux answers: probes '$probes', established '$alive'"
fi
silence ka
t0=$(date +%s.%N)
expect_etimedout ka 20 "silenced: keepalive (1 s idle + 3 probes 0.5 s apart) gave up"
finish
