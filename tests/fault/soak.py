#!/usr/bin/python3
"""Soak: run mitrad for a long time under mixed load and fail if anything
it holds grows without bound.

    soak.py --mitrad PATH --load PATH [--duration S] [--interval S] [--csv FILE]

The load, for the whole duration:
  - mitra_load (tests/fault/mitra_load.c): client threads sending events at
    a steady rate, each reconnecting every few events (--churn), with
    queries mixed in;
  - short-lived clients: connect, ask `hello` and a page of the log or the
    notifications, disconnect;
  - subscribers that come and go: SUB sockets on random prefixes, reading
    for a few seconds, then closed.

Every --interval seconds (default 60) it samples, into a CSV: the daemon's
VmRSS with its anonymous and file-backed parts (/proc/PID/status), threads,
open file descriptors (/proc/PID/fd), LMDB reader slots (`mdb_stat -r`: the
readers active now; `mdb_stat -e`: the slots ever used), map usage (pages
used x page size against the map size, `mdb_stat -e`), free pages
(`mdb_stat -f`), the data file's size, and the event and notification
counts (`hello`).

Verdict, after a warm-up (the first 10% of the run, at least one sample),
splitting the remaining samples into thirds:
  - figures that must stay flat (anonymous RSS, fds, threads, active
    readers, reader slots used, LMDB free pages): the last third's maximum may not exceed
    the first third's maximum by more than a small tolerance;
  - figures that grow with the data (map usage, data file, VmRSS, whose
    file-backed part is the LMDB map as it is read): the growth per event in
    the last third may not exceed twice that of the first third (plus a
    little), and never 64 KiB per event.
It also checks that the load generator resolved every event as expected,
subscribers received notifications, mitrad stops cleanly, and
`mitrad --verify` passes. Exit status 0 only if all of that holds.
"""
import argparse
import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from mitra_harness import Client  # noqa: E402

import msgpack  # noqa: E402
import zmq  # noqa: E402

FLAT = {  # figure: (relative tolerance, absolute slack)
    "rss_anon_kb": (0.10, 2048),
    "fds": (0.0, 0),            # slack set from the number of peers
    "threads": (0.0, 0),
    "readers_active": (0.0, 2),
    "readers_used": (0.0, 2),
    # LMDB's free list: pages a commit frees wait there until no reader can
    # see them; it grows slowly with the trees, fast when a reader is stuck
    "free_pages": (0.5, 64),
}
PER_EVENT = ("map_used_bytes", "data_file_bytes", "vmrss_kb")
COLUMNS = ("t_s", "events", "notifications", "vmrss_kb", "rss_anon_kb", "rss_file_kb", "threads",
           "fds", "readers_active", "readers_used", "page_size", "pages_used", "map_used_bytes",
           "map_size_bytes", "free_pages", "data_file_bytes")


def status_kb(pid):
    figures = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "Threads"):
                figures[key] = int(value.split()[0])
    return figures


def mdb_stat(state):
    """Reader and map figures of a live environment, read-only."""
    # One call: `mdb_stat -r` alone exits 1 even when it worked (0.9.24
    # returns what the last fputs returned); with -f it goes on and its
    # status means something again
    result = subprocess.run(["mdb_stat", "-efr", state], capture_output=True, text=True, timeout=60)
    if result.returncode or "Reader Table Status" not in result.stdout:
        raise RuntimeError("mdb_stat -efr %s failed (%d): %s"
                           % (state, result.returncode, result.stderr.strip()))
    figures = {}
    for line in result.stdout.splitlines():
        key, _, value = line.strip().partition(": ")
        if key in ("Map size", "Page size", "Number of pages used", "Number of readers used",
                   "Free pages"):
            figures[key] = int(value)
    # Rows of the reader table: "pid thread txnid"; mdb_stat's own read
    # transaction is not among them
    active = 0
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0].isdigit():
            active += 1
    figures["active"] = active
    return figures


class Churn(threading.Thread):
    """Clients and subscribers that come and go until told to stop."""

    def __init__(self, endpoint, pub_endpoint, seed, subscriber):
        super().__init__(daemon=True)
        self.endpoint = endpoint
        self.pub_endpoint = pub_endpoint
        self.rng = random.Random(seed)
        self.subscriber = subscriber
        self.stop = threading.Event()
        self.sessions = 0
        self.received = 0
        self.errors = []

    def run(self):
        try:
            while not self.stop.is_set():
                if self.subscriber:
                    self.subscribe_once()
                else:
                    self.ask_once()
                self.sessions += 1
        except Exception as error:  # noqa: BLE001 -- reported by the main thread
            self.errors.append(repr(error))

    def ask_once(self):
        client = Client(self.endpoint, timeout_ms=10000)
        try:
            hello = client.query("hello")
            if not hello.get("ok"):
                self.errors.append("hello: %r" % hello)
            last = hello["result"]["last_seq"]
            if self.rng.random() < 0.5:
                reply = client.query("log", {"since": max(1, last - 200), "limit": 200})
            else:
                reply = client.query("notifications", {"limit": 200})
            if not reply.get("ok"):
                self.errors.append("query: %r" % reply)
        finally:
            client.close()
        self.stop.wait(self.rng.uniform(0.05, 0.3))

    def subscribe_once(self):
        sub = Client._ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.LINGER, 0)
        sub.setsockopt(zmq.SUBSCRIBE, self.rng.choice([b"", b"event.", b"event.org.", b"event.org.updated"]))
        sub.connect(self.pub_endpoint)
        until = time.monotonic() + self.rng.uniform(1, 10)
        try:
            while time.monotonic() < until and not self.stop.is_set():
                if sub.poll(200):
                    frames = sub.recv_multipart()
                    if len(frames) != 2:
                        self.errors.append("notification of %d frames" % len(frames))
                        continue
                    msgpack.unpackb(frames[1], raw=False)
                    self.received += 1
        finally:
            sub.close(0)
        self.stop.wait(self.rng.uniform(0, 1))


def sample(proc, state, endpoint, started):
    status = status_kb(proc.pid)
    stat = mdb_stat(state)
    client = Client(endpoint, timeout_ms=30000)
    try:
        hello = client.query("hello")["result"]
    finally:
        client.close()
    return {
        "t_s": round(time.monotonic() - started, 1),
        "events": hello["last_seq"],
        "notifications": hello["last_notification_seq"],
        "vmrss_kb": status["VmRSS"], "rss_anon_kb": status["RssAnon"],
        "rss_file_kb": status["RssFile"], "threads": status["Threads"],
        "fds": len(os.listdir("/proc/%d/fd" % proc.pid)),
        "readers_active": stat["active"], "readers_used": stat["Number of readers used"],
        "page_size": stat["Page size"], "pages_used": stat["Number of pages used"],
        "map_used_bytes": stat["Number of pages used"] * stat["Page size"],
        "map_size_bytes": stat["Map size"], "free_pages": stat.get("Free pages", 0),
        "data_file_bytes": os.path.getsize(os.path.join(state, "data.mdb")),
    }


def judge(rows, fd_slack, report):
    """Returns the list of failures; fills `report` with each figure's growth."""
    failures = []
    warm = max(1, len(rows) // 10)
    steady = rows[warm:]
    if len(steady) < 6:
        return ["only %d samples after the warm-up: run longer or sample more often (--interval)"
                % len(steady)]
    third = len(steady) // 3
    first, last = steady[:third], steady[-third:]
    for figure, (tolerance, slack) in FLAT.items():
        if figure == "fds":
            slack = fd_slack
        before = max(row[figure] for row in first)
        after = max(row[figure] for row in last)
        allowed = before * (1 + tolerance) + slack
        report[figure] = {"first_third_max": before, "last_third_max": after,
                          "growth": after - before, "allowed_up_to": allowed}
        if after > allowed:
            failures.append("%s keeps growing: max %s in the first third, %s in the last (allowed %s)"
                            % (figure, before, after, allowed))

    def per_event(rows_, figure):
        events = rows_[-1]["events"] - rows_[0]["events"]
        grown = rows_[-1][figure] - rows_[0][figure]
        if figure == "vmrss_kb":
            grown *= 1024
        return (grown / events if events else None), events

    for figure in PER_EVENT:
        early, early_events = per_event(first, figure)
        late, late_events = per_event(last, figure)
        whole, whole_events = per_event(steady, figure)
        report[figure] = {"bytes_per_event_first_third": early, "bytes_per_event_last_third": late,
                          "bytes_per_event_overall": whole, "start": steady[0][figure],
                          "end": steady[-1][figure]}
        if not late_events:
            failures.append("no events in the last third: the load stopped")
            continue
        if whole is not None and whole > 65536:
            failures.append("%s grows %.0f bytes per event" % (figure, whole))
        # LMDB grows in steps, so the first third may see no growth at all:
        # then the overall rate is the base
        base = early if early else (whole or 0)
        if late is not None and late > 2 * base + 512:
            failures.append("%s grows faster and faster: %.0f bytes/event in the last third, "
                            "%.0f in the first, %.0f overall" % (figure, late, early or 0, whole or 0))
    return failures


def self_test():
    """The verdict on made-up samples: flat figures pass, a leak fails."""
    def rows(leak):
        made = []
        for index in range(30):
            row = {column: 0 for column in COLUMNS}
            row.update({"events": 1000 * index, "rss_anon_kb": 5000 + (300 * index if leak else 0),
                        "fds": 25 + (index if leak else index % 3), "threads": 3,
                        "map_used_bytes": 1500 * 1000 * index,
                        "data_file_bytes": 1500 * 1000 * index + (index * index * 400000 if leak else 0),
                        "vmrss_kb": 5000 + 1500 * index})
            made.append(row)
        return made
    clean = judge(rows(False), 13, {})
    leaky = judge(rows(True), 13, {})
    flagged = {figure for figure in ("rss_anon_kb", "fds", "data_file_bytes")
               if any(failure.startswith(figure) for failure in leaky)}
    ok = not clean and flagged == {"rss_anon_kb", "fds", "data_file_bytes"}
    print("soak: self-test: flat samples %s; leaking samples flagged %s: %s"
          % ("pass" if not clean else "FAIL %r" % clean, sorted(flagged), "PASS" if ok else "FAIL"))
    return 0 if ok else 1


def main():
    if "--self-test" in sys.argv[1:]:
        return self_test()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="--self-test: check the verdict on made-up samples, "
                                            "start nothing")
    parser.add_argument("--mitrad", required=True)
    parser.add_argument("--load", required=True, help="the mitra_load executable")
    parser.add_argument("--duration", type=float, default=600, help="seconds (default 600)")
    parser.add_argument("--interval", type=float, default=60, help="seconds between samples")
    parser.add_argument("--csv", help="where the samples go (default: soak.csv in the work dir)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=25, help="events per second per client")
    parser.add_argument("--churn", type=int, default=20, help="clients reconnect every K events")
    parser.add_argument("--askers", type=int, default=2, help="short-lived query clients")
    parser.add_argument("--subscribers", type=int, default=3, help="subscribers that come and go")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="keep everything here instead of a temp dir")
    args = parser.parse_args()

    workdir = args.workdir or tempfile.mkdtemp(prefix="mitra-soak-")
    state, runtime = os.path.join(workdir, "lib"), os.path.join(workdir, "run")
    acked = os.path.join(workdir, "acked")
    os.makedirs(acked, exist_ok=True)
    endpoint = "ipc://%s/mitrad.sock" % runtime
    csv_path = args.csv or os.path.join(workdir, "soak.csv")
    log = open(os.path.join(workdir, "mitrad.log"), "ab")
    failures = []
    rows = []
    churn = []
    load = None
    proc = subprocess.Popen([args.mitrad, "--state-dir", state, "--runtime-dir", runtime],
                            stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        hello = None
        while time.monotonic() < deadline and hello is None:
            if proc.poll() is not None:
                raise RuntimeError("mitrad exited with %d at start-up" % proc.returncode)
            client = Client(endpoint, timeout_ms=200)
            try:
                hello = client.query("hello")["result"]
            except TimeoutError:
                pass
            finally:
                client.close()
        if hello is None:
            raise RuntimeError("mitrad did not answer hello")
        started = time.monotonic()
        load_log = open(os.path.join(workdir, "load.log"), "ab")
        load = subprocess.Popen(
            [args.load, "--runtime-dir", runtime, "-c", str(args.clients), "-n", "0",
             "-t", str(args.duration), "-s", str(args.seed), "--acked-dir", acked,
             "--rate", str(args.rate), "--churn", str(args.churn), "--query-pct", "20",
             "--timeout-ms", "5000"],
            stdout=subprocess.PIPE, stderr=load_log)
        for index in range(args.askers):
            churn.append(Churn(endpoint, hello["pub_endpoint"], args.seed * 100 + index, False))
        for index in range(args.subscribers):
            churn.append(Churn(endpoint, hello["pub_endpoint"], args.seed * 100 + 50 + index, True))
        for thread in churn:
            thread.start()

        with open(csv_path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            next_sample = started
            while True:
                now = time.monotonic()
                if now >= next_sample:
                    row = sample(proc, state, endpoint, started)
                    rows.append(row)
                    writer.writerow(row)
                    f.flush()
                    print("soak: %6.0f s  events %-8d rss %d kB (anon %d)  fds %d  readers %d/%d  "
                          "map %.1f MB  file %.1f MB" % (
                              row["t_s"], row["events"], row["vmrss_kb"], row["rss_anon_kb"],
                              row["fds"], row["readers_active"], row["readers_used"],
                              row["map_used_bytes"] / 1e6, row["data_file_bytes"] / 1e6),
                          flush=True)
                    next_sample += args.interval
                if now - started >= args.duration:
                    break
                if proc.poll() is not None:
                    raise RuntimeError("mitrad died with %d during the soak" % proc.returncode)
                time.sleep(min(1.0, max(0.0, next_sample - time.monotonic())))

        for thread in churn:
            thread.stop.set()
        for thread in churn:
            thread.join(timeout=30)
            failures.extend("churn: %s" % error for error in thread.errors[:5])
        out, _ = load.communicate(timeout=300)
        if load.returncode != 0:
            failures.append("mitra_load exited %d: %s" % (load.returncode, out.decode().strip()))
        received = sum(t.received for t in churn if t.subscriber)
        sessions = sum(t.sessions for t in churn)
        if args.subscribers and received == 0:
            failures.append("the subscribers received no notification")

        report = {}
        failures.extend(judge(rows, args.clients + args.askers + args.subscribers + 4, report))
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        if code != 0:
            failures.append("mitrad exited %d on SIGTERM" % code)
        verify = subprocess.run([args.mitrad, "--verify", "--state-dir", state],
                                capture_output=True, text=True, timeout=600)
        if verify.returncode != 0:
            failures.append("mitrad --verify exited %d: %s" % (verify.returncode,
                                                               (verify.stdout + verify.stderr)[-2000:]))

        print("soak: %.0f s, %d samples every %.0f s, %d events, %d notifications, "
              "%d churn sessions, %d notifications received by subscribers"
              % (rows[-1]["t_s"], len(rows), args.interval, rows[-1]["events"],
                 rows[-1]["notifications"], sessions, received))
        for figure, figures in report.items():
            print("soak: %-16s %s" % (figure, ", ".join(
                "%s %s" % (key, ("%.1f" % value) if isinstance(value, float) else value)
                for key, value in figures.items())))
        print("soak: samples in %s" % csv_path)
    except Exception as error:  # noqa: BLE001 -- report and fail
        failures.append(str(error))
    finally:
        for thread in churn:
            thread.stop.set()
        if load is not None and load.poll() is None:
            load.kill()
            load.wait()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    for failure in failures:
        print("FAIL: %s" % failure, file=sys.stderr)
    print("soak: %s" % ("FAIL" if failures else "PASS"))
    if not failures and not args.workdir:
        if not csv_path.startswith(workdir):
            shutil.rmtree(workdir, ignore_errors=True)
    elif failures:
        print("evidence kept in %s" % workdir, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
