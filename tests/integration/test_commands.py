"""The commands for people, driven as a coordinator would: the real mitrad,
the real mitra. Organizations registered; a partnership of each of the four
types; one taken through its whole lifecycle with the commands; the outputs
and exit codes checked (and the state through --json); invalid commands
that say exactly what to fix, with exit 2 (the command line) or 1 (refused);
`mitra import` run twice on the same file (the second changes nothing), a
renamed copy, a stop at a rejected line, the fix, and --continue.

usage: test_commands.py MITRAD MITRA MITRA_WATCH
"""
import json
import os
import shutil
import subprocess
import sys

from mitra_harness import Checker, Daemon, reporting

NOUNS = {
    "org": ["add", "update", "show", "list"],
    "partnership": ["propose", "status", "show", "list"],
    "member": ["add", "remove"],
    "agreement": ["draft", "sign"],
    "goal": ["set", "progress"],
    "milestone": ["add", "progress", "done", "reschedule"],
    "evaluation": ["schedule", "record"],
    "contact": ["log"],
    "contribution": ["add"],
    "reach": ["add"],
}
SINGLE = ["show", "match", "health", "import"]


class Cli:
    def __init__(self, t, mitra, daemon):
        self.t = t
        self.mitra = mitra
        self.env = dict(os.environ)
        for name in ("MITRA_ENDPOINT", "NO_COLOR"):
            self.env.pop(name, None)
        self.env["MITRA_RUNTIME_DIR"] = daemon.runtime

    def run(self, *args, code=0, out=None, err=None, what=None):
        """Run mitra ARGS; check the exit code and that `out`/`err` (a string
        or a list of strings) appear in stdout/stderr."""
        r = subprocess.run([self.mitra] + list(args), env=self.env, capture_output=True,
                           text=True, timeout=60)
        label = what or "mitra " + " ".join(args)
        self.t.check(r.returncode == code, "%s: exit %d, wanted %d\nstdout: %s\nstderr: %s"
                     % (label, r.returncode, code, r.stdout, r.stderr))
        for stream, wanted, name in ((r.stdout, out, "stdout"), (r.stderr, err, "stderr")):
            for piece in ([wanted] if isinstance(wanted, str) else wanted or []):
                self.t.check(piece in stream, "%s: %r not in %s:\n%s" % (label, piece, name, stream))
        return r

    def ok(self, *args, out=None):
        return self.run(*args, out=out)

    def json(self, *args):
        r = self.run("--json", *args)
        try:
            return [json.loads(line) for line in r.stdout.splitlines()]
        except ValueError:
            self.t.check(False, "mitra --json %s: not JSON lines: %r" % (" ".join(args), r.stdout))
            return []

    def picture(self, p):
        got = self.json("show", p)
        return got[0] if got else {}


def test_help(cli):
    """Every command and verb has --help; the top level lists them all."""
    top = cli.ok("--help").stdout
    for name in list(NOUNS) + SINGLE:
        cli.t.check(("  %s " % name) in top, "mitra --help lists %s" % name)
        cli.ok(name, "--help", out="usage: mitra %s" % name)
    for noun, verbs in NOUNS.items():
        for verb in verbs:
            r = cli.ok(noun, verb, "--help", out="usage: mitra %s %s" % (noun, verb))
            cli.t.check("fields:" in r.stdout or verb == "list" and noun == "org",
                        "%s %s --help lists the fields" % (noun, verb))
    cli.ok("help", "member", "add", out="usage: mitra member add P ORG role=ROLE")


def test_orgs(cli):
    cli.ok("org", "add", "fdn-air", "name=Yayasan Air", "kind=foundation", "focus=water,health",
           "values=transparency", "country=ID", out="organization registered: fdn-air (event ")
    cli.ok("org", "add", "ngo-hijau", "--name", "Yayasan Hijau", "--kind", "ngo",
           "--focus", "water,sanitation", "--values", "transparency,community")
    cli.ok("org", "add", "ngo-laut", "name=Laut Lestari", "kind=ngo", "focus=oceans,water",
           "values=community")
    cli.ok("org", "add", "biz-semen", "name=PT Semen", "kind=business", "focus=sanitation")
    cli.ok("org", "add", "gov-sumba", "name=Dinas PU", "kind=government", "focus=water")
    cli.ok("org", "update", "ngo-hijau", "country=ID", "mission=Clean water for every village",
           out="organization updated: ngo-hijau")
    shown = cli.ok("org", "show", "ngo-hijau").stdout
    for piece in ("Yayasan Hijau (ngo-hijau)", "mission", "Clean water for every village",
                  "water, sanitation", "transparency, community", "partnerships  none yet"):
        cli.t.check(piece in shown, "org show has %r:\n%s" % (piece, shown))
    orgs = cli.json("org", "list")
    cli.t.check([o["org"] for o in orgs] == ["biz-semen", "fdn-air", "gov-sumba", "ngo-hijau",
                                             "ngo-laut"], "org list --json: %r" % orgs)
    cli.t.check(orgs[3].get("country") == "ID" and orgs[3]["focus"] == ["water", "sanitation"],
                "org update kept the rest: %r" % orgs[3])


def test_four_types(cli):
    """One partnership of each type, listed and filtered."""
    cli.ok("partnership", "propose", "p-fund", "name=Clean Water", "type=funding", "lead=fdn-air",
           "purpose=Wells in 40 villages", "starts=2025-01-01", "ends=2099-12-31",
           out="partnership proposed: p-fund (event ")
    cli.ok("partnership", "propose", "p-strat", "name=Alliance", "type=strategic",
           "lead=ngo-hijau")
    cli.ok("partnership", "propose", "p-ops", "name=Shared Rig", "type=operational",
           "lead=ngo-laut")
    cli.ok("partnership", "propose", "p-adv", "name=Tariff Reform", "type=advocacy",
           "lead=ngo-hijau")
    cli.ok("member", "add", "p-adv", "gov-sumba", "role=policy owner")
    listed = cli.ok("partnership", "list").stdout.splitlines()
    cli.t.check(listed[0].split()[:4] == ["PARTNERSHIP", "NAME", "TYPE", "STATUS"]
                and [line.split()[0] for line in listed[1:]] == ["p-adv", "p-fund", "p-ops",
                                                                 "p-strat"],
                "partnership list: %r" % listed)
    rows = cli.json("partnership", "list", "--type", "advocacy")
    cli.t.check([r["partnership"] for r in rows] == ["p-adv"] and rows[0]["members"] == 2,
                "list --type advocacy: %r" % rows)
    rows = cli.json("partnership", "list", "org=gov-sumba", "status=proposed")
    cli.t.check([r["partnership"] for r in rows] == ["p-adv"], "list org= status=: %r" % rows)
    cli.ok("partnership", "list", "--type", "funding", "--status", "active",
           out="no partnership matches")


def test_lifecycle(cli):
    """p-fund from proposed to concluded, with every kind of record."""
    t, p = cli.t, "p-fund"
    cli.ok("member", "add", p, "ngo-hijau", "role=implementer",
           "responsibilities=build wells,train committees", "expectations=funds on time",
           out="member added: p-fund ngo-hijau")
    cli.ok("member", "add", p, "ngo-laut", "--role", "monitor")
    cli.ok("partnership", "status", p, "negotiating", "--reason", "talks started",
           out="status changed: p-fund negotiating")
    # Active needs a signed agreement: refused, saying why
    cli.run("partnership", "status", p, "active", code=1,
            err=["error: conflict: ", "(field status)"])
    # Drafted with the defaults: version 1, the members' roles as terms
    cli.ok("agreement", "draft", p, "effective=2025-01-01", "expires=2099-12-31",
           "notice_days=90", "terms.fdn-air.role=funder",
           "terms.fdn-air.commitments=USD 120000", "terms.ngo-hijau.commitments=40 wells,reports",
           out=["agreement drafted: p-fund", "version 1; terms for fdn-air (funder), "
                "ngo-hijau (implementer), ngo-laut (monitor)"])
    agreement = cli.picture(p).get("agreement") or {}
    t.check(agreement.get("version") == 1 and agreement.get("terms") == [
        {"org": "fdn-air", "role": "funder", "commitments": ["USD 120000"]},
        {"org": "ngo-hijau", "role": "implementer",
         "responsibilities": ["build wells", "train committees"],
         "commitments": ["40 wells", "reports"]},
        {"org": "ngo-laut", "role": "monitor"}], "terms from the members: %r" % agreement)
    cli.ok("agreement", "sign", p, "fdn-air", "signatory=Ibu Sari", "signed_on=2025-01-05",
           out=["agreement signed: p-fund fdn-air",
                "still needs the signature of: ngo-hijau, ngo-laut"])
    cli.ok("agreement", "sign", p, "ngo-hijau", "signatory=Budi", "signed_on=2025-01-06")
    cli.run("agreement", "sign", p, "ngo-hijau", "signatory=Budi", code=1,
            err="error: conflict: ")
    cli.ok("agreement", "sign", p, "ngo-laut", "--signatory", "Made", "--signed-on",
           "2025-01-07", out="agreement version 1 is in force: every member has signed")
    cli.ok("partnership", "status", p, "active", "reason=signed by all")

    cli.ok("goal", "set", p, "g-wells", "title=40 wells built", "target=40", "unit=wells",
           "due=2099-06-30", out="goal set: p-fund g-wells")
    cli.ok("goal", "progress", p, "g-wells", "12", "on=2025-06-01")
    cli.ok("milestone", "add", p, "m-1", "title=First 10 wells", "due=2025-06-30",
           "owner=ngo-hijau", "goal=g-wells")
    cli.ok("milestone", "add", p, "m-2", "title=All wells", "due=2099-03-01")
    cli.ok("milestone", "progress", p, "m-1", "60", "note=6 dug",
           out="milestone progress recorded: p-fund m-1 60")
    cli.ok("milestone", "reschedule", p, "m-2", "2099-06-30", "reason=rain",
           out="milestone rescheduled: p-fund m-2 2099-06-30")
    cli.ok("evaluation", "schedule", p, "every=3mo", "next=2099-01-01")
    cli.ok("evaluation", "record", p, "on=2025-07-01", "decision=adjust", "scores.goals=4",
           "scores.trust=5", "scores.communication=3", "scores.resources=4", "scores.reach=2",
           "findings=slow start", "actions=second team,monthly calls")
    cli.ok("contact", "log", p, "ngo-hijau", "on=2025-07-02", "channel=call")
    cli.ok("contribution", "add", p, "fdn-air", "kind=funds", "amount=120000", "unit=USD",
           "status=committed")
    cli.ok("contribution", "add", p, "fdn-air", "kind=funds", "amount=40000.5", "unit=USD",
           "status=delivered", "note=first tranche")
    cli.ok("reach", "add", p, "350", "channel=workshop", out="reach recorded: p-fund 350")
    # A retried request id records nothing twice
    first = cli.json("reach", "add", p, "50", "--id", "test-commands-reach-1")
    again = cli.json("reach", "add", p, "50", "--id", "test-commands-reach-1")
    t.check(first and first == again and first[0]["ok"] is True, "retry: %r %r" % (first, again))

    shown = cli.ok("show", p).stdout
    for piece in ("Clean Water (p-fund)", "funding", "active since", "(signed by all)",
                  "lead      fdn-air, Yayasan Air", "2025-01-01 to 2099-12-31",
                  "Wells in 40 villages", "Health ", "COMPONENT", "communication",
                  "Members (3)", "implementer", "build wells; train committees",
                  "expects: funds on time", "2025-07-02", "Agreement version 1: in force",
                  "2025-01-05 by Ibu Sari", "USD 120000", "notice 90 days",
                  "[###-------]  30%", "12 of 40 wells",
                  "[######----]  60%", "OVERDUE", "moved 1 time from 2099-03-01: rain",
                  "decision adjust", "findings: slow start", "next  2099-01-01, every 3mo",
                  "120,000 USD", "40,000.5 USD", "Reach 400 people (2 records)"):
        t.check(piece in shown, "show has %r:\n%s" % (piece, shown))
    t.check(cli.ok("partnership", "show", p).stdout == shown, "partnership show == show")

    cli.ok("goal", "progress", p, "g-wells", "40", "on=2025-09-01")
    cli.ok("milestone", "done", p, "m-1", "on=2025-06-20", out="milestone completed: p-fund m-1")
    cli.ok("contribution", "add", p, "fdn-air", "kind=funds", "amount=79999.5", "unit=USD",
           "status=delivered")
    cli.ok("partnership", "status", p, "on_hold", "reason=rainy season")
    cli.ok("partnership", "status", p, "active")
    cli.ok("partnership", "status", p, "concluded", "reason=all wells built")
    got = cli.picture(p)
    t.check(got.get("status") == "concluded" and got.get("status_reason") == "all wells built"
            and got["goals"][0]["achieved"] is True and got["milestones"][0]["completed"] is True
            and got["reach"] == {"total": 400, "records": 2}
            and got["contributions"] == [{"org": "fdn-air", "kind": "funds", "unit": "USD",
                                          "committed": 120000, "delivered": 120000}]
            and got["evaluation"]["last"]["decision"] == "adjust",
            "the state the commands built: %r" % got)
    # Closed: nothing new, and the message says why
    cli.run("milestone", "add", p, "m-9", "title=More", "due=2099-01-01", code=1,
            err=["error: conflict: ", "(field partnership)"])
    health = cli.json("health", p)
    t.check(len(health) == 1 and health[0]["partnership"] == p
            and [c["component"] for c in health[0]["components"]]
            == ["milestones", "evaluation", "agreement", "communication", "contributions"],
            "health --json: %r" % health)
    cli.ok("health", p, out=["Clean Water (p-fund), concluded: health ", "WHY"])
    cli.ok("health", out=["p-fund", "p-ops", "as of "])
    matches = cli.json("match", "ngo-hijau")
    t.check(matches and matches[0]["org"] == "fdn-air"
            and matches[0]["suggested_type"] == "funding", "match --json: %r" % matches)
    cli.ok("match", "ngo-hijau", out=["Candidate partners for ngo-hijau (ngo)", "fdn-air",
                                      "already partners in: p-fund"])
    # Removing the lead needs a new lead, named by the error
    cli.run("member", "remove", "p-adv", "ngo-hijau", code=1,
            err=["error: missing_field: ", "(field new_lead)"])
    cli.ok("member", "remove", "p-adv", "ngo-hijau", "new_lead=gov-sumba",
           out="member removed: p-adv ngo-hijau")


def test_mistakes(cli):
    """Each mistake says exactly what to fix; 2 for the command line, 1 when
    refused, 3 when mitrad is not there."""
    cli.run("member", "add", "p-fund", code=2,
            err=["mitra member add: missing ORG: the registered organization that joins",
                 "usage: mitra member add P ORG role=ROLE"])
    cli.run("org", "add", "ngo-x", "name=X", "kind=ngo", "colour=red", code=2,
            err="'colour' is not a field of org.registered; its fields are: org, name, kind")
    cli.run("org", "add", "ngo-x", "Yayasan", "X", code=2,
            err="unexpected argument 'Yayasan': ORG is followed by fields")
    cli.run("org", "ad", code=2, err="no verb 'ad'; the verbs are: add update show list")
    cli.run("orgs", code=2, err="no command 'orgs'")
    cli.run("member", code=2, err="which verb?")
    cli.run("org", "add", "ngo-x", "name=X", "--colour", "red", code=2,
            err="--colour is neither an option nor a field of org.registered; its fields are: "
                "org, name, kind")
    cli.run("org", "list", "-x", code=2, err="unknown option '-x'")
    cli.run("partnership", "propose", "p-x", "name=X", "type=funding", code=1,
            err=["error: missing_field: ", "(field lead)", "hint: add lead=VALUE"])
    cli.run("partnership", "propose", "p-x", "name=X", "type=charity", "lead=fdn-air", code=1,
            err=["error: invalid_field: ", "strategic, operational, advocacy, funding",
                 "(field type)"])
    cli.run("milestone", "progress", "p-strat", "m-1", "150", code=1,
            err=["error: invalid_field: ", "(field percent)"])
    cli.run("milestone", "progress", "p-strat", "m-1", "50", code=1,
            err=["error: not_found: ", "(field milestone)", "mitra show p-strat"])
    cli.run("member", "add", "p-strat", "ngo-nope", "role=x", code=1,
            err=["error: not_found: ", "(field org)", "mitra org add ORG"])
    cli.run("contact", "log", "p-strat", "fdn-air", code=1,
            err=["error: not_found: ", "(field org)", "mitra member add p-strat ORG"])
    cli.run("show", "p-nope", code=1,
            err=["error: not_found: ", "(field partnership)", "mitra partnership list"])
    cli.run("agreement", "sign", "p-strat", "ngo-hijau", "signatory=X", code=1,
            err=["p-strat has no agreement to sign yet", "mitra agreement draft p-strat"])
    cli.run("evaluation", "record", "p-strat", "decision=adjust", "scores.trust=9", code=1,
            err="(field scores.goals)")
    cli.run("evaluation", "record", "p-strat", "decision=adjust", "scores.mood=3", code=2,
            err="scores has no field 'mood'")
    cli.run("--runtime-dir", "/nonexistent-mitra", "show", "p-fund", code=3,
            err="mitrad is not running")


def write(path, lines):
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def event(type_, **data):
    return json.dumps({"type": type_, "data": data})


def test_import(cli, workdir):
    t = cli.t
    path = os.path.join(workdir, "batch.jsonl")
    lines = [
        "# a batch of a coordinator's records",
        event("org.registered", org="res-ipb", name="Lab Air", kind="research", focus=["water"]),
        event("partnership.proposed", partnership="p-imp", name="Imported", type="operational",
              lead="ngo-hijau"),
        "",
        event("partnership.member_added", partnership="p-imp", org="res-ipb", role="lab"),
        event("reach.recorded", partnership="p-imp", people=100, on="2025-01-01"),
        event("reach.recorded", partnership="p-imp", people=100, on="2025-01-01"),
        event("contact.logged", partnership="p-imp", org="res-ipb", on="2025-02-01"),
    ]
    write(path, lines)
    r = cli.ok("import", path, out="batch.jsonl: 6 events: 6 accepted, 0 already applied, "
                                   "0 rejected")
    t.check("\r" not in r.stderr, "no progress bar when stderr is not a terminal")
    before = (cli.json("hello")[0]["last_seq"], cli.picture("p-imp"))
    t.check(before[1].get("reach") == {"total": 200, "records": 2}, "imported: %r" % before[1])
    cli.ok("import", path, out="6 events: 0 accepted, 6 already applied, 0 rejected")
    copy = os.path.join(workdir, "renamed.jsonl")
    shutil.copy(path, copy)
    cli.ok("import", copy, out="6 events: 0 accepted, 6 already applied, 0 rejected")
    after = (cli.json("hello")[0]["last_seq"], cli.picture("p-imp"))
    t.check(after == before, "running it again changed nothing: %r -> %r" % (before, after))
    summary = cli.json("import", path)
    t.check(summary == [{"file": path, "events": 6, "accepted": 0, "already_applied": 6,
                         "rejected": 0, "not_sent": 0, "stopped_at_line": None}],
            "import --json summary: %r" % summary)

    # Appending: only the new line is sent
    write(path, lines + [event("reach.recorded", partnership="p-imp", people=5)])
    cli.ok("import", path, out="7 events: 1 accepted, 6 already applied, 0 rejected")

    # A rejected line stops the import; the lines after it are not sent
    bad = os.path.join(workdir, "bad.jsonl")
    bad_lines = [
        event("goal.set", partnership="p-imp", goal="g-1", title="One", target=1),
        event("milestone.added", partnership="p-imp", milestone="m-1", title="M", due="2099-01-01"),
        event("milestone.progress", partnership="p-imp", milestone="m-1", percent=140),
        event("milestone.progress", partnership="p-imp", milestone="m-1", percent=40),
        event("reach.recorded", partnership="p-imp", people=7),
    ]
    write(bad, bad_lines)
    cli.run("import", bad, code=1,
            out=["5 events: 2 accepted, 0 already applied, 1 rejected, 2 not sent",
                 "stopped at line 3"],
            err=["bad.jsonl:3: milestone.progress error: invalid_field: ", "(field percent)"])
    t.check(cli.picture("p-imp")["milestones"][0]["percent"] == 0, "nothing after line 3 sent")
    # Fixed, and run again: lines 1-2 already applied, the rest sent
    bad_lines[2] = event("milestone.progress", partnership="p-imp", milestone="m-1", percent=20)
    write(bad, bad_lines)
    cli.ok("import", bad, out="5 events: 3 accepted, 2 already applied, 0 rejected")
    got = cli.picture("p-imp")
    t.check(got["milestones"][0]["percent"] == 40 and got["reach"]["total"] == 212,
            "after the fix: %r" % got)

    # --continue: every line tried, each rejection reported, exit 1
    cont = os.path.join(workdir, "continue.jsonl")
    write(cont, [
        event("reach.recorded", partnership="p-imp", people=1, on="2025-03-01"),
        event("reach.recorded", partnership="p-nope", people=1),
        "this is not JSON",
        json.dumps({"type": "reach.recorded"}),
        event("reach.recorded", partnership="p-imp", people=2, on="2025-03-02"),
    ])
    r = cli.run("import", "--continue", cont, code=1,
                out="5 events: 2 accepted, 0 already applied, 3 rejected",
                err=["continue.jsonl:2: reach.recorded error: not_found: ",
                     "continue.jsonl:3: error: malformed: not JSON",
                     "continue.jsonl:4: reach.recorded error: invalid_field: ", "(field data)"])
    t.check(cli.picture("p-imp")["reach"]["total"] == 215, "--continue sent the good lines")
    reports = cli.run("--json", "import", "--continue", cont, code=1).stdout.splitlines()
    parsed = [json.loads(line) for line in reports]
    t.check([p.get("line") for p in parsed[:3]] == [2, 3, 4]
            and parsed[0]["error"]["code"] == "not_found"
            and parsed[3]["already_applied"] == 2 and parsed[3]["rejected"] == 3,
            "--json --continue: %r" % parsed)
    t.check(cli.picture("p-imp")["reach"]["total"] == 215, "and again changes nothing")
    cli.run("import", os.path.join(workdir, "missing.jsonl"), code=2, err="cannot open")
    cli.run("import", code=2, err="which FILE?")


def main():
    mitrad, mitra = sys.argv[1], sys.argv[2]
    t = Checker("test_commands")
    daemon = Daemon(mitrad)
    with reporting(t, daemon):
        daemon.start()
        cli = Cli(t, mitra, daemon)
        test_help(cli)
        test_orgs(cli)
        test_four_types(cli)
        test_lifecycle(cli)
        test_mistakes(cli)
        test_import(cli, daemon.workdir)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
