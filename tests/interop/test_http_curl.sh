#!/usr/bin/env bash
# Interop: curl (Linux's TCP) fetches files of 1 B, 1 MiB and 100 MiB from
# `synack serve --app http` byte for byte (sha256) over one kept-alive connection;
# HEAD, 404, directories and paths out of --root are answered right; SIGTERM stops it
# cleanly.  The one test whose device comes from --host-addr alone.
. "$(dirname "$0")/lib.sh" "$1" 1
need curl

www=$T/www
mkdir -p "$www/dir"
head -c 1 /dev/urandom > "$www/one"
head -c 1048576 /dev/urandom > "$www/mib"
head -c 104857600 /dev/urandom > "$www/big"
ln -s mib "$www/alias"
ln -s /etc/passwd "$www/escape"

serve http --host-addr "$HOST/24" --port 80 --app http --root "$www" || finish
srv=$BG_PID
url=http://$ADDR

# Three files over one connection: curl reuses it (num_connects 1, then 0, 0).
nsx timeout 120 curl -s --fail -o "$T/one" "$url/one" -o "$T/mib" "$url/mib" -o "$T/big" "$url/big" \
  -w '%{http_code} %{num_connects} %{size_download} %{speed_download}\n' > "$T/curl.out" 2>&1
for f in one mib big; do
  if [ -f "$T/$f" ] && [ "$(sha256sum < "$www/$f")" = "$(sha256sum < "$T/$f")" ]; then
    ok "GET /$f: $(stat -c %s "$T/$f") bytes intact (sha256)"
  else
    bad "GET /$f differs"
  fi
done
if [ "$(awk '{print $1, $2}' "$T/curl.out" | tr '\n' ' ')" = "200 1 200 0 200 0 " ] &&
   [ "$(counter http tcp_passive_opens)" = 1 ]; then
  ok "keep-alive: three requests on one connection (one passive open)"
else
  bad "keep-alive reuse"; cat "$T/curl.out"
fi
mbps=$(awk 'NR == 3 {printf "%.1f", $4 * 8 / 1e6}' "$T/curl.out")
echo "info: 100 MiB over HTTP at $mbps Mbit/s"

nsx timeout 10 curl -s -I "$url/mib" > "$T/head" -w '%{size_download}\n'
if grep -q '^HTTP/1.1 200' "$T/head" && grep -qi '^Content-Length: 1048576' "$T/head" &&
   [ "$(tail -n 1 "$T/head")" = 0 ]; then
  ok "HEAD: 200, Content-Length 1048576, no body"
else
  bad "HEAD"; cat "$T/head"
fi

code() { nsx timeout 10 curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "$url/nope")" = 404 ] && ok "missing file: 404" || bad "missing file not 404"
[ "$(code "$url/dir")" = 403 ] && ok "directory refused: 403" || bad "directory not refused"
[ "$(code "$url/")" = 403 ] && ok "root directory refused: 403" || bad "/ not refused"
[ "$(code --path-as-is "$url/../../etc/passwd")" = 403 ] && ok "/../ refused" || bad "/../ escapes"
[ "$(code --path-as-is "$url/%2e%2e/%2e%2e/etc/passwd")" = 403 ] && ok "encoded .. refused" ||
  bad "encoded .. escapes"
[ "$(code "$url/escape")" = 403 ] && ok "symlink out of --root refused" || bad "symlink escapes --root"
[ "$(code "$url/alias")" = 200 ] && ok "symlink inside --root served" || bad "symlink inside --root"
[ "$(code -X POST "$url/mib")" = 405 ] && ok "POST: 405" || bad "POST not 405"
# Two pipelined requests in one write, the second asking to close.
printf 'GET /one HTTP/1.1\r\nHost: x\r\n\r\nHEAD /mib HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
  nsx timeout 10 nc -N "$ADDR" 80 > "$T/pipe" 2>&1
[ "$(grep -o 'HTTP/1.1 200' "$T/pipe" | wc -l)" = 2 ] && grep -q 'Connection: close' "$T/pipe" &&
  ok "pipelined requests answered in order, then closed" || { bad "pipelining"; cat -A "$T/pipe" | head; }

# An idle kept-alive connection when SIGTERM comes: synack closes it with a FIN.
start_bg idle python3 "$PEER" wait-eof "$ADDR" 80 --send 'GET /one HTTP/1.1\r\nHost: x\r\n\r\n' --timeout 15
wait_for "$T/idle.out" '^connected' 10
sleep 0.3
stop_bg "$srv"
wait_for "$T/idle.out" '^(eof|E)' 5
grep -q '^eof after' "$T/idle.out" && ok "SIGTERM: the idle keep-alive connection got a FIN ($(tail -n 1 "$T/idle.out"))" ||
  bad "SIGTERM: idle connection: $(tail -n 1 "$T/idle.out")"
if [ "$RC" = 0 ] && grep -q 'stopped after' "$T/http.err"; then
  ok "SIGTERM: clean exit"
else
  bad "SIGTERM exit status $RC"; show "$T/http.err"
fi
nsx ip link show "$DEV" > /dev/null 2>&1 && bad "device left behind" || ok "device gone with the process"
finish
