#!/usr/bin/python3
"""Writes the seed corpus of fuzz_engine into tests/fuzz/corpus/ (seed-*
files): one scenario per event type that leads up to a valid event of that
type, the same under each role, and hostile frames (PROTOCOL.md 11.6).
Regression inputs (crash-*) sit beside them and are never rewritten.

The record format is fuzz_engine.c's: selector, 2-byte length, frame.

usage: make_corpus.py [DIR]
"""
import os
import struct
import sys

import msgpack

LOCAL, WRITER, READER, UNKNOWN = 0, 1, 2, 3   # principals of fuzz_engine.c
BATCH_END = 4


def fire(units):
    """Selector bits: after this record, fire deadlines due within `units` x 120 days."""
    return 8 | (units << 4)
WRITER_ORG = "ngo-hijau"
SCORES = {"goals": 4, "trust": 5, "communication": 3, "resources": 4, "reach": 2}

counter = [0]


def frame(op, name, body=None):
    counter[0] += 1
    request = {"v": 1, "id": "seed-%d" % counter[0], "op": op}
    if op == "event":
        request["type"], request["data"] = name, body
    else:
        request["q"] = name
        if body is not None:
            request["args"] = body
    return msgpack.packb(request, use_bin_type=True)


def record(principal, data, selector=0):
    return struct.pack(">BH", principal | selector, len(data)) + data


ORGS = [
    ("org.registered", {"org": "fdn-air", "name": "Yayasan Air", "kind": "foundation",
                        "mission": "water for all", "focus": ["water"], "values": ["care"],
                        "country": "ID"}),
    ("org.registered", {"org": WRITER_ORG, "name": "NGO Hijau", "kind": "ngo",
                        "focus": ["water", "sanitation"]}),
    ("org.registered", {"org": "biz-x", "name": "Biz X", "kind": "business"}),
]
# Every event type, in an order in which each one applies
SCENARIO = [
    ("org.updated", {"org": WRITER_ORG, "mission": "clean rivers"}),
    ("partnership.proposed", {"partnership": "p-air", "name": "Clean water", "type": "funding",
                              "lead": "fdn-air", "purpose": "wells", "starts": "2030-01-01",
                              "ends": "2031-12-31"}),
    ("partnership.member_added", {"partnership": "p-air", "org": WRITER_ORG, "role": "partner",
                                  "responsibilities": ["wells"], "expectations": ["reports"]}),
    ("partnership.member_added", {"partnership": "p-air", "org": "biz-x", "role": "sponsor"}),
    ("partnership.member_removed", {"partnership": "p-air", "org": "biz-x"}),
    ("partnership.status_changed", {"partnership": "p-air", "status": "negotiating",
                                    "reason": "talks"}),
    ("agreement.drafted", {"partnership": "p-air", "version": 1, "effective": "2030-01-01",
                           "expires": "2031-12-31", "notice_days": 30,
                           "terms": [{"org": "fdn-air", "role": "lead"},
                                     {"org": WRITER_ORG, "role": "partner",
                                      "commitments": ["20 wells"]}]}),
    ("agreement.signed", {"partnership": "p-air", "version": 1, "org": "fdn-air",
                          "signatory": "A"}),
    ("agreement.signed", {"partnership": "p-air", "version": 1, "org": WRITER_ORG,
                          "signatory": "B"}),
    ("partnership.status_changed", {"partnership": "p-air", "status": "active"}),
    ("goal.set", {"partnership": "p-air", "goal": "g-wells", "title": "Wells", "metric": "wells",
                  "target": 20, "unit": "wells", "due": "2031-06-30"}),
    ("goal.progress", {"partnership": "p-air", "goal": "g-wells", "value": 5}),
    ("milestone.added", {"partnership": "p-air", "milestone": "m-1", "title": "Survey",
                         "due": "2030-03-01", "owner": WRITER_ORG, "goal": "g-wells"}),
    ("milestone.progress", {"partnership": "p-air", "milestone": "m-1", "percent": 50}),
    ("milestone.rescheduled", {"partnership": "p-air", "milestone": "m-1", "due": "2030-04-01",
                               "reason": "rain"}),
    ("milestone.completed", {"partnership": "p-air", "milestone": "m-1"}),
    ("evaluation.scheduled", {"partnership": "p-air", "every": "3mo", "next": "2030-06-01",
                              "lead_days": 14}),
    ("evaluation.recorded", {"partnership": "p-air", "on": "2030-06-01", "scores": SCORES,
                             "findings": "fine", "decision": "continue",
                             "actions": ["keep going"]}),
    ("contact.logged", {"partnership": "p-air", "org": WRITER_ORG, "on": "2030-02-01",
                        "channel": "call", "summary": "kick-off"}),
    ("contribution.recorded", {"partnership": "p-air", "org": "fdn-air", "kind": "funds",
                               "amount": 1200, "unit": "USD", "status": "committed"}),
    ("reach.recorded", {"partnership": "p-air", "on": "2030-05-01", "people": 300,
                        "channel": "villages"}),
]
QUERIES = [
    ("hello", None), ("log", {"since": 1, "limit": 10}), ("notifications", {"since": 1}),
    ("org.get", {"org": "fdn-air"}), ("org.list", None),
    ("partnership.get", {"partnership": "p-air"}), ("partnership.list", None),
    ("match", {"org": WRITER_ORG}), ("health", None), ("events", {"partnership": "p-air"}),
]

# PROTOCOL.md 11.6: each must get `malformed` and change nothing
HOSTILE = {
    "huge-array-header": bytes.fromhex("ddff000000"),
    "trailing-byte": frame("query", "hello") + b"\xc0",
    "empty": b"",
    "never-used-c1": b"\xc1",
    "bin-value": bytes.fromhex("81a176c40100"),
    "ext-value": bytes.fromhex("81a176d40100"),
    "integer-key": bytes.fromhex("810102"),
    "duplicate-key": bytes.fromhex("82a17601a17602"),
    "bad-utf8": bytes.fromhex("81a176a2c328"),
    "short-string": bytes.fromhex("81a176da000561"),
    "nine-deep": bytes.fromhex("81a161" * 8 + "80"),
    "array-top": bytes.fromhex("93010203"),
    "too-many-items": bytes.fromhex("81a176dd00000401") + b"\x00" * 1025,
    "long-string": bytes.fromhex("81a176da2001") + b"x" * 8193,
    "too-many-objects": bytes.fromhex("81a161dd00000400") + (b"\xdc\x00\x10" + b"\x00" * 16) * 1024,
    "wrong-version": msgpack.packb({"v": 2, "id": "x", "op": "query", "q": "hello"}),
    "float-version": msgpack.packb({"v": 1.0, "id": "x", "op": "query", "q": "hello"}),
    "nil-data": msgpack.packb({"v": 1, "id": "x", "op": "event", "type": "org.registered",
                               "data": None}),
}


def write(directory, name, records):
    with open(os.path.join(directory, "seed-" + name), "wb") as f:
        f.write(b"".join(records))


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(directory, exist_ok=True)
    for old in os.listdir(directory):
        if old.startswith("seed-"):
            os.remove(os.path.join(directory, old))
    setup = [record(LOCAL, frame("event", t, d)) for t, d in ORGS]
    for index, (type_, data) in enumerate(SCENARIO):
        before = [record(LOCAL, frame("event", t, d)) for t, d in SCENARIO[:index]]
        last = record(LOCAL, frame("event", type_, data), BATCH_END)
        write(directory, "%02d-%s" % (index, type_), setup + before + [last])
        # The same event from the writer (in scope: a member of p-air), the
        # reader (forbidden) and an unknown key (forbidden)
        for principal, who in ((WRITER, "writer"), (READER, "reader"), (UNKNOWN, "unknown")):
            last = record(principal, frame("event", type_, data), BATCH_END)
            write(directory, "%02d-%s-%s" % (index, type_, who), setup + before + [last])
    everything = setup + [record(LOCAL, frame("event", t, d)) for t, d in SCENARIO]
    write(directory, "all-events-one-batch", everything)
    write(directory, "all-events-and-queries",
          everything + [record(LOCAL, frame("query", "hello"), BATCH_END)]
          + [record(READER, frame("query", q, a)) for q, a in QUERIES])
    write(directory, "all-events-deadlines",
          everything + [record(LOCAL, frame("query", "hello"), BATCH_END | fire(15)),
                        record(READER, frame("query", "notifications", {"since": 1}))])
    # A writer outside its scope: another org's record, a partnership it does
    # not lead, one it is not a member of
    write(directory, "writer-out-of-scope", setup + [
        record(LOCAL, frame("event", "partnership.proposed",
                            {"partnership": "p-biz", "name": "B", "type": "advocacy",
                             "lead": "biz-x"}), BATCH_END),
        record(WRITER, frame("event", "org.updated", {"org": "biz-x", "name": "mine"})),
        record(WRITER, frame("event", "partnership.proposed",
                             {"partnership": "p-w", "name": "W", "type": "advocacy",
                              "lead": "biz-x"})),
        record(WRITER, frame("event", "goal.set",
                             {"partnership": "p-biz", "goal": "g", "title": "t", "target": 1})),
        record(WRITER, frame("event", "partnership.member_added",
                             {"partnership": "p-biz", "org": WRITER_ORG, "role": "x"})),
    ])
    # A writer within its scope: its own record, a partnership it leads and
    # works in
    write(directory, "writer-in-scope", [
        record(WRITER, frame("event", "org.registered",
                             {"org": WRITER_ORG, "name": "NGO Hijau", "kind": "ngo"})),
        record(LOCAL, frame("event", "org.registered",
                            {"org": "biz-x", "name": "Biz X", "kind": "business"})),
        record(WRITER, frame("event", "org.updated", {"org": WRITER_ORG, "country": "ID"})),
        record(WRITER, frame("event", "partnership.proposed",
                             {"partnership": "p-h", "name": "H", "type": "operational",
                              "lead": WRITER_ORG})),
        record(WRITER, frame("event", "partnership.member_added",
                             {"partnership": "p-h", "org": "biz-x", "role": "partner"})),
        record(WRITER, frame("event", "contact.logged",
                             {"partnership": "p-h", "org": "biz-x", "on": "2030-01-02"}),
               BATCH_END),
        record(READER, frame("query", "partnership.get", {"partnership": "p-h"})),
    ])
    # The same request id twice (a retry) and once with other bytes
    retry = frame("event", "org.registered", {"org": "ngo-r", "name": "R", "kind": "ngo"})
    write(directory, "retry", [record(LOCAL, retry, BATCH_END), record(LOCAL, retry),
                               record(LOCAL, retry[:-1] + b"S")])
    for name, data in HOSTILE.items():
        write(directory, "hostile-" + name, [record(LOCAL, data)])
    print("seed corpus written to %s" % directory)


if __name__ == "__main__":
    main()
