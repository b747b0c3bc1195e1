"""The partnership model against the real daemon: every event type accepted,
every rejection class with the field it names (and a rejection changes
nothing), the lifecycle (every transition, allowed or not), the guards,
the queries returning exactly what the events built, and the funding
scenario of issue 3 watched by a real subscriber.

usage: test_model.py PATH/TO/mitrad
"""
import datetime
import sys
import time

import msgpack
import zmq

from mitra_harness import Checker, Client, Daemon, reporting

STATUSES = ["proposed", "negotiating", "active", "on_hold", "concluded", "terminated"]
ALLOWED = {
    ("proposed", "negotiating"), ("proposed", "terminated"),
    ("negotiating", "active"), ("negotiating", "terminated"),
    ("active", "on_hold"), ("active", "concluded"), ("active", "terminated"),
    ("on_hold", "active"), ("on_hold", "concluded"), ("on_hold", "terminated"),
}
# The shortest way from proposed to each status
PATH = {
    "proposed": [], "negotiating": ["negotiating"], "active": ["negotiating", "active"],
    "on_hold": ["negotiating", "active", "on_hold"],
    "concluded": ["negotiating", "active", "concluded"],
    "terminated": ["terminated"],
}
SCORES = {"goals": 4, "trust": 5, "communication": 3, "resources": 4, "reach": 2}
ORGS = [
    ("fdn-air", "Yayasan Air", "foundation", ["water", "health"], ["transparency"]),
    ("ngo-hijau", "Yayasan Hijau", "ngo", ["water", "sanitation"], ["transparency", "community"]),
    ("ngo-laut", "Laut Lestari", "ngo", ["oceans", "water"], ["community"]),
    ("biz-x", "PT X", "business", ["sanitation"], []),
    ("gov-y", "Dinas Y", "government", [], []),
    ("res-z", "Lab Z", "research", ["health"], []),
    ("other-o", "Other O", "other", ["  Water "], []),
    ("co-lonely", "Lonely Co", "other", ["space"], []),
]


def days(n):
    """A date n days from today (UTC), as the daemon counts days."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    return (today + datetime.timedelta(days=n)).isoformat()


class Model:
    def __init__(self, t, c):
        self.t = t
        self.c = c

    def ok(self, type_, data, what=None):
        r = self.c.event(type_, data)
        self.t.check(r.get("ok") is True, "%s accepted: %r -> %r" % (what or type_, data, r))
        return r

    def state(self, partnership=None):
        """What a rejection must leave unchanged."""
        hello = self.c.query("hello")["result"]
        picture = [hello["last_seq"], hello["last_notification_seq"],
                   self.c.query("partnership.list")["result"]]
        if partnership:
            r = self.c.query("partnership.get", {"partnership": partnership})
            picture.append(r.get("result") or r["error"]["code"])
        return picture

    def rejected(self, type_, data, code, field, words=None, partnership=None):
        partnership = partnership or data.get("partnership")
        before = self.state(partnership)
        r = self.c.event(type_, data)
        err = r.get("error") or {}
        good = (r.get("ok") is False and err.get("code") == code and err.get("field") == field
                and err.get("message") and (words is None or words in err["message"]))
        self.t.check(good, "%s %r: expected %s on %r%s, got %r"
                     % (type_, data, code, field, " with %r" % words if words else "", r))
        self.t.check(self.state(partnership) == before, "%s rejected changes nothing" % type_)
        return r

    def get(self, partnership):
        r = self.c.query("partnership.get", {"partnership": partnership})
        self.t.check(r.get("ok") is True, "partnership.get %s: %r" % (partnership, r))
        return r.get("result") or {}

    def build(self, p, status, members=("ngo-hijau",), lead="fdn-air", ptype="funding"):
        """A partnership in `status`, with members and a signed agreement."""
        self.ok("partnership.proposed", {"partnership": p, "name": "P " + p, "type": ptype,
                                         "lead": lead})
        for org in members:
            self.ok("partnership.member_added", {"partnership": p, "org": org, "role": "partner"})
        everyone = [lead] + list(members)
        self.ok("agreement.drafted", {"partnership": p, "version": 1, "effective": days(-10),
                                      "terms": [{"org": o, "role": "r"} for o in everyone]})
        for org in everyone:
            self.ok("agreement.signed", {"partnership": p, "version": 1, "org": org,
                                         "signatory": "S " + org})
        for step in PATH[status]:
            self.ok("partnership.status_changed", {"partnership": p, "status": step})
        self.t.check(self.get(p).get("status") == status, "built %s in %s" % (p, status))


def test_validation(m):
    """Schema errors name the field; nothing is applied."""
    m.rejected("partnership.proposed", {"partnership": "p-v", "name": "x", "type": "funding"},
               "missing_field", "lead")
    m.rejected("partnership.proposed", {"partnership": "p-v", "name": "x", "type": "charity",
                                        "lead": "fdn-air"}, "invalid_field", "type")
    m.rejected("partnership.proposed", {"partnership": "P V", "name": "x", "type": "funding",
                                        "lead": "fdn-air"}, "invalid_field", "partnership")
    m.rejected("partnership.proposed", {"partnership": "p-v", "name": "x", "type": "funding",
                                        "lead": "fdn-air", "starts": "2026-02-30"},
               "invalid_field", "starts")
    m.rejected("partnership.proposed", {"partnership": "p-v", "name": "x", "type": "funding",
                                        "lead": "fdn-air", "starts": "2026-05-01",
                                        "ends": "2026-04-30"}, "invalid_field", "ends")
    m.rejected("milestone.progress", {"partnership": "p-v", "milestone": "m", "percent": 101},
               "invalid_field", "percent")
    m.rejected("evaluation.recorded", {"partnership": "p-v", "decision": "adjust",
                                       "scores": dict(SCORES, trust=6)},
               "invalid_field", "scores.trust")
    m.rejected("evaluation.recorded", {"partnership": "p-v", "decision": "adjust",
                                       "scores": {"goals": 1}}, "missing_field", "scores.trust")
    m.rejected("contribution.recorded", {"partnership": "p-v", "org": "ngo-hijau",
                                         "kind": "funds", "amount": -5, "unit": "USD",
                                         "status": "committed"}, "invalid_field", "amount")
    m.rejected("agreement.drafted", {"partnership": "p-v", "version": 1, "effective": days(0),
                                     "terms": [{"org": "fdn-air"}]},
               "missing_field", "terms[0].role")
    m.rejected("reach.recorded", {"partnership": "p-v", "people": 1, "extra": 1},
               "invalid_field", "extra")


def test_not_found(m):
    """Every reference must exist."""
    minimal = {
        "partnership.member_added": {"org": "ngo-hijau", "role": "r"},
        "partnership.member_removed": {"org": "ngo-hijau"},
        "partnership.status_changed": {"status": "negotiating"},
        "agreement.drafted": {"version": 1, "effective": days(0),
                              "terms": [{"org": "fdn-air", "role": "r"}]},
        "agreement.signed": {"version": 1, "org": "fdn-air", "signatory": "A"},
        "goal.set": {"goal": "g", "title": "t", "target": 1},
        "goal.progress": {"goal": "g", "value": 1},
        "milestone.added": {"milestone": "m", "title": "t", "due": days(5)},
        "milestone.progress": {"milestone": "m", "percent": 5},
        "milestone.completed": {"milestone": "m"},
        "milestone.rescheduled": {"milestone": "m", "due": days(9)},
        "evaluation.scheduled": {"every": "3mo", "next": days(30)},
        "evaluation.recorded": {"scores": SCORES, "decision": "continue"},
        "contact.logged": {"org": "fdn-air"},
        "contribution.recorded": {"org": "fdn-air", "kind": "funds", "amount": 1, "unit": "USD",
                                  "status": "committed"},
        "reach.recorded": {"people": 3},
    }
    for type_, data in minimal.items():
        m.rejected(type_, dict(data, partnership="p-nowhere"), "not_found", "partnership")

    m.rejected("partnership.proposed", {"partnership": "p-nf", "name": "x", "type": "advocacy",
                                        "lead": "ngo-ghost"}, "not_found", "lead")
    m.ok("partnership.proposed", {"partnership": "p-nf", "name": "x", "type": "advocacy",
                                  "lead": "ngo-hijau"})
    m.rejected("partnership.member_added", {"partnership": "p-nf", "org": "ngo-ghost",
                                            "role": "r"}, "not_found", "org")
    m.rejected("partnership.member_removed", {"partnership": "p-nf", "org": "biz-x"},
               "not_found", "org")
    m.rejected("goal.progress", {"partnership": "p-nf", "goal": "g-none", "value": 1},
               "not_found", "goal")
    m.rejected("milestone.progress", {"partnership": "p-nf", "milestone": "m-none",
                                      "percent": 1}, "not_found", "milestone")
    m.rejected("milestone.added", {"partnership": "p-nf", "milestone": "m-1", "title": "t",
                                   "due": days(3), "owner": "biz-x"}, "not_found", "owner")
    m.rejected("milestone.added", {"partnership": "p-nf", "milestone": "m-1", "title": "t",
                                   "due": days(3), "goal": "g-none"}, "not_found", "goal")
    m.rejected("agreement.drafted", {"partnership": "p-nf", "version": 1, "effective": days(0),
                                     "terms": [{"org": "ngo-hijau", "role": "r"},
                                               {"org": "biz-x", "role": "r"}]},
               "not_found", "terms[1].org")
    m.rejected("agreement.signed", {"partnership": "p-nf", "version": 3, "org": "ngo-hijau",
                                    "signatory": "A"}, "not_found", "version")
    m.rejected("contact.logged", {"partnership": "p-nf", "org": "biz-x"}, "not_found", "org")
    m.rejected("contribution.recorded", {"partnership": "p-nf", "org": "biz-x", "kind": "funds",
                                         "amount": 1, "unit": "USD", "status": "committed"},
               "not_found", "org")
    r = m.c.query("partnership.get", {"partnership": "p-nowhere"})
    m.t.check(r["error"]["code"] == "not_found" and r["error"]["field"] == "partnership",
              "partnership.get of an unknown partnership: %r" % r)
    r = m.c.query("partnership.list", {"org": "ngo-ghost"})
    m.t.check(r["error"]["code"] == "not_found" and r["error"]["field"] == "org",
              "partnership.list of an unknown org: %r" % r)
    r = m.c.query("match", {"org": "ngo-ghost"})
    m.t.check(r["error"]["code"] == "not_found", "match of an unknown org: %r" % r)
    r = m.c.query("events", {"partnership": "p-nowhere"})
    m.t.check(r["error"]["code"] == "not_found", "events of an unknown partnership: %r" % r)


def test_conflicts(m):
    """Duplicates and contradictions are conflicts naming the field."""
    p = "p-dup"
    m.ok("partnership.proposed", {"partnership": p, "name": "x", "type": "strategic",
                                  "lead": "ngo-hijau"})
    m.rejected("partnership.proposed", {"partnership": p, "name": "y", "type": "funding",
                                        "lead": "fdn-air"}, "conflict", "partnership")
    m.ok("partnership.member_added", {"partnership": p, "org": "ngo-laut", "role": "peer"})
    m.rejected("partnership.member_added", {"partnership": p, "org": "ngo-laut", "role": "x"},
               "conflict", "org", "already a member")
    m.rejected("partnership.member_added", {"partnership": p, "org": "ngo-hijau", "role": "x"},
               "conflict", "org")
    m.ok("goal.set", {"partnership": p, "goal": "g-1", "title": "t", "target": 10})
    m.rejected("goal.set", {"partnership": p, "goal": "g-1", "title": "u", "target": 5},
               "conflict", "goal")
    m.ok("milestone.added", {"partnership": p, "milestone": "m-1", "title": "t", "due": days(9)})
    m.rejected("milestone.added", {"partnership": p, "milestone": "m-1", "title": "u",
                                   "due": days(9)}, "conflict", "milestone")
    terms = [{"org": "ngo-hijau", "role": "lead"}, {"org": "ngo-laut", "role": "peer"}]
    m.ok("agreement.drafted", {"partnership": p, "version": 2, "effective": days(0),
                               "terms": terms})
    m.rejected("agreement.drafted", {"partnership": p, "version": 2, "effective": days(0),
                                     "terms": terms}, "conflict", "version")
    m.rejected("agreement.drafted", {"partnership": p, "version": 1, "effective": days(0),
                                     "terms": terms}, "conflict", "version")
    m.rejected("agreement.drafted", {"partnership": p, "version": 3, "effective": days(0),
                                     "terms": terms + [terms[0]]}, "invalid_field", "terms[2].org")
    m.rejected("agreement.drafted", {"partnership": p, "version": 3, "effective": days(0),
                                     "terms": []}, "invalid_field", "terms")
    m.rejected("agreement.drafted", {"partnership": p, "version": 3, "effective": days(0),
                                     "expires": days(0), "terms": terms},
               "invalid_field", "expires")
    m.rejected("agreement.drafted", {"partnership": p, "version": 3, "effective": days(0),
                                     "sha256": "abc", "terms": terms}, "invalid_field", "sha256")
    m.ok("agreement.signed", {"partnership": p, "version": 2, "org": "ngo-hijau",
                              "signatory": "A", "signed_on": days(-1)})
    m.rejected("agreement.signed", {"partnership": p, "version": 2, "org": "ngo-hijau",
                                    "signatory": "A"}, "conflict", "org", "already signed")
    # A new version needs new signatures; the old one can no longer be signed
    m.ok("partnership.member_added", {"partnership": p, "org": "biz-x", "role": "sponsor"})
    m.rejected("agreement.signed", {"partnership": p, "version": 2, "org": "biz-x",
                                    "signatory": "B"}, "conflict", "org", "no terms")
    m.ok("agreement.drafted", {"partnership": p, "version": 5, "effective": days(0),
                               "sha256": "ab" * 32,
                               "terms": terms + [{"org": "biz-x", "role": "sponsor"}]})
    m.rejected("agreement.signed", {"partnership": p, "version": 2, "org": "ngo-laut",
                                    "signatory": "C"}, "conflict", "version", "sign version 5")
    agreement = m.get(p)["agreement"]
    m.t.check(agreement["version"] == 5 and agreement["signatures"] == []
              and agreement["unsigned"] == ["ngo-hijau", "ngo-laut", "biz-x"]
              and agreement["in_force"] is False, "version 5 unsigned: %r" % agreement)
    # A completed milestone is final
    m.ok("milestone.completed", {"partnership": p, "milestone": "m-1", "on": days(-2)})
    for type_, extra in (("milestone.progress", {"percent": 50}), ("milestone.completed", {}),
                         ("milestone.rescheduled", {"due": days(30)})):
        m.rejected(type_, dict(extra, partnership=p, milestone="m-1"), "conflict", "milestone",
                   "completed")


def test_transitions(m):
    """Every pair of statuses: allowed exactly when the lifecycle says so."""
    index = 0
    for source in STATUSES:
        for target in STATUSES:
            index += 1
            p = "p-t%02d" % index
            m.build(p, source)
            data = {"partnership": p, "status": target, "reason": "test"}
            if (source, target) in ALLOWED:
                m.ok("partnership.status_changed", data, "%s -> %s" % (source, target))
                got = m.get(p)
                m.t.check(got["status"] == target and got["status_reason"] == "test",
                          "%s -> %s recorded: %r" % (source, target, got.get("status")))
            else:
                allowed = [b for (a, b) in sorted(ALLOWED) if a == source]
                r = m.rejected("partnership.status_changed", data, "conflict", "status")
                message = (r.get("error") or {}).get("message", "")
                if source == target:
                    m.t.check("already" in message, "same status: %r" % message)
                elif not allowed:
                    m.t.check("final" in message, "%s is final: %r" % (source, message))
                else:
                    m.t.check(all(a in message for a in allowed),
                              "%s -> %s names %r: %r" % (source, target, allowed, message))
    r = m.c.query("partnership.list", {"status": "terminated"})["result"]["partnerships"]
    expected = sorted("p-t%02d" % (6 * s + t + 1) for s in range(6) for t in range(6)
                      if STATUSES[s] == "terminated"
                      or (STATUSES[s], STATUSES[t]) in ALLOWED and STATUSES[t] == "terminated")
    m.t.check([x["partnership"] for x in r] == expected,
              "partnership.list status=terminated: %r" % [x["partnership"] for x in r])


def test_active_guard(m):
    p = "p-guard"
    m.ok("partnership.proposed", {"partnership": p, "name": "g", "type": "operational",
                                  "lead": "ngo-hijau"})
    m.ok("partnership.status_changed", {"partnership": p, "status": "negotiating"})
    m.rejected("partnership.status_changed", {"partnership": p, "status": "active"},
               "conflict", "status", "at least two members")
    m.ok("partnership.member_added", {"partnership": p, "org": "ngo-laut", "role": "peer"})
    m.rejected("partnership.status_changed", {"partnership": p, "status": "active"},
               "conflict", "status", "no agreement")
    terms = [{"org": "ngo-hijau", "role": "lead"}, {"org": "ngo-laut", "role": "peer"}]
    m.ok("agreement.drafted", {"partnership": p, "version": 1, "effective": days(-400),
                               "expires": days(-1), "terms": terms})
    m.ok("agreement.signed", {"partnership": p, "version": 1, "org": "ngo-hijau",
                              "signatory": "A"})
    m.rejected("partnership.status_changed", {"partnership": p, "status": "active"},
               "conflict", "status", "not yet signed by: ngo-laut")
    m.ok("agreement.signed", {"partnership": p, "version": 1, "org": "ngo-laut",
                              "signatory": "B"})
    m.rejected("partnership.status_changed", {"partnership": p, "status": "active"},
               "conflict", "status", "expired")
    m.ok("agreement.drafted", {"partnership": p, "version": 2, "effective": days(0),
                               "expires": days(365), "terms": terms})
    m.rejected("partnership.status_changed", {"partnership": p, "status": "active"},
               "conflict", "status", "ngo-hijau, ngo-laut")
    for org in ("ngo-hijau", "ngo-laut"):
        m.ok("agreement.signed", {"partnership": p, "version": 2, "org": org, "signatory": "S"})
    m.ok("partnership.status_changed", {"partnership": p, "status": "active"})
    # Active keeps two members at least
    m.rejected("partnership.member_removed", {"partnership": p, "org": "ngo-laut"},
               "conflict", "org", "at least two members")
    # A new member unsigned: on_hold -> active needs its signature on a version naming it
    m.ok("partnership.member_added", {"partnership": p, "org": "biz-x", "role": "sponsor"})
    m.ok("partnership.status_changed", {"partnership": p, "status": "on_hold"})
    m.rejected("partnership.status_changed", {"partnership": p, "status": "active"},
               "conflict", "status", "biz-x")
    # Removing the only member who had not signed brings the agreement into force
    m.ok("partnership.member_removed", {"partnership": p, "org": "biz-x", "reason": "left"})
    m.t.check(m.get(p)["agreement"]["in_force"] is True, "in force again without biz-x")
    m.ok("partnership.status_changed", {"partnership": p, "status": "active"})


def test_lead_removal(m):
    p = "p-lead"
    m.ok("partnership.proposed", {"partnership": p, "name": "l", "type": "advocacy",
                                  "lead": "ngo-hijau"})
    m.ok("partnership.member_added", {"partnership": p, "org": "gov-y", "role": "target"})
    m.rejected("partnership.member_removed", {"partnership": p, "org": "ngo-hijau"},
               "missing_field", "new_lead")
    m.rejected("partnership.member_removed", {"partnership": p, "org": "ngo-hijau",
                                              "new_lead": "biz-x"}, "not_found", "new_lead")
    m.rejected("partnership.member_removed", {"partnership": p, "org": "ngo-hijau",
                                              "new_lead": "ngo-hijau"},
               "invalid_field", "new_lead")
    m.rejected("partnership.member_removed", {"partnership": p, "org": "gov-y",
                                              "new_lead": "ngo-hijau"},
               "invalid_field", "new_lead")
    m.ok("partnership.member_removed", {"partnership": p, "org": "ngo-hijau",
                                        "new_lead": "gov-y"})
    got = m.get(p)
    m.t.check(got["lead"] == "gov-y" and [x["org"] for x in got["members"]] == ["gov-y"]
              and got["members"][0]["lead"] is True, "gov-y leads alone: %r" % got["members"])
    listed = m.c.query("partnership.list", {"org": "ngo-hijau"})["result"]["partnerships"]
    m.t.check(p not in [x["partnership"] for x in listed], "member index follows removal")


def test_closed(m):
    """A concluded partnership takes nothing new, but records what happened."""
    p = "p-closed"
    m.build(p, "concluded")
    refused = [
        ("goal.set", {"goal": "g-2", "title": "t", "target": 1}),
        ("milestone.added", {"milestone": "m-2", "title": "t", "due": days(3)}),
        ("contribution.recorded", {"org": "ngo-hijau", "kind": "funds", "amount": 1,
                                   "unit": "USD", "status": "committed"}),
        ("agreement.drafted", {"version": 2, "effective": days(0),
                               "terms": [{"org": "fdn-air", "role": "r"}]}),
        ("agreement.signed", {"version": 1, "org": "fdn-air", "signatory": "x"}),
        ("partnership.member_added", {"org": "biz-x", "role": "r"}),
        ("partnership.member_removed", {"org": "ngo-hijau"}),
        ("evaluation.scheduled", {"every": "1y", "next": days(20)}),
    ]
    for type_, data in refused:
        m.rejected(type_, dict(data, partnership=p), "conflict", "partnership", "concluded")
    accepted = [
        ("evaluation.recorded", {"scores": SCORES, "decision": "conclude",
                                 "findings": "final review"}),
        ("contact.logged", {"org": "ngo-hijau", "channel": "call"}),
        ("reach.recorded", {"people": 7}),
    ]
    for type_, data in accepted:
        m.ok(type_, dict(data, partnership=p), "%s on a concluded partnership" % type_)


def test_every_event_and_get(m):
    """Each event type once, and partnership.get shows exactly what they built."""
    p = "p-all"
    m.ok("partnership.proposed", {"partnership": p, "name": "Everything", "type": "strategic",
                                  "lead": "ngo-hijau", "purpose": "all of it",
                                  "starts": days(-30), "ends": days(300), "stale_days": 20,
                                  "milestone_lead_days": 7})
    m.ok("partnership.member_added", {"partnership": p, "org": "ngo-laut", "role": "peer",
                                      "responsibilities": ["coast"], "expectations": ["data"]})
    m.ok("partnership.member_added", {"partnership": p, "org": "res-z", "role": "advisor"})
    m.ok("partnership.member_removed", {"partnership": p, "org": "res-z", "reason": "busy"})
    m.ok("partnership.status_changed", {"partnership": p, "status": "negotiating"})
    terms = [{"org": "ngo-hijau", "role": "lead", "responsibilities": ["coordinate"],
              "commitments": ["2 staff"]}, {"org": "ngo-laut", "role": "peer"}]
    m.ok("agreement.drafted", {"partnership": p, "version": 1, "document": "https://x.org/mou",
                               "effective": days(-20), "expires": days(20), "notice_days": 30,
                               "terms": terms})
    m.ok("agreement.signed", {"partnership": p, "version": 1, "org": "ngo-laut",
                              "signatory": "Ibu Sari", "signed_on": days(-19)})
    m.ok("agreement.signed", {"partnership": p, "version": 1, "org": "ngo-hijau",
                              "signatory": "Pak Budi", "signed_on": days(-18)})
    m.ok("partnership.status_changed", {"partnership": p, "status": "active", "reason": "go"})
    m.ok("goal.set", {"partnership": p, "goal": "g-a", "title": "Reach 1000", "metric": "people",
                      "target": 1000, "unit": "people", "due": days(200)})
    m.ok("goal.set", {"partnership": p, "goal": "g-b", "title": "Zero", "target": 0})
    m.ok("goal.progress", {"partnership": p, "goal": "g-a", "value": 250.5, "on": days(-1),
                           "note": "q1"})
    m.ok("milestone.added", {"partnership": p, "milestone": "m-a", "title": "Late one",
                             "due": days(-5), "owner": "ngo-laut", "goal": "g-a"})
    m.ok("milestone.added", {"partnership": p, "milestone": "m-b", "title": "Done early",
                             "due": days(10)})
    m.ok("milestone.added", {"partnership": p, "milestone": "m-c", "title": "Moved",
                             "due": days(5)})
    m.ok("milestone.progress", {"partnership": p, "milestone": "m-a", "percent": 60})
    m.ok("milestone.progress", {"partnership": p, "milestone": "m-a", "percent": 40,
                                "note": "revised"})
    m.ok("milestone.completed", {"partnership": p, "milestone": "m-b", "on": days(-1)})
    m.ok("milestone.rescheduled", {"partnership": p, "milestone": "m-c", "due": days(40),
                                   "reason": "rain"})
    m.ok("evaluation.scheduled", {"partnership": p, "every": "90d", "next": days(-3),
                                  "lead_days": 10})
    m.ok("evaluation.recorded", {"partnership": p, "on": days(-2), "scores": SCORES,
                                 "findings": "ok", "decision": "adjust",
                                 "actions": ["meet monthly"]})
    m.ok("contact.logged", {"partnership": p, "org": "ngo-laut", "on": days(-3),
                            "channel": "meeting", "summary": "plan"})
    m.ok("contact.logged", {"partnership": p, "org": "ngo-laut", "on": days(-40)})
    for status, amount in (("committed", 100), ("delivered", 60), ("committed", 20.5)):
        m.ok("contribution.recorded", {"partnership": p, "org": "ngo-laut", "kind": "funds",
                                       "amount": amount, "unit": "USD", "status": status})
    m.ok("contribution.recorded", {"partnership": p, "org": "ngo-hijau", "kind": "staff_hours",
                                   "amount": 40, "unit": "hours", "status": "committed"})
    m.ok("contribution.recorded", {"partnership": p, "org": "ngo-hijau", "kind": "staff_hours",
                                   "amount": 40, "unit": "hours", "status": "delivered"})
    m.ok("reach.recorded", {"partnership": p, "people": 120, "channel": "workshop"})
    m.ok("reach.recorded", {"partnership": p, "people": 30, "on": days(-1)})

    got = m.get(p)
    t = m.t
    head = {k: got.get(k) for k in ("partnership", "name", "type", "status", "lead", "purpose",
                                    "starts", "ends", "status_reason", "stale_days",
                                    "milestone_lead_days")}
    t.check(head == {"partnership": p, "name": "Everything", "type": "strategic",
                     "status": "active", "lead": "ngo-hijau", "purpose": "all of it",
                     "starts": days(-30), "ends": days(300), "status_reason": "go",
                     "stale_days": 20, "milestone_lead_days": 7}, "head: %r" % head)
    keys = list(got.keys())
    t.check(keys == ["partnership", "name", "type", "status", "lead", "purpose", "starts",
                     "ends", "status_reason", "status_since", "proposed_at", "stale_days",
                     "milestone_lead_days", "members", "agreement", "goals", "milestones",
                     "evaluation", "contributions", "reach", "health"], "key order: %r" % keys)
    members = [{k: v for k, v in x.items() if k != "joined_at"} for x in got["members"]]
    t.check(members == [
        {"org": "ngo-hijau", "name": "Yayasan Hijau", "kind": "ngo", "role": "lead",
         "responsibilities": [], "expectations": [], "lead": True, "last_contact": None,
         "contacts": 0},
        {"org": "ngo-laut", "name": "Laut Lestari", "kind": "ngo", "role": "peer",
         "responsibilities": ["coast"], "expectations": ["data"], "lead": False,
         "last_contact": days(-3), "contacts": 2}], "members: %r" % members)
    agreement = dict(got["agreement"])
    drafted_at = agreement.pop("drafted_at")
    signatures = agreement.pop("signatures")
    t.check(drafted_at.endswith("Z") and len(drafted_at) == 24, "drafted_at %r" % drafted_at)
    t.check(agreement == {"version": 1, "document": "https://x.org/mou", "effective": days(-20),
                          "expires": days(20), "notice_days": 30, "terms": terms,
                          "in_force": True, "unsigned": []}, "agreement: %r" % agreement)
    t.check([(s["org"], s["signatory"], s["signed_on"]) for s in signatures]
            == [("ngo-laut", "Ibu Sari", days(-19)), ("ngo-hijau", "Pak Budi", days(-18))],
            "signatures: %r" % signatures)
    t.check(got["goals"] == [
        {"goal": "g-a", "title": "Reach 1000", "metric": "people", "target": 1000,
         "unit": "people", "due": days(200), "value": 250.5, "progress": 25,
         "measured_on": days(-1), "achieved": False, "note": "q1"},
        {"goal": "g-b", "title": "Zero", "target": 0, "value": 0, "progress": 100,
         "achieved": False}], "goals: %r" % got["goals"])
    t.check(got["milestones"] == [
        {"milestone": "m-a", "title": "Late one", "due": days(-5), "owner": "ngo-laut",
         "goal": "g-a", "percent": 40, "assessed_on": days(0), "original_due": days(-5),
         "reschedules": 0, "note": "revised", "completed": False, "overdue": True},
        {"milestone": "m-b", "title": "Done early", "due": days(10), "percent": 100,
         "assessed_on": days(-1), "completed_on": days(-1), "original_due": days(10),
         "reschedules": 0, "completed": True, "overdue": False},
        {"milestone": "m-c", "title": "Moved", "due": days(40), "percent": 0,
         "original_due": days(5), "reschedules": 1, "reason": "rain", "completed": False,
         "overdue": False}], "milestones: %r" % got["milestones"])
    evaluation = got["evaluation"]
    last = dict(evaluation["last"] or {})
    last.pop("recorded_at", None)
    t.check(evaluation["schedule"] == {"every": "90d", "next": days(88), "lead_days": 10,
                                       "overdue": False} and evaluation["count"] == 1
            and last == {"on": days(-2), "scores": SCORES, "findings": "ok",
                         "decision": "adjust", "actions": ["meet monthly"]},
            "evaluation: %r" % evaluation)
    t.check(got["contributions"] == [
        {"org": "ngo-hijau", "kind": "staff_hours", "unit": "hours", "committed": 40,
         "delivered": 40},
        {"org": "ngo-laut", "kind": "funds", "unit": "USD", "committed": 120.5,
         "delivered": 60}], "contributions: %r" % got["contributions"])
    t.check(got["reach"] == {"total": 150, "records": 2}, "reach: %r" % got["reach"])

    # Health: m-a overdue, m-b early -> 1 of 2; evaluation next in 88 days; agreement expires
    # in 20 days, within its 30-day notice -> 50; ngo-hijau never contacted but joined today
    # -> recent; contributions (1 + 60/120.5) / 2 -> 75
    health = got["health"]
    scores = {c["component"]: (c["score"], c["weight"]) for c in health["components"]}
    t.check([c["component"] for c in health["components"]]
            == ["milestones", "evaluation", "agreement", "communication", "contributions"],
            "component order: %r" % health)
    t.check(scores == {"milestones": (50, 25), "evaluation": (100, 20), "agreement": (50, 25),
                       "communication": (100, 15), "contributions": (75, 15)},
            "health components: %r" % scores)
    t.check(health["score"] == 71 and health["as_of"] == days(0)
            and all(c["explanation"] for c in health["components"]), "health: %r" % health)
    t.check(m.c.query("health", {"partnership": p})["result"]
            == {"partnerships": [health], "next": None},
            "health query agrees with partnership.get")
    summary = [x for x in m.c.query("partnership.list")["result"]["partnerships"]
               if x["partnership"] == p]
    t.check(len(summary) == 1 and summary[0]["health_score"] == health["score"],
            "partnership.list's health_score is the health score: %r" % summary)

    # The audit trail: every accepted event of p-all, in order, and nothing else
    trail = m.c.query("events", {"partnership": p, "limit": 1000})["result"]
    types = [e["type"] for e in trail["events"]]
    t.check(trail["next"] is None and len(types) == 30 and types[0] == "partnership.proposed"
            and types[-1] == "reach.recorded"
            and all(e["data"]["partnership"] == p and e["sender"] == "local"
                    and e["received_at"].endswith("Z") for e in trail["events"]),
            "events of %s: %r" % (p, types))
    page = m.c.query("events", {"partnership": p, "limit": 2})["result"]
    t.check([e["seq"] for e in page["events"]] == [e["seq"] for e in trail["events"][:2]]
            and page["next"] == trail["events"][1]["seq"] + 1, "events paging: %r" % page)


def test_list_and_match(m):
    listed = m.c.query("partnership.list", {"type": "strategic", "status": "active"})
    names = [x["partnership"] for x in listed["result"]["partnerships"]]
    t = m.t
    t.check(names == ["p-all"], "strategic and active: %r" % names)
    summary = listed["result"]["partnerships"][0]
    t.check(summary["members"] == 2 and summary["agreement_version"] == 1
            and summary["agreement_in_force"] is True and "purpose" in summary,
            "summary: %r" % summary)
    by_org = m.c.query("partnership.list", {"org": "ngo-laut", "type": "strategic"})
    t.check([x["partnership"] for x in by_org["result"]["partnerships"]] == ["p-all", "p-dup"],
            "ngo-laut's strategic partnerships: %r" % by_org)

    r = m.c.query("match", {"org": "ngo-hijau"})["result"]
    got = [(c["org"], c["score"], c["suggested_type"]) for c in r["candidates"]]
    t.check(got == [("fdn-air", 65, "funding"), ("ngo-laut", 55, "strategic"),
                    ("biz-x", 54, "advocacy"), ("other-o", 34, None),
                    ("gov-y", 20, "advocacy"), ("res-z", 20, "advocacy")],
            "match ranking: %r" % got)
    first = r["candidates"][0]
    t.check(first["shared_focus"] == ["water"] and first["shared_values"] == ["transparency"]
            and [(c["component"], c["score"], c["weight"]) for c in first["components"]]
            == [("focus", 50, 50), ("values", 67, 30), ("kind", 100, 20)]
            and "water" in first["explanation"], "match explained: %r" % first)
    t.check(r["candidates"][3]["shared_focus"] == ["water"], "terms fold case and spaces")
    laut = r["candidates"][1]
    t.check("p-dup" in laut["partnerships"] and "p-all" in laut["partnerships"],
            "shared partnerships shown: %r" % laut["partnerships"])
    r = m.c.query("match", {"org": "ngo-hijau", "limit": 2})["result"]["candidates"]
    t.check([c["org"] for c in r] == ["fdn-air", "ngo-laut"], "match limit")
    # Only the best `limit` are kept while scoring: the cut falls in a tie
    # (gov-y and res-z both 20), broken by org id as in the full ranking
    r = m.c.query("match", {"org": "ngo-hijau", "limit": 5})["result"]["candidates"]
    t.check([c["org"] for c in r] == ["fdn-air", "ngo-laut", "biz-x", "other-o", "gov-y"]
            and r[0]["shared_focus"] == ["water"], "match limit at a tie: %r" % r)
    r = m.c.query("match", {"org": "co-lonely"})["result"]["candidates"]
    t.check(r == [], "nobody matches co-lonely: %r" % r)
    # An update moves the org in the indexes
    m.ok("org.updated", {"org": "co-lonely", "focus": ["sanitation"]})
    r = m.c.query("match", {"org": "co-lonely"})["result"]["candidates"]
    t.check([c["org"] for c in r] == ["biz-x", "ngo-hijau"], "after org.updated: %r" % r)


def test_scenario(m, pub_endpoint):
    """Issue 3: a funding partnership between a foundation and two NGOs, from
    proposal to conclusion, watched by a real subscriber."""
    t, c = m.t, m.c
    sub = zmq.Context.instance().socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    for prefix in (b"event.", b"partnership.", b"agreement.", b"milestone.", b"goal.",
                   b"deadline."):
        sub.setsockopt(zmq.SUBSCRIBE, prefix)
    sub.connect(pub_endpoint)
    # Subscribe first, then wait until a probe event's notification arrives
    probe_seq = None
    for attempt in range(50):
        m.ok("org.updated", {"org": "fdn-air", "country": "ID"}, "probe")
        if sub.poll(200):
            while sub.poll(100):
                topic, body = sub.recv_multipart()
                probe_seq = msgpack.unpackb(body, raw=False)["seq"]
            break
    t.check(probe_seq is not None, "the subscriber receives the probe")
    start = c.query("hello")["result"]["last_notification_seq"] + 1

    p = "p-water"
    steps = [
        ("partnership.proposed", {"partnership": p, "name": "Clean water for Flores",
                                  "type": "funding", "lead": "fdn-air", "purpose": "40 wells",
                                  "starts": days(-60), "ends": days(300)}),
        ("partnership.member_added", {"partnership": p, "org": "ngo-hijau",
                                      "role": "implementer", "responsibilities": ["build wells"]}),
        ("partnership.member_added", {"partnership": p, "org": "ngo-laut", "role": "outreach",
                                      "responsibilities": ["train villages"]}),
        ("partnership.status_changed", {"partnership": p, "status": "negotiating"}),
        ("agreement.drafted", {"partnership": p, "version": 1, "effective": days(-30),
                               "expires": days(400), "notice_days": 60, "terms": [
                                   {"org": "fdn-air", "role": "funder",
                                    "commitments": ["50000 USD"]},
                                   {"org": "ngo-hijau", "role": "implementer"},
                                   {"org": "ngo-laut", "role": "outreach"}]}),
        ("agreement.signed", {"partnership": p, "version": 1, "org": "fdn-air",
                              "signatory": "Dr. Air"}),
        ("agreement.signed", {"partnership": p, "version": 1, "org": "ngo-hijau",
                              "signatory": "Pak Budi"}),
        ("agreement.signed", {"partnership": p, "version": 1, "org": "ngo-laut",
                              "signatory": "Ibu Sari"}),
        ("partnership.status_changed", {"partnership": p, "status": "active",
                                        "reason": "signed by all"}),
        ("goal.set", {"partnership": p, "goal": "g-wells", "title": "40 wells", "target": 40,
                      "unit": "wells", "due": days(300)}),
        ("milestone.added", {"partnership": p, "milestone": "m-1", "title": "First 20 wells",
                             "due": days(30), "owner": "ngo-hijau", "goal": "g-wells"}),
        ("milestone.added", {"partnership": p, "milestone": "m-2", "title": "Training done",
                             "due": days(60), "owner": "ngo-laut"}),
        ("milestone.progress", {"partnership": p, "milestone": "m-1", "percent": 50}),
        ("goal.progress", {"partnership": p, "goal": "g-wells", "value": 20}),
        ("milestone.progress", {"partnership": p, "milestone": "m-1", "percent": 100}),
        ("milestone.completed", {"partnership": p, "milestone": "m-2"}),
        ("goal.progress", {"partnership": p, "goal": "g-wells", "value": 40}),
        ("goal.progress", {"partnership": p, "goal": "g-wells", "value": 42}),
        ("evaluation.scheduled", {"partnership": p, "every": "3mo", "next": days(5),
                                  "lead_days": 3}),
        ("evaluation.recorded", {"partnership": p, "scores": SCORES, "decision": "adjust",
                                 "findings": "training lags", "actions": ["more trainers"]}),
        ("contribution.recorded", {"partnership": p, "org": "fdn-air", "kind": "funds",
                                   "amount": 50000, "unit": "USD", "status": "committed"}),
        ("contribution.recorded", {"partnership": p, "org": "fdn-air", "kind": "funds",
                                   "amount": 50000, "unit": "USD", "status": "delivered"}),
        ("contact.logged", {"partnership": p, "org": "ngo-laut", "channel": "call"}),
        ("reach.recorded", {"partnership": p, "people": 2400}),
        ("partnership.status_changed", {"partnership": p, "status": "concluded",
                                        "reason": "all wells built"}),
    ]
    for type_, data in steps:
        m.ok(type_, data)

    caused = {  # index in steps -> the notification it causes after its own
        3: ("partnership.status_changed", {"from": "proposed", "to": "negotiating"}),
        7: ("agreement.in_force", {"version": 1, "effective": days(-30), "expires": days(400),
                                   "signatories": ["fdn-air", "ngo-hijau", "ngo-laut"]}),
        8: ("partnership.status_changed", {"from": "negotiating", "to": "active",
                                           "reason": "signed by all"}),
        14: ("milestone.reached", {"milestone": "m-1", "title": "First 20 wells",
                                   "due": days(30), "owner": "ngo-hijau", "goal": "g-wells",
                                   "completed_on": days(0), "on_time": True}),
        15: ("milestone.reached", {"milestone": "m-2", "title": "Training done",
                                   "due": days(60), "owner": "ngo-laut",
                                   "completed_on": days(0), "on_time": True}),
        16: ("goal.achieved", {"goal": "g-wells", "title": "40 wells", "value": 40,
                               "target": 40, "unit": "wells", "achieved_on": days(0)}),
        # The recorded evaluation moves both pending deadlines of the cycle
        19: [("deadline.rescheduled", None), ("deadline.rescheduled", None)],
        24: ("partnership.status_changed", {"from": "active", "to": "concluded",
                                            "reason": "all wells built"}),
    }
    expected = []
    for index, (type_, data) in enumerate(steps):
        expected.append(("event." + type_ + "/" + p, None))
        for kind, data in (caused[index] if isinstance(caused.get(index), list)
                           else [caused[index]] if index in caused else []):
            expected.append((kind + "/" + p, data))

    received = []
    deadline = time.monotonic() + 10
    while len(received) < len(expected) and time.monotonic() < deadline:
        if sub.poll(200):
            topic, body = sub.recv_multipart()
            n = msgpack.unpackb(body, raw=False)
            if n["seq"] >= start:
                received.append((topic.decode(), n))
    sub.close(0)
    t.check([r[0] for r in received] == [e[0] for e in expected],
            "notifications in order:\n  got      %r\n  expected %r"
            % ([r[0] for r in received], [e[0] for e in expected]))
    for (topic, n), (want_topic, want_data) in zip(received, expected):
        if want_data is not None:
            t.check(n["data"] == want_data and n["partnership"] == p,
                    "%s data: %r" % (topic, n["data"]))
    t.check([n["seq"] for _, n in received] == list(range(start, start + len(received))),
            "the subscriber saw every seq once, in order")
    stored = c.query("notifications", {"since": start, "limit": 1000})["result"]["notifications"]
    t.check(stored == [n for _, n in received], "the log holds what was published")

    got = m.get(p)
    t.check(got["status"] == "concluded" and got["goals"][0]["achieved"] is True
            and [x["completed"] for x in got["milestones"]] == [True, True]
            and got["contributions"] == [{"org": "fdn-air", "kind": "funds", "unit": "USD",
                                          "committed": 50000, "delivered": 50000}]
            and got["evaluation"]["last"]["decision"] == "adjust"
            and got["reach"] == {"total": 2400, "records": 1}
            and got["agreement"]["in_force"] is True, "the final picture: %r" % got)
    m.rejected("goal.set", {"partnership": p, "goal": "g-more", "title": "more", "target": 1},
               "conflict", "partnership", "concluded")


def main():
    t = Checker("test_model")
    daemon = Daemon(sys.argv[1])
    with reporting(t, daemon):
        hello = daemon.start()
        c = Client(daemon.endpoint)
        m = Model(t, c)
        for org, name, kind, focus, values in ORGS:
            data = {"org": org, "name": name, "kind": kind}
            if focus:
                data["focus"] = focus
            if values:
                data["values"] = values
            m.ok("org.registered", data)
        test_validation(m)
        test_not_found(m)
        test_conflicts(m)
        test_transitions(m)
        test_active_guard(m)
        test_lead_removal(m)
        test_closed(m)
        test_every_event_and_get(m)
        test_list_and_match(m)
        test_scenario(m, hello["pub_endpoint"])
        # Everything survives a restart: the state is in the store, not in memory
        before = c.query("partnership.get", {"partnership": "p-water"})["result"]
        t.check(daemon.stop() == 0, "clean stop")
        daemon.start()
        c2 = Client(daemon.endpoint)
        after = c2.query("partnership.get", {"partnership": "p-water"})["result"]
        t.check(after == before, "partnership.get is the same after a restart")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
