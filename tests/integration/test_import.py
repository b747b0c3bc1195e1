"""`mitra import` pipelined, and the envelope key `after` that keeps its
promise: a file of thousands of lines, so that many are in flight when one
is refused, must have nothing after the refused line applied; fixed and
imported again, every line is applied exactly once. Then `after` on the
wire (PROTOCOL.md 4.7): an unknown id refused with after_not_applied, an
accepted one let through, a retry answered from memory, a refusal earlier
in the same pipeline (so usually the same batch) honoured.

usage: test_import.py MITRAD MITRA MITRA_WATCH
"""
import json
import os
import pty
import select
import subprocess
import sys

import msgpack

from mitra_harness import Checker, Client, Daemon, reporting

LINES = 3200        # event lines in the big file
REFUSED = 1200      # the line refused in it (1-based); ~1000 more are in flight by then


class Cli:
    def __init__(self, t, mitra, daemon):
        self.t = t
        self.mitra = mitra
        self.env = dict(os.environ)
        for name in ("MITRA_ENDPOINT", "NO_COLOR"):
            self.env.pop(name, None)
        self.env["MITRA_RUNTIME_DIR"] = daemon.runtime

    def run(self, *args, code=0, out=None, err=None):
        r = subprocess.run([self.mitra] + list(args), env=self.env, capture_output=True,
                           text=True, timeout=120)
        label = "mitra " + " ".join(args)
        self.t.check(r.returncode == code, "%s: exit %d, wanted %d\nstdout: %s\nstderr: %s"
                     % (label, r.returncode, code, r.stdout, r.stderr[-2000:]))
        for stream, wanted, name in ((r.stdout, out, "stdout"), (r.stderr, err, "stderr")):
            for piece in ([wanted] if isinstance(wanted, str) else wanted or []):
                self.t.check(piece in stream, "%s: %r not in %s:\n%s"
                             % (label, piece, name, stream[-2000:]))
        return r

    def json(self, *args):
        r = self.run("--json", *args)
        return [json.loads(line) for line in r.stdout.splitlines()]

    def on_terminal(self, *args):
        """Run mitra ARGS with stderr on a pseudo-terminal; return (exit
        code, stdout, what the terminal showed)."""
        master, slave = pty.openpty()
        proc = subprocess.Popen([self.mitra] + list(args), env=self.env, stdout=subprocess.PIPE,
                                stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        shown = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                proc.kill()
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:         # EIO: the child closed its end
                break
            if not chunk:
                break
            shown += chunk
        os.close(master)
        out = proc.stdout.read().decode()
        proc.stdout.close()
        return proc.wait(timeout=60), out, shown.decode(errors="replace")


def event(type_, **data):
    return json.dumps({"type": type_, "data": data})


def write(path, lines):
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def last_seq(cli):
    return cli.json("hello")[0]["last_seq"]


def log_since(endpoint, since):
    """Every event-log entry from seq `since` on."""
    client = Client(endpoint)
    entries = []
    try:
        while since:
            reply = client.query("log", {"since": since, "limit": 1000})
            entries += reply["result"]["events"]
            since = reply["result"]["next"]
    finally:
        client.close()
    return entries


def big_file(refused_partnership):
    lines = [event("org.registered", org="imp-org", name="Importer", kind="ngo"),
             event("partnership.proposed", partnership="p-big", name="Big", type="operational",
                   lead="imp-org")]
    for number in range(3, LINES + 1):
        p = refused_partnership if number == REFUSED else "p-big"
        lines.append(event("reach.recorded", partnership=p, people=number))
    return lines


def test_stop_and_fix(cli, daemon, workdir):
    t = cli.t
    path = os.path.join(workdir, "big.jsonl")
    base = last_seq(cli)
    write(path, big_file("p-nope"))
    cli.run("import", path, code=1,
            out=["%d events: %d accepted, 0 already applied, 1 rejected, %d not sent"
                 % (LINES, REFUSED - 1, LINES - REFUSED), "stopped at line %d" % REFUSED],
            err=["big.jsonl:%d: reach.recorded error: not_found: " % REFUSED,
                 "(field partnership)"])
    t.check(last_seq(cli) == base + REFUSED - 1,
            "nothing applied after line %d: last seq %d, wanted %d"
            % (REFUSED, last_seq(cli), base + REFUSED - 1))
    entries = log_since(daemon.endpoint, base + 1)
    numbers = [int(e["request_id"].split("-")[1]) for e in entries]
    t.check(numbers == list(range(1, REFUSED)), "the log holds lines 1..%d in order, got %d "
            "entries ending %r" % (REFUSED - 1, len(numbers), numbers[-3:]))
    reach = cli.json("show", "p-big")[0]["reach"]
    t.check(reach == {"total": sum(range(3, REFUSED)), "records": REFUSED - 3},
            "reach before the fix: %r" % reach)
    # The lines after the refused one were on their way, and mitrad refused them
    refusals = daemon.log().count("after_not_applied")
    t.check(refusals >= 100, "lines in flight were refused through `after`: %d" % refusals)

    # Fixed, and imported again, on a terminal: a progress bar, then every
    # line applied once
    write(path, big_file("p-big"))
    code, out, shown = cli.on_terminal("import", path)
    t.check(code == 0, "import of the fixed file: exit %d\n%s\n%s" % (code, out, shown[-2000:]))
    t.check("%d events: %d accepted, %d already applied, 0 rejected"
            % (LINES, LINES - REFUSED + 1, REFUSED - 1) in out, "summary after the fix: %r" % out)
    t.check("\rimporting [" in shown and "100%%  %d/%d" % (LINES, LINES) in shown
            and shown.endswith("\r\033[K"), "progress bar on the terminal: %r" % shown[-300:])
    entries = log_since(daemon.endpoint, base + 1)
    numbers = sorted(int(e["request_id"].split("-")[1]) for e in entries)
    t.check(numbers == list(range(1, LINES + 1)),
            "every line applied exactly once: %d entries, %d distinct"
            % (len(numbers), len(set(numbers))))
    reach = cli.json("show", "p-big")[0]["reach"]
    t.check(reach == {"total": sum(range(3, LINES + 1)), "records": LINES - 2},
            "reach after the fix: %r" % reach)

    # And once more: nothing changes
    seq = last_seq(cli)
    cli.run("import", path, out="%d events: 0 accepted, %d already applied, 0 rejected"
            % (LINES, LINES))
    t.check(last_seq(cli) == seq, "a third run changed nothing")


def test_modes(cli, workdir):
    """A file imported with --continue (no `after` on the wire) and then
    without it (with `after`), and the reverse: the same lines, so already
    applied either way, nothing applied twice."""
    t = cli.t
    for first, second, people in ((["--continue"], [], 7), ([], ["--continue"], 8)):
        path = os.path.join(workdir, "modes-%d.jsonl" % people)
        write(path, [event("reach.recorded", partnership="p-big", people=people,
                           on="2025-01-%02d" % day) for day in range(1, 6)])
        cli.run("import", *(first + [path]), out="5 events: 5 accepted, 0 already applied")
        seq = last_seq(cli)
        cli.run("import", *(second + [path]), out="5 events: 0 accepted, 5 already applied")
        t.check(last_seq(cli) == seq, "import %s then %s changed nothing" % (first, second))


def test_wire(daemon):
    t = daemon.checker
    c = Client(daemon.endpoint)
    pid = os.getpid()
    try:
        def ev(rid, after=None, partnership="p-big", people=1, query=False):
            req = {"v": 1, "id": rid, "op": "event", "type": "reach.recorded",
                   "data": {"partnership": partnership, "people": people}}
            if after is not None:
                req["after"] = after
            return req

        r = c.request(ev("w-%d-1" % pid, after="w-%d-never" % pid))
        t.check(r["ok"] is False and r["error"]["code"] == "after_not_applied"
                and r["error"]["field"] == "after" and "w-%d-never" % pid in r["error"]["message"],
                "after an unknown id: %r" % r)
        first = c.request(ev("w-%d-2" % pid))
        t.check(first["ok"] is True, "plain event: %r" % first)
        frame = msgpack.packb(ev("w-%d-3" % pid, after="w-%d-2" % pid))
        second = msgpack.unpackb(c.raw(frame)[0], raw=False)
        t.check(second["ok"] is True and second["seq"] == first["seq"] + 1,
                "after an accepted id: %r" % second)
        again = msgpack.unpackb(c.raw(frame)[0], raw=False)
        t.check(again == second, "retry with after: the first reply: %r" % again)
        hello = c.query("hello")["result"]["last_seq"]
        t.check(hello == second["seq"], "the retry applied nothing: last seq %d" % hello)
        r = c.request(ev("w-%d-3" % pid, after="w-%d-1" % pid))
        t.check(r["ok"] is False and r["error"]["code"] == "conflict"
                and r["error"]["field"] == "id", "same id, other after: %r" % r)
        r = c.request(ev("w-%d-1" % pid, after="w-%d-2" % pid))
        t.check(r["ok"] is True, "refused with after_not_applied, then sent after an accepted "
                "one: %r" % r)

        # Refusals in the envelope
        for after, what in (("", "empty"), ("x" * 65, "65 bytes"), ("a b", "a space"),
                            (7, "an integer"), ("w-%d-4" % pid, "its own id")):
            r = c.request(ev("w-%d-4" % pid, after=after))
            t.check(r["ok"] is False and r["error"]["code"] == "invalid_field"
                    and r["error"]["field"] == "after", "after %s: %r" % (what, r))
        r = c.request({"v": 1, "id": "w-%d-q" % pid, "op": "query", "q": "hello",
                       "after": "w-%d-2" % pid})
        t.check(r["ok"] is False and r["error"]["code"] == "invalid_field"
                and r["error"]["field"] == "after", "a query with after: %r" % r)

        # Pipelined without waiting, so mostly in one batch: a refusal just
        # before counts, an acceptance just before too
        frames = [ev("w-%d-5" % pid, partnership="p-nope"),
                  ev("w-%d-6" % pid, after="w-%d-5" % pid),
                  ev("w-%d-7" % pid, after="w-%d-6" % pid),
                  ev("w-%d-8" % pid),
                  ev("w-%d-9" % pid, after="w-%d-8" % pid)]
        for req in frames:
            c.sock.send(msgpack.packb(req))
        replies = {}
        for _ in frames:
            t.check(c.sock.poll(5000), "a reply to the pipelined events")
            reply = msgpack.unpackb(c.sock.recv(), raw=False)
            replies[reply["id"]] = reply
        codes = [replies.get("w-%d-%d" % (pid, n), {}).get("error", {}).get("code", "ok")
                 for n in range(5, 10)]
        t.check(codes == ["not_found", "after_not_applied", "after_not_applied", "ok", "ok"],
                "pipelined: %r" % codes)
    finally:
        c.close()


def main():
    mitrad, mitra = sys.argv[1], sys.argv[2]
    t = Checker("test_import")
    # --verbose: mitrad logs each refusal, so the test can see the refused
    # lines that were in flight
    daemon = Daemon(mitrad, extra_args=["--verbose"])
    daemon.checker = t
    with reporting(t, daemon):
        daemon.start()
        cli = Cli(t, mitra, daemon)
        test_stop_and_fix(cli, daemon, daemon.workdir)
        test_modes(cli, daemon.workdir)
        test_wire(daemon)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
