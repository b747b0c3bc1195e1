"""systemd's side of the notify protocol, played by the test: a datagram
socket of our own as NOTIFY_SOCKET. READY only once serving, STATUS lines,
WATCHDOG pings, RELOADING/READY around SIGHUP (also with an invalid file,
which must leave the old configuration running), STOPPING at SIGTERM.

usage: test_sdnotify.py MITRAD MITRA MITRA_WATCH
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from mitra_harness import Checker, Client


def main():
    t = Checker("test_sdnotify")
    mitrad = sys.argv[1]
    work = tempfile.mkdtemp(prefix="mitra-sdnotify-")
    notify_path = os.path.join(work, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(notify_path)
    sock.settimeout(10)
    conf = os.path.join(work, "mitrad.conf")
    with open(conf, "w") as f:
        f.write("mitrad\n    log_level = info\nnotifications\n    heartbeat_ms = 500\n")
    runtime = os.path.join(work, "run")
    env = dict(os.environ, NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="400000")
    env.pop("WATCHDOG_PID", None)
    log = open(os.path.join(work, "mitrad.log"), "wb")
    proc = subprocess.Popen([mitrad, "-c", conf, "--state-dir", os.path.join(work, "lib"),
                             "--runtime-dir", runtime], env=env, stdout=log, stderr=log)
    seen = []

    def expect(prefix, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = sock.recv(4096).decode()
            except socket.timeout:
                break
            seen.append(data)
            if data.startswith(prefix):
                return data
        return None

    try:
        ready = expect("READY=1")
        t.check(ready is not None, "READY=1 sent: %r" % seen)
        # READY means serving: a request is answered at once
        c = Client("ipc://%s/mitrad.sock" % runtime, timeout_ms=2000)
        t.check(c.query("hello").get("ok"), "hello answered right after READY")
        status = expect("STATUS=")
        t.check(status is not None and "last seq" in status, "STATUS line: %r" % status)
        t.check(expect("WATCHDOG=1", timeout=3) is not None, "WATCHDOG=1 while healthy")

        # A valid change: RELOADING then READY, and the new value is used
        with open(conf, "w") as f:
            f.write("mitrad\n    log_level = debug\nnotifications\n    heartbeat_ms = 700\n")
        proc.send_signal(signal.SIGHUP)
        t.check(expect("RELOADING=1") is not None, "RELOADING=1 on SIGHUP")
        t.check(expect("READY=1") is not None, "READY=1 after reload")
        hello = c.query("hello")["result"]
        t.check(hello.get("heartbeat_ms") == 700, "reloaded value applied: %r" % hello)

        # An invalid file: still RELOADING/READY, old configuration kept, still serving
        with open(conf, "w") as f:
            f.write("mitrad\n    no_such_key = 1\n")
        proc.send_signal(signal.SIGHUP)
        t.check(expect("RELOADING=1") is not None, "RELOADING=1 on SIGHUP (invalid file)")
        t.check(expect("READY=1") is not None, "READY=1 after a refused reload")
        hello = c.query("hello")["result"]
        t.check(hello.get("heartbeat_ms") == 700, "old configuration kept: %r" % hello)
        r = c.event("org.registered", {"org": "after-reload", "name": "x", "kind": "ngo"})
        t.check(r.get("ok"), "still accepting events: %r" % r)

        # A reader that stops reading: STATUS goes out after every batch and
        # WATCHDOG every loop turn, far more than the socket's queue of ten
        # datagrams; the daemon must drop them rather than stop serving
        acked = 0
        for n in range(40):
            r = c.event("org.updated", {"org": "after-reload", "country": "C%d" % n})
            acked += bool(r.get("ok"))
        time.sleep(1.0)
        r = c.event("org.updated", {"org": "after-reload", "country": "last"})
        acked += bool(r.get("ok"))
        t.check(acked == 41, "41 events acked while nobody read the notify socket: %d" % acked)
        c.close()
        # Drain what was queued (WATCHDOG keeps coming: a bounded read)
        sock.settimeout(0.1)
        drain_until = time.monotonic() + 1.0
        while time.monotonic() < drain_until:
            try:
                sock.recv(4096)
            except socket.timeout:
                pass
        sock.settimeout(10)

        proc.send_signal(signal.SIGTERM)
        t.check(expect("STOPPING=1") is not None, "STOPPING=1 at SIGTERM")
        t.check(proc.wait(timeout=20) == 0, "exit 0")
        with open(os.path.join(work, "mitrad.log")) as f:
            text = f.read()
        t.check("no_such_key" in text and "keeping the running configuration" in text,
                "the refused reload is logged: %s" % text)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()
        subprocess.run(["rm", "-rf", work])
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
