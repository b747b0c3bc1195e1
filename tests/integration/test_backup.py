"""Online backup and restore: `mitra backup` while a writer keeps sending,
then a daemon started on the copy shows the same log and state up to the
copy's seq, and `mitrad --verify` passes on it.

usage: test_backup.py MITRAD MITRA MITRA_WATCH
"""
import os
import shutil
import subprocess
import sys
import threading
import time
import json

import msgpack
import zmq

from mitra_harness import Checker, Client, Daemon


def fill(endpoint, count, prefix):
    """Pipeline `count` org.registered events on one DEALER; return acked seqs."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    sent = acked = 0
    window = 500
    while acked < count:
        while sent < count and sent - acked < window:
            sock.send(msgpack.packb({"v": 1, "id": "%s-%d" % (prefix, sent), "op": "event",
                                     "type": "org.registered",
                                     "data": {"org": "%s-%d" % (prefix, sent), "name": "x" * 100,
                                              "kind": "ngo", "mission": "m" * 500}}))
            sent += 1
        if not sock.poll(10000):
            raise TimeoutError("fill stalled")
        reply = msgpack.unpackb(sock.recv(), raw=False)
        if not reply.get("ok"):
            raise RuntimeError("fill rejected: %r" % reply)
        acked += 1
    sock.close(0)


class Writer(threading.Thread):
    """Sends events one by one until stopped, noting when each was acked."""

    def __init__(self, endpoint):
        super().__init__(daemon=True)
        self.client = Client(endpoint)
        self.stop = False
        self.acks = []          # (monotonic time, seq)

    def run(self):
        n = 0
        while not self.stop:
            r = self.client.event("org.registered", {"org": "live-%d" % n, "name": "x",
                                                     "kind": "ngo"})
            if r.get("ok"):
                self.acks.append((time.monotonic(), r["seq"]))
            n += 1
        self.client.close()


def log_events(client, upto):
    events, since = [], 1
    while since <= upto:
        page = client.query("log", {"since": since, "limit": 1000})["result"]
        events += [e for e in page["events"] if e["seq"] <= upto]
        if page["next"] is None:
            break
        since = page["next"]
    return events


def main():
    t = Checker("test_backup")
    mitrad, mitra = sys.argv[1], sys.argv[2]
    daemon = Daemon(mitrad)
    restored = None
    try:
        daemon.start()
        fill(daemon.endpoint, 20000, "bulk")
        writer = Writer(daemon.endpoint)
        writer.start()
        while len(writer.acks) < 10:
            time.sleep(0.01)
        dest = os.path.join(daemon.workdir, "backup-1")
        env = dict(os.environ, MITRA_RUNTIME_DIR=daemon.runtime)
        started = time.monotonic()
        out = subprocess.run([mitra, "--json", "backup", dest], env=env, capture_output=True,
                             text=True, timeout=300)
        finished = time.monotonic()
        t.check(out.returncode == 0, "mitra backup exit 0: %s %s" % (out.stdout, out.stderr))
        result = json.loads(out.stdout) if out.returncode == 0 else {}
        last = result.get("last_seq", 0)
        during = [seq for when, seq in writer.acks if started <= when <= finished]
        writer.stop = True
        writer.join()
        t.check(last >= 20010, "the copy holds at least the bulk events: %r" % result)
        t.check(result.get("bytes", 0) > 0 and os.path.exists(os.path.join(dest, "data.mdb")),
                "data.mdb written: %r" % result)
        print("backup: %d ms, %d writes acked meanwhile" % (result.get("milliseconds", -1),
                                                            len(during)))
        if result.get("milliseconds", 0) >= 20:
            t.check(len(during) > 0, "events kept being acknowledged during the backup")

        # A second backup into the same directory is refused, with the reason
        out = subprocess.run([mitra, "backup", dest], env=env, capture_output=True, text=True,
                             timeout=60)
        t.check(out.returncode == 1 and "already holds" in out.stderr,
                "backup over an existing copy refused: %s" % out.stderr)
        out = subprocess.run([mitra, "query", "backup", "path=relative/dir"], env=env,
                             capture_output=True, text=True, timeout=60)
        t.check(out.returncode == 1 and "absolute" in out.stderr,
                "a relative path over the wire refused: %s" % out.stderr)

        # Restore: a daemon on a state directory holding the copy's data.mdb
        c = Client(daemon.endpoint)
        original_events = log_events(c, last)
        original_last = c.query("hello")["result"]["last_seq"]
        c.close()
        t.check(original_last > last, "the original went on past the copy")
        daemon.stop()
        restored = Daemon(mitrad)
        os.makedirs(restored.state)
        shutil.copy(os.path.join(dest, "data.mdb"), os.path.join(restored.state, "data.mdb"))
        verify = subprocess.run([mitrad, "--verify", "--state-dir", restored.state],
                                capture_output=True, text=True, timeout=120)
        t.check(verify.returncode == 0, "mitrad --verify on the copy: %s" % verify.stdout[-500:])
        hello = restored.start()
        t.check(hello["last_seq"] == last, "restored last seq %r == %r" % (hello["last_seq"], last))
        c = Client(restored.endpoint)
        restored_events = log_events(c, last)
        t.check(restored_events == original_events, "the log up to the copy's seq is identical")
        orgs = {o["org"] for o in c.query("org.list")["result"]["orgs"]}
        expected = {e["data"]["org"] for e in original_events if e["type"] == "org.registered"}
        t.check(orgs == expected, "restored state = the state the log up to %d built (%d vs %d)"
                % (last, len(orgs), len(expected)))
        r = c.event("org.registered", {"org": "after-restore", "name": "x", "kind": "ngo"})
        t.check(r.get("seq") == last + 1, "the restored daemon goes on from there: %r" % r)
        c.close()
    except Exception as e:
        t.check(False, "exception: %r\n%s" % (e, daemon.log()))
    finally:
        daemon.cleanup()
        if restored:
            restored.cleanup()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
