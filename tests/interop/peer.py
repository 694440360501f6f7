#!/usr/bin/env python3
# peer.py: the Linux side of the interop tests: small socket programs (clients and
# servers) using the kernel's TCP.  Read tests/interop/lib.sh and socket(7) first.
# Every mode is bounded in time (--timeout) and prints what it saw on one line.
import argparse
import errno
import hashlib
import os
import socket
import sys
import threading
import time


def ename(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if getattr(e, "errno", None) else type(e).__name__


def say(*a):
    print(*a, flush=True)


def connect(host, port, timeout, bind_port=0):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if bind_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", bind_port))
    s.connect((host, port))
    return s


def listener(port, host=""):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(512)
    return ls


def m_refused(a):
    """Connects to a closed port: prints the errno name; exit 0 only for ECONNREFUSED."""
    try:
        connect(a.host, a.port, a.timeout).close()
        say("connected")
        return 1
    except OSError as e:
        say(ename(e))
        return 0 if e.errno == errno.ECONNREFUSED else 1


def m_echo_client(a):
    """Sends a file to an echo server while reading the echo; compares sha256."""
    s = connect(a.host, a.port, a.timeout)
    s.settimeout(a.stall)  # no byte for this long: stalled
    tx = hashlib.sha256()
    sent = [0]

    def sender():
        with open(a.file, "rb") as f:
            while True:
                b = f.read(1 << 16)
                if not b:
                    break
                tx.update(b)
                s.sendall(b)
                sent[0] += len(b)
        s.shutdown(socket.SHUT_WR)

    t0 = time.time()
    th = threading.Thread(target=sender, daemon=True)
    th.start()
    rx = hashlib.sha256()
    got = 0
    while True:
        try:
            b = s.recv(1 << 18)
        except socket.timeout:
            say("echo STALLED: nothing for %.0fs after %d bytes back, %d sent" % (a.stall, got,
                sent[0]))
            return 1
        if not b:
            break
        rx.update(b)
        got += len(b)
    th.join(a.timeout)
    dt = time.time() - t0
    s.close()
    same = got == sent[0] and rx.digest() == tx.digest()
    say("echo %s bytes=%d secs=%.2f MBps=%.1f sha=%s" % ("intact" if same else "CORRUPT", got, dt,
        got / dt / 1e6 if dt > 0 else 0, rx.hexdigest()))
    return 0 if same else 1


def m_echo_server(a):
    """Echoes each connection (one at a time, --count of them); half-closes on EOF."""
    ls = listener(a.port)
    say("ready")
    for _ in range(a.count):
        ls.settimeout(a.timeout)
        c, _peer = ls.accept()
        c.settimeout(a.timeout)
        n = 0
        while True:
            b = c.recv(1 << 18)
            if not b:
                break
            c.sendall(b)
            n += len(b)
        c.shutdown(socket.SHUT_WR)
        c.close()
        say("echoed %d" % n)
    return 0


def m_sink_server(a):
    """Reads one connection to EOF, then answers '<bytes> <sha256>' and closes."""
    ls = listener(a.port)
    say("ready")
    ls.settimeout(a.timeout)
    c, _peer = ls.accept()
    c.settimeout(a.timeout)
    h = hashlib.sha256()
    n = 0
    while True:
        b = c.recv(1 << 18)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(("%d %s\n" % (n, h.hexdigest())).encode())
    c.close()
    say("sank %d" % n)
    return 0


def m_half_close_client(a):
    """Sends --bytes (reading meanwhile), shuts down writing, then reads until EOF: the
    echo must match, and part of it must come after the FIN."""
    s = connect(a.host, a.port, a.timeout)
    data = os.urandom(a.bytes)
    fin_at = [0]
    got = bytearray()

    def sender():
        s.sendall(data)
        fin_at[0] = len(got)
        s.shutdown(socket.SHUT_WR)

    th = threading.Thread(target=sender, daemon=True)
    th.start()
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        got += b
    th.join(a.timeout)
    s.close()
    ok = bytes(got) == data
    say("half-close %s sent=%d got=%d after_fin=%d" % ("intact" if ok else "CORRUPT", len(data),
        len(got), len(got) - fin_at[0]))
    return 0 if ok and len(got) > fin_at[0] else 1


def exchange(host, port, timeout, i):
    s = connect(host, port, timeout)
    msg = ("hello %d\n" % i).encode()
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        b = s.recv(64)
        if not b:
            break
        got += b
    s.close()
    return got == msg


def m_many(a):
    """--seq N exchanges one after another, then --conc C at once; all must succeed."""
    fails = []
    t0 = time.time()
    ok_seq = 0
    for i in range(a.seq):
        try:
            ok_seq += exchange(a.host, a.port, a.timeout, i)
        except OSError as e:
            fails.append(ename(e))
    t1 = time.time()
    ok_conc = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(a.conc) if a.conc else None
    # Every client holds its connection open until all are connected: truly concurrent.
    hold = threading.Barrier(a.conc) if a.conc else None

    def one(i):
        try:
            barrier.wait(a.timeout)
            s = connect(a.host, a.port, a.timeout)
            try:
                hold.wait(a.timeout)
            except threading.BrokenBarrierError:
                pass
            msg = ("conc %d\n" % i).encode()
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                b = s.recv(64)
                if not b:
                    break
                got += b
            s.close()
            with lock:
                ok_conc[0] += got == msg
        except (OSError, threading.BrokenBarrierError) as e:
            with lock:
                fails.append(ename(e))

    ths = [threading.Thread(target=one, args=(i,)) for i in range(a.conc)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(a.timeout * 2)
    t2 = time.time()
    say("sequential %d/%d in %.2fs, concurrent %d/%d in %.2fs, errors %s" % (
        ok_seq, a.seq, t1 - t0, ok_conc[0], a.conc, t2 - t1, sorted(set(fails)) or "none"))
    return 0 if ok_seq == a.seq and ok_conc[0] == a.conc else 1


def m_loop(a):
    """Exchanges one line per connection, one connection after another, for --secs;
    every connection must succeed."""
    ok = 0
    fails = []
    slowest = 0.0
    end = time.time() + a.secs
    i = 0
    while time.time() < end:
        t = time.time()
        try:
            if exchange(a.host, a.port, a.timeout, i):
                ok += 1
            else:
                fails.append("short")
        except OSError as e:
            fails.append(ename(e))
        slowest = max(slowest, time.time() - t)
        i += 1
    say("loop %d/%d connections served, slowest %.3fs, errors %s" % (ok, i, slowest,
        sorted(set(fails)) or "none"))
    return 0 if ok == i and i > 0 else 1


def m_stream(a):
    """Connects and sends until an error: prints 'connected', then the errno name."""
    s = connect(a.host, a.port, a.timeout)
    say("connected")
    buf = b"x" * 16384
    deadline = time.time() + a.timeout
    sent = 0
    try:
        while time.time() < deadline:
            s.sendall(buf)
            sent += len(buf)
            if a.pace:
                time.sleep(a.pace)
        say("no error after %d bytes" % sent)
        return 1
    except OSError as e:
        say("%s after %d bytes" % (ename(e), sent))
        return 0


def tcp_info(s):
    """What Linux's TCP_INFO says of the options (what `ss -ti` shows)."""
    ti = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 32)
    opts = ti[5]
    names = [n for bit, n in ((1, "ts"), (2, "sack"), (4, "wscale")) if opts & bit]
    snd_mss = int.from_bytes(ti[16:20], "little")
    return "info options=%s wscale=%d,%d snd_mss=%d" % (",".join(names) or "none", ti[6] & 15,
                                                        ti[6] >> 4, snd_mss)


def m_hold(a):
    """Connects (optionally from --bind-port) and holds the connection for --secs."""
    s = connect(a.host, a.port, a.timeout, a.bind_port)
    say("connected %s:%d" % s.getsockname()[:2])
    time.sleep(0.2)
    say(tcp_info(s))
    if a.send:
        s.sendall(a.send.encode())
    time.sleep(a.secs)
    s.close()
    return 0


def m_wait_eof(a):
    """Connects, sends --send, then reads until the peer closes: 'eof after N bytes'
    for a FIN, the errno name for a reset."""
    s = connect(a.host, a.port, a.timeout)
    s.sendall(a.send.encode().decode("unicode_escape").encode("latin-1"))
    say("connected")
    n = 0
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            n += len(b)
    except OSError as e:
        say("%s after %d bytes" % (ename(e), n))
        return 1
    say("eof after %d bytes" % n)
    return 0


def m_accept_hold(a):
    """Accepts one connection and holds it (reading nothing) until killed or --secs."""
    ls = listener(a.port)
    say("ready")
    ls.settimeout(a.timeout)
    c, peer = ls.accept()
    say("accepted %s:%d" % peer[:2])
    time.sleep(0.2)
    say(tcp_info(c))
    time.sleep(a.secs)
    c.close()
    return 0


def m_simopen(a):
    """Waits for the device's carrier, then connects from --bind-port: with synack's SYN
    crossing ours, both sides see a simultaneous open.  Exchanges one line."""
    carrier = "/sys/class/net/%s/carrier" % a.dev
    deadline = time.time() + a.timeout
    while time.time() < deadline:
        try:
            with open(carrier) as f:
                if f.read().strip() == "1":
                    break
        except OSError:
            pass
        time.sleep(0.005)
    s = connect(a.host, a.port, a.timeout, a.bind_port)
    s.sendall(b"from linux\n")
    got = b""
    while not got.endswith(b"\n"):
        b = s.recv(64)
        if not b:
            break
        got += b
    s.shutdown(socket.SHUT_WR)
    while s.recv(64):
        pass
    s.close()
    say("simopen got %r" % got.decode(errors="replace").strip())
    return 0 if got == b"from synack\n" else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("host", nargs="?", default="")
    p.add_argument("port", nargs="?", type=int, default=0)
    p.add_argument("--file")
    p.add_argument("--bytes", type=int, default=100000)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--seq", type=int, default=0)
    p.add_argument("--conc", type=int, default=0)
    p.add_argument("--secs", type=float, default=5)
    p.add_argument("--pace", type=float, default=0)
    p.add_argument("--stall", type=float, default=60)
    p.add_argument("--send", default="")
    p.add_argument("--bind-port", type=int, default=0)
    p.add_argument("--dev", default="sa0")
    p.add_argument("--timeout", type=float, default=30)
    a = p.parse_args()
    modes = {
        "refused": m_refused, "echo-client": m_echo_client, "echo-server": m_echo_server,
        "sink-server": m_sink_server, "half-close-client": m_half_close_client,
        "many": m_many, "loop": m_loop, "stream": m_stream, "hold": m_hold, "wait-eof": m_wait_eof, "accept-hold": m_accept_hold,
        "simopen": m_simopen,
    }
    if a.mode in ("echo-server", "sink-server", "accept-hold"):
        a.port = int(a.host)  # servers take only a port
    try:
        return modes[a.mode](a)
    except OSError as e:
        say("error %s" % ename(e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
