#!/usr/bin/python3
"""Kill mitrad with SIGKILL under load, again and again, then prove that
nothing acknowledged was lost and nothing was applied twice.

    crash.py --mitrad PATH --load PATH [--inject PATH] [-N KILLS] [--seed S]

Starts the real mitrad in a temporary directory and runs mitra_load
(tests/fault/mitra_load.c) against it. Each round kills the daemon in one of
these ways, chosen from the seed:

  quick      kill -9 0-20 ms after it answers: the clients' retry burst
  random     kill -9 after 20-800 ms of load
  after-ack  kill -9 within 5 ms of a client recording an ack: replies
             are streaming out, more commits are under way
  stop       SIGTERM after 20-800 ms of load: a clean stop mid-stream must
             exit 0 and leave no `synced` record (every commit on disk),
             and the next start goes on without one
  sync       (shim) die right after the Nth fdatasync, before LMDB writes
             the meta page: a commit torn in half
  reply      (shim) die after the Nth commit and before its first reply:
             the batch is on disk and no client has heard of it

sync and reply need --inject, the LD_PRELOAD shim mitra_fault_inject.so;
without it only the outside kills run. After each death mitrad is started
again after a short random pause; the clients keep resending the same
request ids until they get an answer. Every few rounds the load generator
itself is killed with SIGKILL and a new one started.

Then it checks, against the acknowledgements the generators wrote to disk:
every acknowledged request id is in the event log exactly once with the seq
it was acknowledged with; no request id is in the log twice; refused
requests are not in the log; event seqs run 1..last with no gap; the
notification log has no gap and one event.<type> notification per event,
with the event's seq, type, sender and data; the org records equal a replay
of the log; resending acknowledged requests returns their first reply and
adds nothing; `mitrad --verify` passes (after kills and at the end, live and
stopped). Exit status 0 only if every check passed.

Only Debian's python3-zmq and python3-msgpack are used.
"""
import argparse
import datetime
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from mitra_harness import Client  # noqa: E402

MODES = ("quick", "random", "after-ack", "stop", "sync", "reply")


def now_ms():
    return int(time.time() * 1000)


def instant_ms(text):
    """RFC 3339 UTC with milliseconds, as mitrad writes it, to Unix ms."""
    moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(round(moment.timestamp() * 1000))


class Mitrad:
    """One mitrad store, run by a series of processes (incarnations)."""

    def __init__(self, path, workdir, inject=None):
        self.path = path
        self.inject = inject
        self.state = os.path.join(workdir, "lib")
        self.runtime = os.path.join(workdir, "run")
        self.endpoint = "ipc://%s/mitrad.sock" % self.runtime
        self.log_path = os.path.join(workdir, "mitrad.log")
        self.proc = None
        self.incarnations = []      # [spawn_ms, death_ms or None]

    def start(self, fault_env=None, timeout=30.0):
        """Start and wait for `hello`. Returns False if the process died
        of SIGKILL before answering (a fault armed to fire early)."""
        env = dict(os.environ)
        if fault_env:
            env.update(fault_env)
            env["LD_PRELOAD"] = self.inject
            # An ASan build wants its runtime first; the shim does not care
            env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
        log = open(self.log_path, "ab")
        self.incarnations.append([now_ms(), None])
        self.proc = subprocess.Popen(
            [self.path, "--state-dir", self.state, "--runtime-dir", self.runtime],
            stdout=log, stderr=log, env=env)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if self.proc.returncode == -signal.SIGKILL:
                    self._dead()
                    return False
                raise RuntimeError("mitrad exited with %d during start-up:\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            client = Client(self.endpoint, timeout_ms=200)
            try:
                if client.query("hello").get("ok"):
                    return True
            except TimeoutError:
                pass
            finally:
                client.close()
        raise RuntimeError("mitrad did not answer hello within %ss:\n%s" % (timeout, self.log_tail()))

    def _dead(self):
        self.incarnations[-1][1] = now_ms()
        self.proc = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._dead()

    def wait_death(self, timeout):
        """Wait for a process armed to kill itself. True if it did."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        if self.proc.returncode != -signal.SIGKILL:
            raise RuntimeError("mitrad exited with %d, not by SIGKILL:\n%s"
                               % (self.proc.returncode, self.log_tail()))
        self._dead()
        return True

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self._dead()
        return code

    def log_tail(self, lines=30):
        with open(self.log_path, "rb") as f:
            return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])


class Load:
    """One mitra_load process; its records stay in acked_dir after it ends."""

    def __init__(self, path, runtime, acked_dir, seed, clients, rate, log_path):
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [path, "--runtime-dir", runtime, "-c", str(clients), "-n", "0", "-s", str(seed),
             "--acked-dir", acked_dir, "--timeout-ms", "500", "--give-up", "120",
             "--rate", str(rate), "--query-pct", "10"],
            stdout=subprocess.PIPE, stderr=self.log)

    def running(self):
        return self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate()
        self.log.close()

    def finish(self, timeout=180):
        """SIGTERM: finish the events in flight, then exit. Returns (code, summary)."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=timeout)
        self.log.close()
        summary = None
        for line in out.decode(errors="replace").splitlines():
            if line.startswith("{"):
                summary = json.loads(line)
        return self.proc.returncode, summary


def acked_size(acked_dir):
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(acked_dir, "acked-*.log")))


def read_records(acked_dir):
    """Every outcome the generators recorded: {id: record}."""
    records = {}
    problems = []
    for path in sorted(glob.glob(os.path.join(acked_dir, "acked-*.log"))):
        with open(path) as f:
            for number, line in enumerate(f, 1):
                if line.startswith("#") or not line.strip():
                    continue
                if not line.endswith("\n"):
                    problems.append("%s:%d: torn last line %r" % (path, number, line))
                    continue
                fields = line.split()
                kind, request_id = fields[0], fields[1]
                if kind == "ok":
                    record = {"kind": "ok", "seq": int(fields[2]), "type": fields[3],
                              "calls": int(fields[4]), "ack_ms": int(fields[5])}
                elif kind == "rejected":
                    record = {"kind": "rejected", "code": fields[2], "type": fields[3],
                              "expected": fields[4] == "expected"}
                elif kind == "unknown":
                    record = {"kind": "unknown", "type": fields[2]}
                else:
                    problems.append("%s:%d: unknown record %r" % (path, number, line))
                    continue
                if request_id in records:
                    problems.append("request id %s recorded twice" % request_id)
                records[request_id] = record
    return records, problems


def page_all(client, q, key, since=None):
    items = []
    args = {"limit": 1000}
    if since is not None:
        args["since"] = since
    while True:
        reply = client.query(q, args)
        if not reply.get("ok"):
            raise RuntimeError("%s query failed: %r" % (q, reply))
        items.extend(reply["result"][key])
        following = reply["result"]["next"]
        if following is None:
            return items
        args["since"] = following


class Checks:
    def __init__(self):
        self.failures = []
        self.figures = {}

    def fail(self, what):
        if len(self.failures) < 50:
            print("FAIL: %s" % what, file=sys.stderr, flush=True)
        self.failures.append(what)


def check_store(mitrad, records, checks):
    """Everything the clients were told against what the daemon holds."""
    client = Client(mitrad.endpoint, timeout_ms=30000)
    try:
        hello = client.query("hello")["result"]
        events = page_all(client, "log", "events", since=1)
        notifications = page_all(client, "notifications", "notifications")

        # Event log: seqs 1..last, each request id once
        for index, event in enumerate(events):
            if event["seq"] != index + 1:
                checks.fail("event log: entry %d has seq %d" % (index + 1, event["seq"]))
                break
        if len(events) != hello["last_seq"]:
            checks.fail("event log: %d entries, hello says last_seq %d" % (len(events), hello["last_seq"]))
        by_id = {}
        duplicates = 0
        for event in events:
            key = (event["sender"], event["request_id"])
            if key in by_id:
                duplicates += 1
                checks.fail("request id %s applied twice: seq %d and %d"
                            % (event["request_id"], by_id[key]["seq"], event["seq"]))
            else:
                by_id[key] = event

        # Acknowledged: present once, with the acked seq and type
        acked = lost = mismatched = answered_late = 0
        refused_checked = unacked_applied = 0
        incarnations = mitrad.incarnations
        for request_id, record in records.items():
            event = by_id.get(("local", request_id))
            if record["kind"] == "ok":
                acked += 1
                if event is None:
                    lost += 1
                    checks.fail("acknowledged %s (seq %d) is not in the event log"
                                % (request_id, record["seq"]))
                elif event["seq"] != record["seq"] or event["type"] != record["type"]:
                    mismatched += 1
                    checks.fail("%s acknowledged as seq %d %s, logged as seq %d %s"
                                % (request_id, record["seq"], record["type"], event["seq"], event["type"]))
                else:
                    received = instant_ms(event["received_at"])
                    for spawn, death in incarnations:
                        if spawn - 2 <= received and (death is None or received <= death + 2):
                            if death is not None and record["ack_ms"] > death + 2:
                                answered_late += 1
                            break
            elif record["kind"] == "rejected":
                refused_checked += 1
                if event is not None:
                    checks.fail("%s was refused (%s) but is in the event log as seq %d"
                                % (request_id, record["code"], event["seq"]))
                if not record["expected"]:
                    checks.fail("%s was refused unexpectedly: %s" % (request_id, record["code"]))
        for (sender, request_id), event in by_id.items():
            record = records.get(request_id)
            if record is None or record["kind"] == "unknown":
                unacked_applied += 1

        # Notifications: no gap, one event.<type> per event, same content
        oldest = hello.get("oldest_notification_seq", 1) or 1
        first = notifications[0]["seq"] if notifications else None
        if notifications and first != oldest:
            checks.fail("notification log starts at %d, hello says the oldest is %d" % (first, oldest))
        for index, body in enumerate(notifications):
            if body["seq"] != (first or 1) + index:
                checks.fail("notification log: gap before seq %d (expected %d)"
                            % (body["seq"], (first or 1) + index))
                break
        if notifications and notifications[-1]["seq"] != hello["last_notification_seq"]:
            checks.fail("notification log ends at %d, hello says %d"
                        % (notifications[-1]["seq"], hello["last_notification_seq"]))
        if not notifications and hello["last_notification_seq"] >= oldest and events:
            checks.fail("no notifications, but hello says last_notification_seq %d"
                        % hello["last_notification_seq"])
        noted = {}
        previous = 0
        for body in notifications:
            if not body["topic"].startswith("event."):
                continue
            data = body["data"]
            seq = data["event_seq"]
            if seq in noted:
                checks.fail("event %d has two notifications: %d and %d" % (seq, noted[seq], body["seq"]))
            noted[seq] = body["seq"]
            if seq <= previous:
                checks.fail("event notification %d (event %d) out of order" % (body["seq"], seq))
            previous = seq
            if not 1 <= seq <= len(events):
                checks.fail("notification %d names event %d, not in the log" % (body["seq"], seq))
                continue
            event = events[seq - 1]
            if (body["topic"] != "event." + event["type"] or data["type"] != event["type"]
                    or data["sender"] != event["sender"] or data["data"] != event["data"]):
                checks.fail("notification %d does not match event %d" % (body["seq"], seq))
        # Retention may have dropped the oldest notifications: every event
        # from the first one still noted must have its notification
        first_noted = min(noted) if noted else len(events) + 1
        if notifications and first == 1 and events:
            first_noted = 1
        missing = [seq for seq in range(first_noted, len(events) + 1) if seq not in noted]
        for seq in missing[:10]:
            checks.fail("event %d has no event.* notification" % seq)

        # Org records: a replay of the log must give what the daemon serves
        replay = {}
        optional = ("mission", "focus", "values", "country")
        for event in events:
            data, at = event["data"], event["received_at"]
            if event["type"] == "org.registered":
                record = {"org": data["org"], "name": data["name"], "kind": data["kind"]}
                for key in optional:
                    if key in data:
                        record[key] = data[key]
                record["registered_at"] = record["updated_at"] = at
                record["registered_seq"] = record["updated_seq"] = event["seq"]
                replay[data["org"]] = record
            elif event["type"] == "org.updated":
                record = replay.get(data["org"])
                if record is None:
                    checks.fail("event %d updates %s before it is registered" % (event["seq"], data["org"]))
                    continue
                for key in ("name", "kind") + optional:
                    if key in data:
                        record[key] = data[key]
                record["updated_at"] = at
                record["updated_seq"] = event["seq"]
        # org.list answers in one reply: read it whole while that is
        # reasonable, else check a seeded sample one org.get at a time
        if len(replay) <= 20000:
            served = {record["org"]: record for record in client.query("org.list")["result"]["orgs"]}
            if set(served) != set(replay):
                checks.fail("org.list has %d orgs, the log registers %d" % (len(served), len(replay)))
            compared = sorted(replay)
        else:
            compared = random.Random(len(replay)).sample(sorted(replay), 5000)
            served = {}
            for org in compared:
                reply = client.query("org.get", {"org": org})
                served[org] = reply["result"] if reply.get("ok") else None
        org_mismatches = 0
        for org in compared:
            record = replay[org]
            # Compare what the replay knows; keys a newer daemon added are
            # ignored, as PROTOCOL.md §12 asks of clients (the *_seq keys
            # are compared when the daemon serves them)
            got = served.get(org) or {}
            got = {key: got[key] for key in record if key in got}
            record = {key: value for key, value in record.items()
                      if key in got or not key.endswith("_seq")}
            if got != record:
                org_mismatches += 1
                if org_mismatches <= 5:
                    checks.fail("org %s: served %r, replay of the log gives %r"
                                % (org, got, record))

        checks.figures.update({
            "events_in_log": len(events), "acknowledged_checked": acked, "lost": lost,
            "duplicates": duplicates, "seq_mismatches": mismatched,
            "refused_checked_absent": refused_checked,
            "acked_after_crash_lost_reply": answered_late,
            "applied_never_acknowledged": unacked_applied,
            "notifications": len(notifications), "event_notifications": len(noted),
            "events_without_notification": len(missing),
            "orgs_replayed": len(replay), "orgs_compared": len(compared),
            "org_mismatches": org_mismatches,
        })
        return events, by_id
    finally:
        client.close()


def probe_idempotency(mitrad, events, records, rng, checks, count=200):
    """Resend acknowledged requests byte for byte (re-encoded from the log,
    the same shortest msgpack libmitra sends): each must get its first seq
    back and add nothing. With the same id and another body: `conflict`."""
    acked = [e for e in events if records.get(e["request_id"], {}).get("kind") == "ok"]
    sample = rng.sample(acked, min(count, len(acked)))
    client = Client(mitrad.endpoint, timeout_ms=30000)
    same = conflicts = 0
    try:
        before = client.query("hello")["result"]
        for event in sample:
            request = {"v": 1, "id": event["request_id"], "op": "event",
                       "type": event["type"], "data": event["data"]}
            reply = client.request(request)
            if reply.get("ok") and reply.get("seq") == event["seq"]:
                same += 1
            else:
                checks.fail("resent %s (seq %d): %r" % (event["request_id"], event["seq"], reply))
            altered = dict(event["data"], org=event["data"]["org"] + "-x") if "org" in event["data"] \
                else dict(event["data"], probe=1)
            request["data"] = altered
            reply = client.request(request)
            if not reply.get("ok") and reply["error"]["code"] == "conflict" \
                    and reply["error"]["field"] == "id":
                conflicts += 1
            else:
                checks.fail("%s with another body: %r" % (event["request_id"], reply))
        after = client.query("hello")["result"]
        if (after["last_seq"], after["last_notification_seq"]) != \
                (before["last_seq"], before["last_notification_seq"]):
            checks.fail("resending acknowledged requests changed the logs: %r -> %r"
                        % ((before["last_seq"], before["last_notification_seq"]),
                           (after["last_seq"], after["last_notification_seq"])))
    finally:
        client.close()
    checks.figures.update({"probe_resent": len(sample), "probe_same_seq": same,
                           "probe_conflicts": conflicts})


def has_verify(path):
    try:
        out = subprocess.run([path, "--help"], capture_output=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"--verify" in out


def run_verify(mitrad, checks, when):
    result = subprocess.run([mitrad.path, "--verify", "--state-dir", mitrad.state],
                            capture_output=True, timeout=600)
    checks.figures["verify_runs"] = checks.figures.get("verify_runs", 0) + 1
    if result.returncode != 0:
        report = (result.stdout + result.stderr).decode(errors="replace")
        checks.fail("mitrad --verify %s exited %d:\n%s" % (when, result.returncode, report[-3000:]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mitrad", required=True)
    parser.add_argument("--load", required=True, help="the mitra_load executable")
    parser.add_argument("--inject", help="mitra_fault_inject.so, for the sync and reply kills")
    parser.add_argument("-N", "--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=150,
                        help="events per second per client (keeps the store small on long runs)")
    parser.add_argument("--generator-kill-every", type=int, default=4,
                        help="also SIGKILL the load generator every K rounds (0: never)")
    parser.add_argument("--verify-every", type=int, default=0,
                        help="run mitrad --verify on the crashed store every K kills "
                             "(default: every kill up to N=50, else every 10th)")
    parser.add_argument("--expect-loss", action="store_true",
                        help="self-test of the checks: after the second kill put back the store "
                             "as it was after the first (a disk that lost synced writes); "
                             "passes only if the checks then report lost acknowledged events")
    parser.add_argument("--workdir", help="keep everything here instead of a temp dir")
    parser.add_argument("--summary", help="write the figures as JSON to this file")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    if args.inject and not os.path.exists(args.inject):
        parser.error("no such file: %s" % args.inject)
    modes = MODES if args.inject else MODES[:4]
    verify = has_verify(args.mitrad)
    verify_every = args.verify_every or (1 if args.kills <= 50 else 10)
    workdir = args.workdir or tempfile.mkdtemp(prefix="mitra-faults-")
    os.makedirs(workdir, exist_ok=True)
    acked_dir = os.path.join(workdir, "acked")
    snapshot = os.path.join(workdir, "lib-snapshot")
    os.makedirs(acked_dir, exist_ok=True)
    mitrad = Mitrad(args.mitrad, workdir, args.inject)
    checks = Checks()
    started = time.monotonic()
    kills = {mode: 0 for mode in MODES}
    before_hello = 0
    generations = 0
    load = None

    def new_load():
        nonlocal generations
        generations += 1
        return Load(args.load, mitrad.runtime, acked_dir, args.seed * 1000 + generations,
                    args.clients, args.rate, os.path.join(workdir, "load.log"))

    def arm(mode):
        if mode == "sync":
            return {"MITRA_FAULT_SYNC_KILL": str(rng.randint(1, 40))}
        if mode == "reply":
            return {"MITRA_FAULT_REPLY_KILL": str(rng.randint(1, 40))}
        return None

    round_number = 0

    def start_round():
        """Start mitrad armed for the next round's kill; returns its mode.
        An armed fault can fire before the harness's `hello` gets through,
        in the burst of retries that meets a fresh daemon: still a kill of
        its mode, counted apart as well."""
        nonlocal round_number, before_hello
        while round_number < args.kills:
            mode = rng.choice(modes)
            if mitrad.start(arm(mode)):
                return mode
            kills[mode] += 1
            before_hello += 1
            round_number += 1
            if verify and round_number % verify_every == 0:
                run_verify(mitrad, checks, "after kill %d (%s)" % (round_number, mode))
        mitrad.start()
        return None

    if args.expect_loss:
        print("faults: self-test: the store will be rolled back; the FAIL lines are expected",
              flush=True)
    ok = False
    try:
        mode = start_round()
        load = new_load()
        generator_kills = iteration = 0
        while round_number < args.kills:
            if not load.running():
                raise RuntimeError("mitra_load exited by itself (%s); see %s"
                                   % (load.proc.returncode, os.path.join(workdir, "load.log")))
            iteration += 1
            if args.generator_kill_every and iteration % args.generator_kill_every == 0:
                time.sleep(rng.uniform(0, 0.3))
                load.kill9()
                generator_kills += 1
                load = new_load()
            if mode in ("sync", "reply"):
                if not mitrad.wait_death(timeout=20):
                    mitrad.kill9()          # the load stalled: count it as an outside kill
                    mode = "random"
            elif mode == "quick":
                time.sleep(rng.uniform(0, 0.02))
                mitrad.kill9()
            elif mode == "random":
                time.sleep(rng.uniform(0.02, 0.8))
                mitrad.kill9()
            elif mode == "stop":
                time.sleep(rng.uniform(0.02, 0.8))
                code = mitrad.stop()
                if code != 0:
                    checks.fail("mitrad exited %d on SIGTERM under load (round %d)"
                                % (code, round_number + 1))
                if os.path.exists(os.path.join(mitrad.state, "synced")):
                    checks.fail("a clean stop under load left %s/synced (round %d)"
                                % (mitrad.state, round_number + 1))
            else:
                size = acked_size(acked_dir)
                deadline = time.monotonic() + 5
                while acked_size(acked_dir) == size and time.monotonic() < deadline:
                    time.sleep(0.001)
                time.sleep(rng.uniform(0, 0.005))
                mitrad.kill9()
            kills[mode] += 1
            round_number += 1
            if args.expect_loss and iteration == 1:
                shutil.copytree(mitrad.state, snapshot)
            elif args.expect_loss and iteration == 2:
                shutil.rmtree(mitrad.state)
                shutil.copytree(snapshot, mitrad.state)
            if verify and round_number % verify_every == 0:
                run_verify(mitrad, checks, "after kill %d (%s)" % (round_number, mode))
            # Down for a moment (clients time out and retry), or for longer
            # than the clients' 500 ms per try
            time.sleep(rng.uniform(0, 0.05) if rng.random() < 0.7 else rng.uniform(0.3, 1.5))
            mode = start_round()

        # Let the clients catch up, then stop them: they finish what is in flight
        time.sleep(0.5)
        code, summary = load.finish()
        if code != 0:
            checks.fail("mitra_load exited %s: %r (see %s)" % (code, summary, os.path.join(workdir, "load.log")))
        records, problems = read_records(acked_dir)
        for problem in problems:
            checks.fail(problem)
        events, _ = check_store(mitrad, records, checks)
        probe_idempotency(mitrad, events, records, rng, checks)
        if verify:
            run_verify(mitrad, checks, "on the live store")
            code = mitrad.stop()
            if code != 0:
                checks.fail("mitrad exited %d on SIGTERM" % code)
            run_verify(mitrad, checks, "after the final stop")
        else:
            mitrad.stop()
            print("SKIP: %s has no --verify yet: consistency checker not run" % args.mitrad,
                  file=sys.stderr)

        figures = checks.figures
        #  Restarts that found the newest commit unsynced and undid it (mitra_sync)
        with open(mitrad.log_path, "rb") as f:
            figures["commits_undone_at_start"] = f.read().count(b"was never synced")
        figures.update({
            "kills": sum(kills.values()), "kills_by_mode": kills,
            "armed_kills_before_hello": before_hello,
            "generator_kills": generator_kills, "seed": args.seed,
            "seconds": round(time.monotonic() - started, 1),
            "verify": "ran" if verify else "skipped: mitrad has no --verify",
            "failures": len(checks.failures),
        })
        print("faults: kills and stops survived: %d (%s)" % (figures["kills"], ", ".join(
            "%s %d" % (mode, count) for mode, count in kills.items())))
        print("faults: of which armed faults that fired before the harness's hello: %d" % before_hello)
        print("faults: load generator killed %d times, %d generations" % (generator_kills, generations))
        print("faults: events in log %d; acknowledged events checked %d; lost %d; duplicates %d; "
              "seq mismatches %d" % (figures["events_in_log"], figures["acknowledged_checked"],
                                     figures["lost"], figures["duplicates"], figures["seq_mismatches"]))
        print("faults: refused requests checked absent %d; acked only after a crash ate the reply %d; "
              "applied but never acked %d" % (figures["refused_checked_absent"],
                                             figures["acked_after_crash_lost_reply"],
                                             figures["applied_never_acknowledged"]))
        print("faults: notifications %d (event.* %d, events without one %d); orgs replayed %d, "
              "compared %d, mismatches %d" % (
                  figures["notifications"], figures["event_notifications"],
                  figures["events_without_notification"], figures["orgs_replayed"],
                  figures["orgs_compared"], figures["org_mismatches"]))
        print("faults: idempotency probe: %d resent, %d same seq, %d conflicts with another body"
              % (figures["probe_resent"], figures["probe_same_seq"], figures["probe_conflicts"]))
        print("faults: restarts that undid a commit never synced (none of it acked): %d"
              % figures["commits_undone_at_start"])
        print("faults: mitrad --verify: %s" % ("%d runs" % figures.get("verify_runs", 0) if verify
                                               else "SKIPPED (not in this mitrad)"))
        print("faults: %s in %.1f s" % ("FAIL (%d)" % len(checks.failures) if checks.failures else "PASS",
                                        figures["seconds"]))
        sys.stdout.flush()
        if args.summary:
            with open(args.summary, "w") as f:
                json.dump(figures, f, indent=2)
        ok = not checks.failures
        if args.expect_loss:
            ok = figures["lost"] > 0
            print("faults: self-test: the checks %s the %d acknowledged events the rolled-back "
                  "store lost: %s" % ("caught" if ok else "MISSED", figures["lost"],
                                      "PASS" if ok else "FAIL"))
    except Exception as error:  # noqa: BLE001 -- report, keep the evidence, fail
        print("FAIL: %s" % error, file=sys.stderr)
        print("mitrad log tail:\n%s" % mitrad.log_tail(), file=sys.stderr)
    finally:
        if load is not None and load.running():
            load.kill9()
        if mitrad.alive():
            mitrad.kill9()
        if ok and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        elif not ok:
            print("evidence kept in %s" % workdir, file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
