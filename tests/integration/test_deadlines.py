"""Deadlines with the real daemon, a real subscriber and a clock the test
moves: mitrad-testclock reads its time as the real time plus the offset in
MITRA_TEST_CLOCK_FILE, so time flows and the daemon's own timer is what
wakes it at each instant. The test jumps the clock to just before an
instant and watches the deadline arrive.

usage: test_deadlines.py MITRAD_TESTCLOCK MITRA SCENARIO
SCENARIO: production | kinds | restart | downtime | replan | many

  production  the installed mitrad has no test clock: the variable is not
              in the binary and changes nothing; mitrad-testclock follows it
  kinds       every deadline kind, in Asia/Jakarta, published within a
              second of its instant, exactly once; `mitra due` lists each
              beforehand with that instant
  restart     fired ones are not fired again by a restart; pending ones
              still fire on time after it
  downtime    what fell due while the daemon was down is published at
              start, in due order, flagged late, with its original instant
              (America/New_York, across the change to daylight saving time)
  replan      rescheduling, completing, a contact, a recorded evaluation, a
              new agreement version and a terminated partnership move or
              cancel pending deadlines in the event's transaction
              (Pacific/Auckland)
  many        10,000 deadlines falling due at the same instant, published
              once each, in order, then again 10,000 the next day
"""
import datetime
import json
import os
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import msgpack
import zmq

from mitra_harness import Checker, Client, Daemon

HEARTBEAT_MS = 300
#  How long before an instant the clock is set: more than one turn of the
#  daemon's loop (it sees the jump when it next wakes), so the instant
#  itself is met by its timer
LEAD_S = 1.5
SCORES = {"goals": 4, "trust": 4, "communication": 3, "resources": 4, "reach": 3}


def real_ms():
    return time.time_ns() // 1000000


def parse_instant(text):
    return int(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp() * 1000 + 0.5)


def fmt(ms):
    moment = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


class Zone:
    """Local dates of the daemon's time zone: D is the first day of a
    scenario, and day(n) the date n days later."""

    def __init__(self, name, first):
        self.name = name
        self.tz = ZoneInfo(name)
        self.first = datetime.date.fromisoformat(first)

    def day(self, n):
        return (self.first + datetime.timedelta(days=n)).isoformat()

    def start(self, n):
        """The instant (ms) local day n begins: its midnight (these zones
        change offset at 02:00 or 03:00, never at midnight)."""
        date = self.first + datetime.timedelta(days=n)
        midnight = datetime.datetime.combine(date, datetime.time(0), tzinfo=self.tz)
        return int(midnight.timestamp() * 1000)

    def noon(self, n):
        return self.start(n) + 12 * 3600 * 1000


class Clock:
    """The daemon's clock: real time plus an offset in a file."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def set(self, now_ms):
        self.offset = now_ms - real_ms()
        temporary = self.path + ".new"
        with open(temporary, "w") as f:
            f.write("%d\n" % self.offset)
        os.rename(temporary, self.path)

    def now(self):
        return real_ms() + self.offset


class Subscriber:
    """A SUB on the daemon's PUB socket that records when each notification
    arrived, in the daemon's time."""

    def __init__(self, endpoint, clock, prefixes):
        self.clock = clock
        self.sock = zmq.Context.instance().socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RCVHWM, 0)
        for prefix in list(prefixes) + ["heartbeat"]:
            self.sock.setsockopt(zmq.SUBSCRIBE, prefix.encode())
        self.sock.connect(endpoint)
        self.received = []          # (arrival ms, topic, body)
        # Connected once a heartbeat comes through
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.sock.poll(200) and self.sock.recv_multipart()[0] == b"heartbeat":
                return
        raise RuntimeError("no heartbeat reached the subscriber")

    def pump(self, seconds):
        """Receive for `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sock.poll(int(left * 1000) + 1):
                break
            self.take()

    def take(self):
        while self.sock.poll(0):
            topic, body = self.sock.recv_multipart()
            if topic != b"heartbeat":
                self.received.append((self.clock.now(), topic.decode(),
                                      msgpack.unpackb(body, raw=False)))

    def until(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            if self.sock.poll(100):
                self.take()
        return predicate()

    def close(self):
        self.sock.close(0)


class Scenario:
    def __init__(self, t, mitrad, mitra, zone, clock_start):
        self.t = t
        self.mitra = mitra
        self.zone = zone
        self.daemon = Daemon(mitrad)
        os.makedirs(self.daemon.workdir, exist_ok=True)
        self.clock = Clock(os.path.join(self.daemon.workdir, "clock"))
        os.environ["MITRA_TEST_CLOCK_FILE"] = self.clock.path
        self.clock.set(clock_start)
        self.config = os.path.join(self.daemon.workdir, "mitrad.conf")
        with open(self.config, "w") as f:
            f.write("notifications\n    heartbeat_ms = %d\n" % HEARTBEAT_MS)
            f.write("deadlines\n    timezone = \"%s\"\n" % zone.name)
        self.daemon.extra_args = ["-c", self.config]
        self.client = None
        self.sub = None

    def start(self, prefixes=("evaluation.", "milestone.", "agreement.", "communication.",
                              "deadline.")):
        hello = self.daemon.start()
        self.client = Client(self.daemon.endpoint, timeout_ms=30000)
        self.sub = Subscriber(hello["pub_endpoint"], self.clock, prefixes)
        return hello

    def stop(self):
        if self.sub:
            self.sub.close()
            self.sub = None
        code = self.daemon.stop()
        self.t.check(code == 0, "mitrad stopped cleanly (exit %r)" % code)

    def verify(self):
        run = subprocess.run([self.daemon.mitrad, "--verify", "-c", self.config,
                              "--state-dir", self.daemon.state], capture_output=True, text=True)
        self.t.check(run.returncode == 0 and "consistent: 0 problems" in run.stdout,
                     "mitrad --verify: the due index matches the deadlines:\n%s%s"
                     % (run.stdout, run.stderr))

    def ok(self, type_, data):
        r = self.client.event(type_, data)
        self.t.check(r.get("ok") is True, "%s accepted: %r -> %r" % (type_, data, r))
        return r

    def due(self, *args):
        """`mitra due --json ARGS`: the deadlines listed."""
        run = subprocess.run([self.mitra, "-e", self.daemon.endpoint, "due", "--json"]
                             + list(args), capture_output=True, text=True)
        self.t.check(run.returncode == 0, "mitra due %s: %s" % (" ".join(args), run.stderr))
        return [json.loads(line) for line in run.stdout.splitlines() if line]

    def log(self, prefix=""):
        """Every notification in the log whose topic starts with `prefix`."""
        found, since = [], 1
        while True:
            r = self.client.query("notifications", {"since": since, "limit": 1000})["result"]
            found += [n for n in r["notifications"] if n["topic"].startswith(prefix)]
            if r["next"] is None:
                return found
            since = r["next"]

    def at(self, instant, expected, what, timeout=10):
        """Set the clock just before `instant`; wait for the `expected`
        (kind, subject) deadlines; check each came once, on time, not late,
        within a second of the instant."""
        self.clock.set(instant - int(LEAD_S * 1000))
        before = len(self.sub.received)

        def arrived():
            return [r for r in self.sub.received[before:]
                    if r[2]["topic"] not in ("deadline.rescheduled",)]
        self.sub.until(lambda: len(arrived()) >= len(expected), LEAD_S + timeout)
        self.sub.pump(0.3)          # anything more would arrive right after
        got = arrived()
        self.t.check(sorted((r[2]["topic"], r[2]["data"]["subject"]) for r in got)
                     == sorted(expected),
                     "%s: published %r, expected %r"
                     % (what, [(r[2]["topic"], r[2]["data"]["subject"]) for r in got], expected))
        for arrival, topic, body in got:
            due_at = parse_instant(body["data"]["due_at"])
            lag = arrival - instant
            self.t.check(due_at == instant, "%s: %s due_at %s, expected %s"
                         % (what, topic, body["data"]["due_at"], fmt(instant)))
            self.t.check(0 <= lag < 1000, "%s: %s published %d ms after its instant"
                         % (what, topic, lag))
            self.t.check("late" not in body, "%s: %s on time is not late" % (what, topic))
            self.t.check(topic == "%s/%s" % (body["topic"], body["partnership"]),
                         "%s: frame 1 is kind/partnership: %s" % (what, topic))
        return got

    def quiet(self, seconds, what):
        """Nothing but heartbeats for `seconds`."""
        before = len(self.sub.received)
        self.sub.pump(seconds)
        extra = [(r[1], r[2]["data"].get("subject")) for r in self.sub.received[before:]]
        self.t.check(not extra, "%s: nothing published, got %r" % (what, extra))

    def cleanup(self):
        if self.sub:
            self.sub.close()
        self.daemon.cleanup()


def setup_orgs(s, *orgs):
    for org in orgs:
        s.ok("org.registered", {"org": org, "name": org.upper(), "kind": "ngo"})


def count_by_key(notifications):
    counts = {}
    for n in notifications:
        if n["topic"].startswith(("event.", "deadline.")) or "due_at" not in n["data"]:
            continue
        key = (n["topic"], n["partnership"], n["data"]["subject"], n["data"]["due_at"])
        counts[key] = counts.get(key, 0) + 1
    return counts


# --- scenarios


def scenario_kinds(t, mitrad, mitra):
    z = Zone("Asia/Jakarta", "2030-03-10")
    s = Scenario(t, mitrad, mitra, z, z.noon(0))
    try:
        s.start()
        setup_orgs(s, "ngo-a", "ngo-b")
        p = "p-kinds"
        s.ok("partnership.proposed", {"partnership": p, "name": "Kinds", "type": "strategic",
                                      "lead": "ngo-a", "stale_days": 3,
                                      "milestone_lead_days": 2})
        s.ok("partnership.member_added", {"partnership": p, "org": "ngo-b", "role": "partner"})
        s.ok("milestone.added", {"partnership": p, "milestone": "m-1", "title": "One",
                                 "due": z.day(5)})
        s.ok("evaluation.scheduled", {"partnership": p, "every": "1mo", "next": z.day(7),
                                      "lead_days": 1})
        s.ok("agreement.drafted", {"partnership": p, "version": 1, "effective": z.day(-10),
                                   "expires": z.day(9), "notice_days": 1,
                                   "terms": [{"org": "ngo-a", "role": "lead"},
                                             {"org": "ngo-b", "role": "partner"}]})
        plan = [
            (z.start(3), [("milestone.due_soon", "m-1")]),
            (z.start(4), [("communication.stale", "ngo-a"), ("communication.stale", "ngo-b")]),
            (z.start(6), [("milestone.overdue", "m-1"), ("evaluation.due", "evaluation")]),
            (z.start(8), [("evaluation.overdue", "evaluation"),
                          ("agreement.notice_window", "agreement")]),
            (z.start(10), [("agreement.expired", "agreement")]),
        ]
        # `mitra due` lists each with the instant it will be published at
        listed = {(d["kind"], d["subject"]): d for d in s.due()}
        for instant, expected in plan:
            for kind, subject in expected:
                entry = listed.get((kind, subject))
                t.check(entry is not None and parse_instant(entry["due_at"]) == instant
                        and entry["overdue"] is False,
                        "mitra due lists %s %s at %s: %r" % (kind, subject, fmt(instant), entry))
        t.check(len(listed) == 8, "mitra due lists the eight deadlines: %r" % sorted(listed))
        # Jakarta is UTC+7: a date begins at 17:00 UTC the day before
        t.check(fmt(z.start(3)) == "2030-03-12T17:00:00.000Z", "local midnight in Jakarta")
        for instant, expected in plan:
            s.at(instant, expected, "at %s" % fmt(instant))
            pending = {(d["kind"], d["subject"]) for d in s.due() if not d["overdue"]}
            t.check(not pending & set(expected), "fired ones are no longer pending")
        s.quiet(1.5, "after the last instant")
        counts = count_by_key(s.log(""))
        t.check(len(counts) == 8 and set(counts.values()) == {1},
                "the log holds each deadline once: %r" % counts)
        overdue = {(d["kind"], d["subject"]) for d in s.due("--overdue")}
        t.check(overdue == {("communication.stale", "ngo-a"), ("communication.stale", "ngo-b"),
                            ("milestone.overdue", "m-1"), ("evaluation.overdue", "evaluation"),
                            ("agreement.expired", "agreement")},
                "mitra due --overdue: what fired and is unresolved: %r" % overdue)
        s.stop()
        s.verify()
    finally:
        s.cleanup()


def scenario_restart(t, mitrad, mitra):
    z = Zone("UTC", "2030-06-01")
    s = Scenario(t, mitrad, mitra, z, z.noon(0))
    try:
        s.start()
        setup_orgs(s, "ngo-a")
        p = "p-restart"
        s.ok("partnership.proposed", {"partnership": p, "name": "Restart", "type": "operational",
                                      "lead": "ngo-a", "milestone_lead_days": 0})
        s.ok("milestone.added", {"partnership": p, "milestone": "m-a", "title": "A",
                                 "due": z.day(2)})
        s.ok("milestone.added", {"partnership": p, "milestone": "m-b", "title": "B",
                                 "due": z.day(3)})
        s.at(z.start(2), [("milestone.due_soon", "m-a")], "before the restart")
        s.stop()
        s.start()
        s.quiet(2.0, "after a restart")
        t.check(len([n for n in s.log("milestone.due_soon") if n["data"]["subject"] == "m-a"])
                == 1, "the restart did not fire m-a again")
        # A pending deadline survives the restart and fires on time, not late
        s.at(z.start(3), [("milestone.overdue", "m-a"), ("milestone.due_soon", "m-b")],
             "after the restart")
        s.stop()
        s.start()
        s.quiet(1.0, "after a second restart")
        counts = count_by_key(s.log("milestone."))
        t.check(sorted(counts.values()) == [1, 1, 1], "each fired once: %r" % counts)
        s.stop()
        s.verify()
    finally:
        s.cleanup()


def scenario_downtime(t, mitrad, mitra):
    # 2030-03-10 is the day New York moves its clocks forward
    z = Zone("America/New_York", "2030-03-08")
    s = Scenario(t, mitrad, mitra, z, z.noon(0))
    try:
        s.start()
        setup_orgs(s, "ngo-a", "ngo-b")
        p = "p-down"
        s.ok("partnership.proposed", {"partnership": p, "name": "Down", "type": "advocacy",
                                      "lead": "ngo-a", "stale_days": 4,
                                      "milestone_lead_days": 1})
        s.ok("milestone.added", {"partnership": p, "milestone": "m-1", "title": "One",
                                 "due": z.day(2)})
        s.ok("evaluation.scheduled", {"partnership": p, "every": "2w", "next": z.day(3),
                                      "lead_days": 2})
        s.ok("milestone.added", {"partnership": p, "milestone": "m-9", "title": "Later",
                                 "due": z.day(9)})
        expected_late = [
            ("evaluation.due", "evaluation", z.start(1)),
            ("milestone.due_soon", "m-1", z.start(1)),
            ("milestone.overdue", "m-1", z.start(3)),
            ("evaluation.overdue", "evaluation", z.start(4)),
            ("communication.stale", "ngo-a", z.start(5)),
        ]
        t.check(fmt(z.start(2)) == "2030-03-10T05:00:00.000Z"
                and fmt(z.start(3)) == "2030-03-11T04:00:00.000Z",
                "New York's midnights before and after the change")
        s.stop()
        # Down across five instants; up again at noon of day 5
        s.clock.set(z.noon(5))
        s.start()
        # Fired before the daemon answered its first request
        late = [n for n in s.log("") if not n["topic"].startswith(("event.", "deadline."))]
        t.check([(n["topic"], n["data"]["subject"], parse_instant(n["data"]["due_at"]))
                 for n in late] == expected_late,
                "published at start, in due order, with the original instants: %r"
                % [(n["topic"], n["data"]["subject"], n["data"]["due_at"]) for n in late])
        t.check(all(n.get("late") is True for n in late), "each flagged late")
        t.check([n["seq"] for n in late] == sorted(n["seq"] for n in late), "seq in due order")
        overdue = [(d["kind"], d["subject"]) for d in s.due("--overdue")]
        t.check(overdue == [("milestone.overdue", "m-1"), ("evaluation.overdue", "evaluation"),
                            ("communication.stale", "ngo-a")],
                "mitra due --overdue after the downtime: %r" % overdue)
        pending = [(d["kind"], d["subject"], d["days"]) for d in s.due("--within", "3d")]
        t.check(("milestone.due_soon", "m-9", 3) in pending
                and ("milestone.overdue", "m-9", 5) not in pending,
                "mitra due --within 3d: %r" % pending)
        # What was not yet due fires on time, not late
        s.at(z.start(8), [("milestone.due_soon", "m-9")], "after the downtime")
        s.stop()
        s.start()
        s.quiet(1.0, "after a restart")
        counts = count_by_key(s.log(""))
        t.check(len(counts) == 6 and set(counts.values()) == {1},
                "nothing fired twice: %r" % counts)
        s.stop()
        s.verify()
    finally:
        s.cleanup()


def scenario_replan(t, mitrad, mitra):
    # Auckland leaves daylight saving on 2030-04-07
    z = Zone("Pacific/Auckland", "2030-04-03")
    s = Scenario(t, mitrad, mitra, z, z.noon(0))
    try:
        s.start()
        setup_orgs(s, "ngo-a", "ngo-b")
        p = "p-plan"
        s.ok("partnership.proposed", {"partnership": p, "name": "Plan", "type": "strategic",
                                      "lead": "ngo-a", "stale_days": 10,
                                      "milestone_lead_days": 1})
        s.ok("partnership.member_added", {"partnership": p, "org": "ngo-b", "role": "partner"})
        s.ok("milestone.added", {"partnership": p, "milestone": "m-move", "title": "Moves",
                                 "due": z.day(3)})
        s.ok("milestone.added", {"partnership": p, "milestone": "m-done", "title": "Done",
                                 "due": z.day(3)})
        s.ok("evaluation.scheduled", {"partnership": p, "every": "1mo", "next": z.day(8),
                                      "lead_days": 2})
        s.ok("agreement.drafted", {"partnership": p, "version": 1, "effective": z.day(-5),
                                   "expires": z.day(12), "notice_days": 2,
                                   "terms": [{"org": "ngo-a", "role": "lead"}]})

        def moved(what):
            s.sub.until(lambda: False, 0.3)
            got = [r[2]["data"] for r in s.sub.received if r[2]["topic"] == "deadline.rescheduled"]
            del s.sub.received[:]
            return [(d["kind"], d["subject"], parse_instant(d["from"]), parse_instant(d["to"]))
                    for d in got]

        moved("setup")
        s.ok("milestone.rescheduled", {"partnership": p, "milestone": "m-move", "due": z.day(5),
                                       "reason": "rain"})
        t.check(moved("reschedule") == [
            ("milestone.due_soon", "m-move", z.start(2), z.start(4)),
            ("milestone.overdue", "m-move", z.start(4), z.start(6))],
            "milestone.rescheduled moves both of its deadlines")
        s.ok("milestone.completed", {"partnership": p, "milestone": "m-done"})
        t.check(moved("completed") == [], "a completed milestone's deadlines are cancelled")
        s.ok("contact.logged", {"partnership": p, "org": "ngo-b", "on": z.day(1)})
        t.check(moved("contact") == [("communication.stale", "ngo-b", z.start(11),
                                      z.start(12))], "a contact moves the member's staleness")
        s.ok("evaluation.recorded", {"partnership": p, "on": z.day(1), "scores": SCORES,
                                     "decision": "continue"})
        # Next = 2030-04-04 + 1mo = 2030-05-04: day 31
        t.check(moved("evaluation") == [
            ("evaluation.due", "evaluation", z.start(6), z.start(29)),
            ("evaluation.overdue", "evaluation", z.start(9), z.start(32))],
            "a recorded evaluation moves the next one")
        s.ok("agreement.drafted", {"partnership": p, "version": 2, "effective": z.day(0),
                                   "expires": z.day(20), "notice_days": 2,
                                   "terms": [{"org": "ngo-a", "role": "lead"}]})
        t.check(moved("agreement") == [
            ("agreement.notice_window", "agreement", z.start(10), z.start(18)),
            ("agreement.expired", "agreement", z.start(13), z.start(21))],
            "a new agreement version moves the expiry")
        listed = {(d["kind"], d["subject"]): parse_instant(d["due_at"]) for d in s.due(p)}
        t.check(listed.get(("milestone.due_soon", "m-move")) == z.start(4)
                and ("milestone.due_soon", "m-done") not in listed,
                "mitra due shows the new plan: %r" % listed)
        # The old instants pass in silence; the new one fires
        s.clock.set(z.start(2) + 500)
        s.quiet(1.5, "the old due_soon instant")
        s.at(z.start(4), [("milestone.due_soon", "m-move")], "the new due_soon instant")
        # Terminated: everything pending is cancelled
        s.ok("partnership.status_changed", {"partnership": p, "status": "terminated",
                                            "reason": "test"})
        t.check(s.due(p) == [], "a terminated partnership has no deadlines")
        s.clock.set(z.start(40))
        s.quiet(1.5, "every old instant passed after termination")
        fired = [n["topic"] for n in s.log("") if "due_at" in n["data"]]
        t.check(fired == ["milestone.due_soon"], "only the moved deadline fired: %r" % fired)
        s.stop()
        s.verify()
    finally:
        s.cleanup()


def pipeline(endpoint, requests, window=1000):
    """Send every request from one DEALER with up to `window` unanswered;
    return how many were acked ok."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SNDHWM, 0)
    sock.setsockopt(zmq.RCVHWM, 0)
    sock.connect(endpoint)
    sent = acked = ok = 0
    try:
        while acked < len(requests):
            while sent < len(requests) and sent - acked < window:
                sock.send(msgpack.packb(requests[sent]))
                sent += 1
            if not sock.poll(60000):
                raise TimeoutError("no reply after %d of %d" % (acked, len(requests)))
            ok += b"\xa2ok\xc3" in sock.recv()
            acked += 1
    finally:
        sock.close(0)
    return ok


def scenario_many(t, mitrad, mitra):
    count, partnerships = 10000, 4
    z = Zone("UTC", "2030-09-01")
    s = Scenario(t, mitrad, mitra, z, z.noon(0))
    try:
        s.start(prefixes=("milestone.",))
        setup_orgs(s, "ngo-a")
        ids = ["p-many-%d" % n for n in range(partnerships)]
        for p in ids:
            s.ok("partnership.proposed", {"partnership": p, "name": p, "type": "operational",
                                          "lead": "ngo-a", "milestone_lead_days": 0})
        requests = [{"v": 1, "id": "many-%d" % n, "op": "event", "type": "milestone.added",
                     "data": {"partnership": ids[n % partnerships], "milestone": "m-%05d" % n,
                              "title": "Milestone %d" % n, "due": z.day(2)}}
                    for n in range(count)]
        started = time.monotonic()
        t.check(pipeline(s.daemon.endpoint, requests) == count, "10,000 milestones added")
        print("many: %d milestone.added in %.1f s" % (count, time.monotonic() - started),
              file=sys.stderr)
        # The order they must come in: by instant, then partnership, then id
        order = sorted((ids[n % partnerships], "m-%05d" % n) for n in range(count))
        for kind, day in (("milestone.due_soon", 2), ("milestone.overdue", 3)):
            instant = z.start(day)
            before = len(s.sub.received)
            s.clock.set(instant - int(LEAD_S * 1000))
            started = time.monotonic()
            s.sub.until(lambda: len(s.sub.received) - before >= count, 600)
            got = s.sub.received[before:]
            print("many: %d %s published in %.1f s, the last %d ms after the instant"
                  % (len(got), kind, time.monotonic() - started,
                     got[-1][0] - instant if got else -1), file=sys.stderr)
            s.sub.pump(1.0)
            got = s.sub.received[before:]
            t.check(len(got) == count, "%s: %d published, expected %d" % (kind, len(got), count))
            t.check(all(r[2]["topic"] == kind and r[2]["data"]["due_at"] == fmt(instant)
                        and "late" not in r[2] for r in got),
                    "%s: every one of that kind and instant, none late" % kind)
            t.check([(r[2]["partnership"], r[2]["data"]["subject"]) for r in got] == order,
                    "%s: once each, in order" % kind)
            seqs = [r[2]["seq"] for r in got]
            t.check(seqs == list(range(seqs[0], seqs[0] + count)) if seqs else False,
                    "%s: consecutive seqs" % kind)
            t.check(got and got[0][0] - instant < 1000,
                    "%s: the first published within a second" % kind)
        s.stop()
        s.start(prefixes=("milestone.",))
        s.quiet(1.5, "after a restart")
        counts = count_by_key(s.log("milestone."))
        t.check(len(counts) == 2 * count and set(counts.values()) == {1},
                "the log holds each of the 20,000 once")
        s.stop()
        s.verify()
    finally:
        s.cleanup()


def scenario_production(t, mitrad, mitra):
    """mitrad itself has no test clock: the variable that moves
    mitrad-testclock's time is not even in the binary, and setting it
    changes nothing."""
    production = os.path.join(os.path.dirname(mitrad), "mitrad")
    with open(production, "rb") as f:
        t.check(b"MITRA_TEST_CLOCK_FILE" not in f.read(), "mitrad does not know the test clock")
    z = Zone("UTC", "2040-01-01")
    s = Scenario(t, production, mitra, z, z.noon(0))       # ten years and more ahead
    try:
        s.start()
        hello = s.client.query("hello")["result"]
        started = parse_instant(hello["started_at"])
        t.check(abs(started - real_ms()) < 60000,
                "mitrad ignores MITRA_TEST_CLOCK_FILE: started at %s" % hello["started_at"])
        t.check("testclock" not in s.daemon.log(), "mitrad does not warn of a test clock")
        s.stop()
    finally:
        s.cleanup()
    s = Scenario(t, mitrad, mitra, z, z.noon(0))
    try:
        s.start()
        hello = s.client.query("hello")["result"]
        t.check(abs(parse_instant(hello["started_at"]) - z.noon(0)) < 60000,
                "mitrad-testclock follows the file: started at %s" % hello["started_at"])
        t.check("mitrad-testclock" in s.daemon.log(), "mitrad-testclock says so in its log")
        s.stop()
    finally:
        s.cleanup()


SCENARIOS = {
    "production": scenario_production,
    "kinds": scenario_kinds,
    "restart": scenario_restart,
    "downtime": scenario_downtime,
    "replan": scenario_replan,
    "many": scenario_many,
}


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in SCENARIOS:
        print(__doc__, file=sys.stderr)
        return 2
    mitrad, mitra, name = sys.argv[1:]
    t = Checker("test_deadlines %s" % name)
    try:
        SCENARIOS[name](t, mitrad, mitra)
    except Exception as e:
        t.check(False, "exception: %r" % e)
        raise
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
