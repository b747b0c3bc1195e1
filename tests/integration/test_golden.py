"""Golden files for what people read: the human output of `mitra show`,
`mitra partnership list`, `mitra health`, `mitra match` and `mitra org`,
produced by the real mitrad and the real mitra from a fixed scenario
(tests/golden/scenario.jsonl, loaded with `mitra import`).

The daemon runs on the wall clock, so the scenario uses dates far from
today (2020-2025 and 2099) and the comparison masks what still depends on
the day the test runs:
  - today's date (UTC), e.g. "status active since 2026-11-28", becomes
    TODAY-DATE (as long, so the columns stay aligned);
  - the health explanations' day counts, "in 26332 days" and
    "12 days overdue", become "in N days" and "N days overdue".
Everything else must match byte for byte.

Regenerate the goldens after an intended change of the output:
  MITRA_UPDATE_GOLDEN=1 ctest -R test_golden
(or run this script with the variable set) and review `git diff tests/golden`.

Also checked: colour only on a terminal, and never with NO_COLOR set.

usage: test_golden.py MITRAD MITRA MITRA_WATCH
"""
import datetime
import difflib
import os
import pty
import re
import subprocess
import sys

from mitra_harness import Checker, Daemon, reporting

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(os.path.dirname(HERE), "golden")
SCENARIO = os.path.join(GOLDEN, "scenario.jsonl")

CASES = [
    ("show_p_water", ["show", "p-water"]),
    ("show_p_alliance", ["show", "p-alliance"]),
    ("show_p_ops", ["show", "p-ops"]),
    ("show_p_policy", ["partnership", "show", "p-policy"]),
    ("list", ["partnership", "list"]),
    ("list_filtered", ["partnership", "list", "--type", "funding", "--status", "active"]),
    ("list_by_org", ["partnership", "list", "org=ngo-laut"]),
    ("health", ["health"]),
    ("health_p_water", ["health", "p-water"]),
    ("match_ngo_hijau", ["match", "ngo-hijau"]),
    ("match_fdn_air_limit", ["match", "fdn-air", "limit=2"]),
    ("match_none", ["match", "co-space"]),
    ("org_list", ["org", "list"]),
    ("org_show", ["org", "show", "ngo-hijau"]),
]


def today():
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def normalize(text, days):
    for day in days:
        text = text.replace(day, "TODAY-DATE")
    text = re.sub(r"\bin \d+ days\b", "in N days", text)
    text = re.sub(r"\b\d+ days overdue\b", "N days overdue", text)
    return text


def environment(daemon, **extra):
    env = dict(os.environ)
    for name in ("MITRA_ENDPOINT", "NO_COLOR"):
        env.pop(name, None)
    env["MITRA_RUNTIME_DIR"] = daemon.runtime
    env["TERM"] = "xterm"
    env.update(extra)
    return env


def run_in_pty(argv, env):
    """stdout on a terminal: what a person at a terminal sees."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode(errors="replace")


def main():
    mitrad, mitra = sys.argv[1], sys.argv[2]
    update = os.environ.get("MITRA_UPDATE_GOLDEN") == "1"
    t = Checker("test_golden")
    daemon = Daemon(mitrad)
    with reporting(t, daemon):
        os.makedirs(daemon.workdir, exist_ok=True)
        daemon.start()
        env = environment(daemon)
        days = {today()}
        r = subprocess.run([mitra, "import", SCENARIO], env=env, capture_output=True, text=True)
        events = sum(1 for line in open(SCENARIO) if line.strip() and not line.startswith("#"))
        t.check(r.returncode == 0 and "%d accepted, 0 already applied, 0 rejected" % events
                in r.stdout, "the scenario imports: %r %r" % (r.stdout, r.stderr))
        for name, args in CASES:
            r = subprocess.run([mitra] + args, env=env, capture_output=True, text=True)
            days.add(today())
            t.check(r.returncode == 0 and r.stderr == "",
                    "mitra %s: exit %d, stderr %r" % (" ".join(args), r.returncode, r.stderr))
            t.check("\x1b[" not in r.stdout, "no colour when stdout is not a terminal: %s" % name)
            got = normalize(r.stdout, days)
            path = os.path.join(GOLDEN, name + ".txt")
            if update:
                with open(path, "w") as f:
                    f.write(got)
                print("wrote %s" % path, file=sys.stderr)
                continue
            try:
                with open(path) as f:
                    want = f.read()
            except FileNotFoundError:
                want = ""
            same = got == want
            t.check(same, "mitra %s differs from %s (MITRA_UPDATE_GOLDEN=1 rewrites it)"
                    % (" ".join(args), path))
            if not same:
                sys.stderr.writelines(difflib.unified_diff(
                    want.splitlines(True), got.splitlines(True), path, "mitra " + " ".join(args)))

        # Colour on a terminal, none with NO_COLOR; the text is the same
        code, shown = run_in_pty([mitra, "show", "p-water"], env)
        t.check(code == 0 and "\x1b[1m" in shown and "\x1b[31m" in shown,
                "colour on a terminal: %r" % shown[:200])
        code, plain = run_in_pty([mitra, "show", "p-water"], environment(daemon, NO_COLOR="1"))
        t.check(code == 0 and "\x1b[" not in plain, "NO_COLOR: no colour: %r" % plain[:200])
        t.check(re.sub(r"\x1b\[[0-9;]*m", "", shown) == plain,
                "colour changes nothing but the escapes")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
