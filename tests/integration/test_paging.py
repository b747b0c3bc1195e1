"""Paging of the listings (org.list, partnership.list, health;
PROTOCOL.md, "Paging a listing") against the real daemon, with more
partnerships than one page may examine: pages put together are the whole
listing, in order, nothing twice; a filter few records pass ends a page
after 10,000 ids examined, with a `next`; a request without `from` or
`limit` still gets everything (version 1); the limits are refused with
the field named. Then the real `mitra` following the pages: `partnership
list`, `health` and `org list`, in full and one page at a time.

usage: test_paging.py MITRAD MITRA MITRA_WATCH
"""
import json
import os
import subprocess
import sys

from mitra_harness import Checker, Client, Daemon, reporting

BULK = 10050        # strategic partnerships led by org-a: more than one page examines
RARE = ["q-0", "q-1", "q-2"]    # funding partnerships led by org-b, after every bulk id
ORGS = 250          # organizations o-000 ... besides org-a and org-b


def pages(c, q, args, key, limit):
    """Every page of a listing; returns (entries, pages read)."""
    got, count, start = [], 0, None
    while True:
        page_args = dict(args, limit=limit)
        if start:
            page_args["from"] = start
        r = c.query(q, page_args)
        if not r.get("ok"):
            raise AssertionError("%s %r: %r" % (q, page_args, r))
        got += r["result"][key]
        count += 1
        start = r["result"]["next"]
        if start is None:
            return got, count


def main():
    mitrad, mitra = sys.argv[1], sys.argv[2]
    t = Checker("test_paging")
    daemon = Daemon(mitrad)
    with reporting(t, daemon):
        daemon.start()
        c = Client(daemon.endpoint, timeout_ms=60000)
        requests = []

        def event(type_, data):
            requests.append({"v": 1, "id": "e-%d" % len(requests), "op": "event",
                             "type": type_, "data": data})

        for org in ["org-a", "org-b"] + ["o-%03d" % n for n in range(ORGS)]:
            event("org.registered", {"org": org, "name": "Org " + org, "kind": "ngo"})
        bulk = ["p-%05d" % n for n in range(BULK)]
        for p in bulk:
            event("partnership.proposed", {"partnership": p, "name": "P " + p,
                                           "type": "strategic", "lead": "org-a"})
        for p in RARE:
            event("partnership.proposed", {"partnership": p, "name": "Q " + p,
                                           "type": "funding", "lead": "org-b"})
        replies = c.pipeline(requests)
        refused = [r for r in replies.values() if not r.get("ok")]
        t.check(not refused, "every set-up event accepted: %r" % refused[:3])
        every = sorted(bulk + RARE)
        orgs = sorted(["org-a", "org-b"] + ["o-%03d" % n for n in range(ORGS)])

        # Version 1 without from and limit: everything in one reply
        whole = c.query("partnership.list")["result"]
        t.check([x["partnership"] for x in whole["partnerships"]] == every
                and whole["next"] is None, "partnership.list unpaged: %d entries, next %r"
                % (len(whole["partnerships"]), whole["next"]))
        whole_orgs = c.query("org.list")["result"]
        t.check([x["org"] for x in whole_orgs["orgs"]] == orgs and whole_orgs["next"] is None,
                "org.list unpaged")

        # Pages put together are the listing, each at most `limit`
        got, count = pages(c, "partnership.list", {}, "partnerships", 1000)
        t.check(got == whole["partnerships"] and count == 11,
                "partnership.list in pages of 1000: %d entries in %d pages" % (len(got), count))
        got, count = pages(c, "org.list", {}, "orgs", 100)
        t.check(got == whole_orgs["orgs"] and count == 3,
                "org.list in pages of 100: %d in %d pages" % (len(got), count))
        first = c.query("partnership.list", {"limit": 3})["result"]
        t.check([x["partnership"] for x in first["partnerships"]] == every[:3]
                and first["next"] == every[3], "first page of 3: %r" % first)
        default = c.query("partnership.list", {"from": "p-00000"})["result"]
        t.check(len(default["partnerships"]) == 100 and default["next"] == every[100],
                "a page without limit holds 100")
        # `from` naming no partnership starts at the next one after it
        r = c.query("partnership.list", {"from": "p-00100a", "limit": 2})["result"]
        t.check([x["partnership"] for x in r["partnerships"]] == ["p-00101", "p-00102"],
                "from between two ids: %r" % r)
        r = c.query("partnership.list", {"from": "zzz", "limit": 2})["result"]
        t.check(r == {"partnerships": [], "next": None}, "from after the last: %r" % r)

        # A filter few pass: a page ends after 10,000 examined, possibly empty
        args = {"status": "proposed", "type": "funding", "limit": 10}
        r = c.query("partnership.list", args)["result"]
        t.check(r["partnerships"] == [] and r["next"] == every[10000],
                "first page of a rare filter stops at 10,000 examined: next %r" % r["next"])
        got, count = pages(c, "partnership.list", {"status": "proposed", "type": "funding"},
                           "partnerships", 10)
        t.check([x["partnership"] for x in got] == RARE and count == 2,
                "rare filter in pages: %r in %d" % ([x["partnership"] for x in got], count))
        r = c.query("partnership.list", {"org": "org-b", "limit": 2})["result"]
        t.check([x["partnership"] for x in r["partnerships"]] == RARE[:2] and r["next"] == RARE[2],
                "by member, paged: %r" % r)

        # The longest ids: a member index key and a from of 64 bytes each
        org, p64 = "o" * 64, ["x" * 63 + c for c in "abc"]
        r = c.event("org.registered", {"org": org, "name": "Long", "kind": "ngo"})
        for p in p64:
            r = c.event("partnership.proposed", {"partnership": p, "name": "L", "type": "advocacy",
                                                 "lead": org})
            t.check(r.get("ok") is True, "a partnership with a 64-byte id: %r" % r)
        r = c.query("partnership.list", {"org": org, "from": p64[1], "limit": 1})["result"]
        t.check([x["partnership"] for x in r["partnerships"]] == p64[1:2] and r["next"] == p64[2],
                "64-byte org and from: %r" % r)
        every, orgs = sorted(every + p64), sorted(orgs + [org])

        # health pages: the same entries as one partnership's health
        r = c.query("health", {"from": "p-00005", "limit": 3})["result"]
        t.check([x["partnership"] for x in r["partnerships"]] == ["p-00005", "p-00006", "p-00007"]
                and r["next"] == "p-00008", "health page: %r" % r["next"])
        one = c.query("health", {"partnership": "p-00006"})["result"]
        t.check(one["partnerships"] == r["partnerships"][1:2] and one["next"] is None,
                "a health page entry is the partnership's health")
        got, count = pages(c, "health", {}, "partnerships", 1000)
        t.check([x["partnership"] for x in got] == every and count == 11,
                "health in pages: %d in %d" % (len(got), count))
        scores = {x["partnership"]: x["score"] for x in got}
        t.check(all(x["health_score"] == scores[x["partnership"]]
                    for x in whole["partnerships"]), "health_score of each summary")
        r = c.query("health", {"partnership": "q-1", "from": "p-00001", "limit": 1})["result"]
        t.check([x["partnership"] for x in r["partnerships"]] == ["q-1"],
                "with partnership, from and limit are ignored")

        # Limits refused with the field named
        for q in ("org.list", "partnership.list", "health"):
            for bad, field in (({"limit": 0}, "limit"), ({"limit": 1001}, "limit"),
                               ({"from": "Not A Slug"}, "from")):
                r = c.query(q, bad)
                err = r.get("error") or {}
                t.check(r.get("ok") is False and err.get("code") == "invalid_field"
                        and err.get("field") == field, "%s %r: %r" % (q, bad, r))

        # The commands follow the pages
        env = dict(os.environ)
        for name in ("MITRA_ENDPOINT", "NO_COLOR"):
            env.pop(name, None)
        env["MITRA_RUNTIME_DIR"] = daemon.runtime

        def cli(*args):
            r = subprocess.run([mitra] + list(args), env=env, capture_output=True, text=True,
                               timeout=120)
            t.check(r.returncode == 0, "mitra %s: exit %d\n%s" % (" ".join(args), r.returncode,
                                                                   r.stderr[-2000:]))
            return r

        lines = cli("--json", "partnership", "list").stdout.splitlines()
        t.check([json.loads(x)["partnership"] for x in lines] == every,
                "mitra --json partnership list: %d lines" % len(lines))
        table = cli("partnership", "list").stdout.splitlines()
        t.check(len(table) == 1 + len(every) and table[1].startswith("p-00000")
                and table[-1].startswith(every[-1]), "partnership list table: %d lines" % len(table))
        rare = cli("partnership", "list", "--status", "proposed", "--type", "funding").stdout
        t.check([x.split()[0] for x in rare.splitlines()[1:]] == RARE,
                "partnership list across an empty page: %r" % rare)
        lines = cli("--json", "health").stdout.splitlines()
        t.check([json.loads(x)["partnership"] for x in lines] == every,
                "mitra --json health: %d lines" % len(lines))
        lines = cli("--json", "org", "list").stdout.splitlines()
        t.check([json.loads(x)["org"] for x in lines] == orgs, "mitra --json org list")
        r = cli("partnership", "list", "limit=2")
        t.check([x.split()[0] for x in r.stdout.splitlines()[1:]] == every[:2]
                and "from=%s" % every[2] in r.stderr,
                "one page asked for, the next named: %r %r" % (r.stdout, r.stderr))
        r = cli("--json", "org", "list", "from=o-248")
        t.check([json.loads(x)["org"] for x in r.stdout.splitlines()] == orgs[orgs.index("o-248"):]
                and not r.stderr, "org list from: %r %r" % (r.stdout, r.stderr))
        t.check(daemon.stop() == 0, "clean stop")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
