"""Shared by the integration tests: start the real mitrad in a temporary
directory, wait until it answers `hello` (a bounded retry, never a bare
sleep), talk the wire protocol directly, stop it.

Only Debian's python3-zmq and python3-msgpack are used, so this is also a
client written from proto/PROTOCOL.md in another language.
"""
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

import msgpack
import zmq


class Daemon:
    def __init__(self, mitrad, workdir=None, extra_args=()):
        self.mitrad = mitrad
        self.workdir = workdir or tempfile.mkdtemp(prefix="mitra-it-")
        self.state = os.path.join(self.workdir, "lib")
        self.runtime = os.path.join(self.workdir, "run")
        self.endpoint = "ipc://%s/mitrad.sock" % self.runtime
        self.pub_endpoint = "ipc://%s/mitrad-pub.sock" % self.runtime
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = os.path.join(self.workdir, "mitrad.log")

    def start(self, timeout=20.0):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.mitrad, "--state-dir", self.state, "--runtime-dir", self.runtime]
            + self.extra_args,
            stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("mitrad exited with %d:\n%s" % (self.proc.returncode, self.log()))
            try:
                reply = Client(self.endpoint, timeout_ms=200).query("hello")
                if reply.get("ok"):
                    return reply["result"]
            except TimeoutError:
                pass
        raise RuntimeError("mitrad did not answer hello within %ss:\n%s" % (timeout, self.log()))

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.proc = None
        return code

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Client:
    """A DEALER speaking the wire protocol; one request frame, one reply frame."""
    _ctx = zmq.Context.instance()

    def __init__(self, endpoint, timeout_ms=5000):
        self.sock = self._ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.timeout_ms = timeout_ms
        self.counter = 0

    def close(self):
        self.sock.close(0)

    def next_id(self):
        self.counter += 1
        return "py-%d-%d-%d" % (os.getpid(), id(self), self.counter)

    def raw(self, *frames):
        """Send frames as given; return the raw reply frames."""
        self.sock.send_multipart(list(frames))
        if not self.sock.poll(self.timeout_ms):
            raise TimeoutError("no reply within %d ms" % self.timeout_ms)
        return self.sock.recv_multipart()

    def request(self, obj):
        frames = self.raw(msgpack.packb(obj))
        assert len(frames) == 1, frames
        return msgpack.unpackb(frames[0], raw=False)

    def event(self, type_, data, request_id=None):
        return self.request({"v": 1, "id": request_id or self.next_id(), "op": "event",
                             "type": type_, "data": data})

    def pipeline(self, requests, window=1000):
        """Send requests (maps with their ids) keeping at most `window` in
        flight, as a pipelining client does; return the replies by id."""
        replies, sent = {}, 0
        while len(replies) < len(requests):
            while sent < len(requests) and sent - len(replies) < window:
                self.sock.send(msgpack.packb(requests[sent]))
                sent += 1
            if not self.sock.poll(self.timeout_ms):
                raise TimeoutError("no reply within %d ms" % self.timeout_ms)
            reply = msgpack.unpackb(self.sock.recv(), raw=False)
            replies[reply["id"]] = reply
        return replies

    def query(self, q, args=None):
        req = {"v": 1, "id": self.next_id(), "op": "query", "q": q}
        if args is not None:
            req["args"] = args
        return self.request(req)


@contextlib.contextmanager
def reporting(t, daemon):
    """The body of a test's main: an exception in it is a failed check,
    reported with its traceback and the end of the daemon's log, and the
    daemon is stopped and its directory removed whatever happens."""
    try:
        yield
    except Exception as e:  # noqa: BLE001 - report and fail
        traceback.print_exc()
        t.check(False, "exception: %r\n%s" % (e, daemon.log()[-3000:]))
    finally:
        daemon.cleanup()


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = 0
        self.checks = 0

    def check(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures += 1
            print("FAIL: %s" % what, file=sys.stderr, flush=True)

    def done(self):
        print("%s: %d checks, %d failed" % (self.name, self.checks, self.failures), file=sys.stderr)
        return 1 if self.failures or not self.checks else 0
