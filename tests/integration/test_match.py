"""`match` against a brute-force reading of PROTOCOL.md ("match"): a few
hundred organizations with random kinds, focus areas and values (spelled
with random case and spaces, repeated, or absent) registered in the real
daemon, then for many askers and limits the candidates, their order,
scores, suggested types and shared terms compared with what the spec
computes from every organization. Again after some of them change kind
and terms (org.updated moves them in the indexes).

usage: test_match.py MITRAD MITRA MITRA_WATCH
"""
import random
import sys

from mitra_harness import Checker, Client, Daemon, reporting

KINDS = ["ngo", "business", "government", "research", "foundation", "company", "individual",
         "other"]
FOCUS = ["water", "sanitation", "education", "health", "climate", "oceans", "disaster relief",
         "youth"]
VALUES = ["transparency", "equity", "community", "integrity", "inclusion", "respect"]
FUNDERS = {"foundation", "company", "individual"}
ADVOCATES = {"business", "government", "research"}
ORGS = 400


def fold(term):
    """Lower case (ASCII), trimmed, inner runs of space as one."""
    words = term.replace("\t", " ").split(" ")
    text = " ".join(w for w in words if w)
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def terms(items):
    """Folded and without repeats, in order; each with its first spelling."""
    seen = {}
    for item in items:
        f = fold(item)
        if f and f not in seen:
            seen[f] = item
    return seen


def dice(shared, ours, theirs):
    n = ours + theirs
    return (200 * shared + n // 2) // n if n else 0


def relation(ours, theirs, shared_values):
    if ours == "ngo" and theirs == "ngo":
        return 50, ("strategic" if shared_values else "operational")
    if (ours == "ngo" and theirs in FUNDERS) or (theirs == "ngo" and ours in FUNDERS):
        return 100, "funding"
    if (ours == "ngo" and theirs in ADVOCATES) or (theirs == "ngo" and ours in ADVOCATES):
        return 100, "advocacy"
    return 0, None


def expected(orgs, asker, limit):
    me = orgs[asker]
    my_focus, my_values = terms(me["focus"]), terms(me["values"])
    found = []
    for org, other in orgs.items():
        if org == asker:
            continue
        their_focus, their_values = terms(other["focus"]), terms(other["values"])
        shared_f = [t for t in my_focus if t in their_focus]
        shared_v = [t for t in my_values if t in their_values]
        kind, suggested = relation(me["kind"], other["kind"], bool(shared_v))
        if not shared_f and not shared_v and kind != 100:
            continue
        f = dice(len(shared_f), len(my_focus), len(their_focus))
        v = dice(len(shared_v), len(my_values), len(their_values))
        score = (f * 50 + v * 30 + kind * 20 + 50) // 100
        if score == 0:
            continue
        found.append((-score, org, suggested, [my_focus[t] for t in shared_f],
                      [my_values[t] for t in shared_v]))
    found.sort()
    return [(org, -score, suggested, sf, sv) for score, org, suggested, sf, sv in found[:limit]]


def spelling(rng, term):
    """The term with random case and spaces around and inside it."""
    text = "".join(c.upper() if rng.random() < 0.2 else c for c in term)
    text = text.replace(" ", " " * rng.randint(1, 3))
    return " " * rng.randint(0, 1) + text + " " * rng.randint(0, 1)


def random_org(rng):
    return {"kind": rng.choice(KINDS),
            "focus": [spelling(rng, rng.choice(FOCUS)) for _ in range(rng.randint(0, 3))],
            "values": [spelling(rng, rng.choice(VALUES)) for _ in range(rng.randint(0, 3))]}


def check_all(t, c, orgs, rng, askers, what):
    bad = 0
    for asker in askers:
        for limit in (1, 3, 10, 100):
            r = c.query("match", {"org": asker, "limit": limit})
            got = [(x["org"], x["score"], x["suggested_type"], x["shared_focus"],
                    x["shared_values"]) for x in r["result"]["candidates"]]
            want = expected(orgs, asker, limit)
            if got != want:
                bad += 1
                if bad <= 3:
                    t.check(False, "%s: match %s limit %d:\n got  %r\n want %r"
                            % (what, asker, limit, got[:5], want[:5]))
    t.check(bad == 0, "%s: %d of %d matches as the spec computes them"
            % (what, len(askers) * 4 - bad, len(askers) * 4))


def main():
    t = Checker("test_match")
    rng = random.Random(20261128)
    daemon = Daemon(sys.argv[1])
    with reporting(t, daemon):
        daemon.start()
        c = Client(daemon.endpoint, timeout_ms=30000)
        orgs = {"o-%03d" % n: random_org(rng) for n in range(ORGS)}
        requests = []
        for org, o in orgs.items():
            data = {"org": org, "name": "Org " + org, "kind": o["kind"]}
            if o["focus"]:
                data["focus"] = o["focus"]
            if o["values"]:
                data["values"] = o["values"]
            requests.append({"v": 1, "id": "reg-" + org, "op": "event", "type": "org.registered",
                             "data": data})
        replies = c.pipeline(requests)
        t.check(all(r.get("ok") for r in replies.values()), "every org registered")
        check_all(t, c, orgs, rng, rng.sample(sorted(orgs), 60), "registered")

        # Some change kind and terms: the indexes follow
        for org in rng.sample(sorted(orgs), 80):
            o = random_org(rng)
            r = c.event("org.updated", {"org": org, "kind": o["kind"], "focus": o["focus"],
                                        "values": o["values"]})
            t.check(r.get("ok") is True, "org.updated %s: %r" % (org, r))
            orgs[org] = o
        check_all(t, c, orgs, rng, rng.sample(sorted(orgs), 60), "after updates")
        t.check(daemon.stop() == 0, "clean stop")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
