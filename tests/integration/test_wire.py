"""The wire protocol against the real daemon, byte by byte: good requests,
retries, and hostile frames -- each hostile one must get its typed error and
leave the daemon serving and the state unchanged.

usage: test_wire.py PATH/TO/mitrad
"""
import sys
import time

import msgpack
import zmq

from mitra_harness import Checker, Client, Daemon

ORG = {"org": "ngo-hijau", "name": "NGO Hijau", "kind": "ngo",
       "focus": ["water", "sanitation"], "country": "ID"}


def error_code(reply):
    return (reply.get("error") or {}).get("code")


def main():
    t = Checker("test_wire")
    daemon = Daemon(sys.argv[1])
    try:
        hello = daemon.start()
        t.check(hello["protocol"] == 1 and hello["last_seq"] == 0, "hello on a fresh store: %r" % hello)
        c = Client(daemon.endpoint)

        # Subscribe before sending so the notification is not missed
        sub = zmq.Context.instance().socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"event.")
        sub.connect(hello["pub_endpoint"])
        time.sleep(0.3)   # a SUB needs its subscription through before publishing starts

        # Accepted events get increasing seqs
        r1 = c.event("org.registered", ORG, request_id="wire-1")
        t.check(r1 == {"id": "wire-1", "ok": True, "seq": 1}, "first event acked with seq 1: %r" % r1)
        r2 = c.event("org.registered", dict(ORG, org="yayasan-air", kind="foundation"))
        t.check(r2.get("ok") and r2.get("seq") == 2, "second event seq 2: %r" % r2)

        # The same request id and bytes: the first reply, byte for byte, no new seq
        req = msgpack.packb({"v": 1, "id": "wire-1", "op": "event", "type": "org.registered",
                             "data": ORG})
        first = c.raw(req)
        again = c.raw(req)
        t.check(first == again and msgpack.unpackb(first[0]) == r1, "retry returns the first reply")
        # The same id for a different request is a conflict
        r = c.event("org.updated", {"org": "ngo-hijau", "name": "x"}, request_id="wire-1")
        t.check(error_code(r) == "conflict" and r["error"]["field"] == "id", "id reuse: %r" % r)

        # Domain errors
        r = c.event("org.registered", ORG)
        t.check(error_code(r) == "conflict", "duplicate org: %r" % r)
        r = c.event("org.updated", {"org": "nobody", "name": "x"})
        t.check(error_code(r) == "not_found" and r["error"]["field"] == "org", "unknown org: %r" % r)

        # The notification for the first event arrived, with seq, topic, at
        if sub.poll(5000):
            topic, body = sub.recv_multipart()
            n = msgpack.unpackb(body, raw=False)
            t.check(topic == b"event.org.registered", "topic frame: %r" % topic)
            t.check(n.get("seq") == 1 and n.get("topic") == "event.org.registered"
                    and n.get("at", "").endswith("Z") and n["data"]["event_seq"] == 1
                    and n["data"]["data"]["org"] == "ngo-hijau", "notification body: %r" % n)
        else:
            t.check(False, "no notification received")

        # Hostile frames: each gets its typed error
        def hostile(frames, code, what, field=None):
            try:
                reply = c.raw(*frames)
            except TimeoutError:
                t.check(False, "%s: no reply" % what)
                return
            t.check(len(reply) == 1, "%s: one reply frame" % what)
            r = msgpack.unpackb(reply[0], raw=False)
            t.check(r.get("ok") is False and error_code(r) == code,
                    "%s: expected %s, got %r" % (what, code, r))
            if field is not None:
                t.check(r["error"].get("field") == field, "%s: field %r in %r" % (what, field, r))
            t.check(isinstance(r["error"].get("message"), str) and r["error"]["message"],
                    "%s: a message" % what)

        hostile([b"\x00\x01garbage\xff"], "malformed", "garbage bytes")
        hostile([b""], "malformed", "empty frame")
        hostile([msgpack.packb({"v": 1, "id": "x", "op": "query", "q": "hello"}) + b"\x00"],
                "malformed", "trailing byte")
        hostile([b"\xdd\xff\x00\x00\x00"], "malformed", "array header declaring 4278190080 items")
        hostile([b"\xdf\xff\xff\xff\xff"], "malformed", "map header declaring 2^32-1 pairs")
        hostile([b"\x91" * 100 + b"\xc0"], "malformed", "nesting 100 deep")
        hostile([b"\xa3\xff\xfe\xfd"], "malformed", "string that is not UTF-8")
        hostile([msgpack.packb([1, 2, 3])], "malformed", "not a map")
        hostile([msgpack.packb({"v": 2, "id": "x", "op": "query", "q": "hello"})],
                "unsupported_version", "unknown v")
        hostile([msgpack.packb({"id": "x", "op": "query", "q": "hello"})], "missing_field",
                "missing v", field="v")
        hostile([msgpack.packb({"v": 1, "id": "x", "op": "event", "type": "org.exploded",
                                "data": {}})], "unknown_type", "unknown event type")
        hostile([msgpack.packb({"v": 1, "id": "x", "op": "query", "q": "nope"})], "unknown_type",
                "unknown query")
        hostile([msgpack.packb({"v": 1, "id": "x", "op": "event", "type": "org.registered",
                                "data": dict(ORG, org="ok-org", kind=7)})],
                "invalid_field", "wrong type", field="kind")
        hostile([msgpack.packb({"v": 1, "id": "x", "op": "event", "type": "org.registered",
                                "data": {"org": "Bad Slug!", "name": "n", "kind": "ngo"}})],
                "invalid_field", "bad slug", field="org")
        hostile([msgpack.packb({"v": 1, "id": "x", "op": "event", "type": "org.registered",
                                "data": {"org": "a-b", "kind": "ngo"}})],
                "missing_field", "missing name", field="name")
        hostile([msgpack.packb({"v": 1, "id": "x" * 65, "op": "query", "q": "hello"})],
                "invalid_field", "request id too long", field="id")
        hostile([b"a", b"b", b"c"], "malformed", "three frames")
        hostile([b"x" * 70000], "malformed", "frame over the size limit")

        # A REQ-style client (empty delimiter) gets the delimiter back
        reply = c.raw(b"", msgpack.packb({"v": 1, "id": "req-1", "op": "query", "q": "hello"}))
        t.check(len(reply) == 2 and reply[0] == b"" and msgpack.unpackb(reply[1])["ok"],
                "REQ envelope: %r" % reply)

        # Still serving, and the hostile frames changed nothing
        hello = c.query("hello")["result"]
        t.check(hello["last_seq"] == 2, "state unchanged by rejections: %r" % hello)
        orgs = c.query("org.list")["result"]["orgs"]
        t.check(sorted(o["org"] for o in orgs) == ["ngo-hijau", "yayasan-air"], "orgs: %r" % orgs)
        log = c.query("log", {"since": 1})["result"]
        t.check([e["seq"] for e in log["events"]] == [1, 2] and log["next"] is None,
                "log: %r" % log)
        t.check(log["events"][0]["request_id"] == "wire-1"
                and log["events"][0]["sender"] == "local", "log records sender and id")

        # kill -9, restart: everything acked is still there, retries still answered
        c.close()
        daemon.kill9()
        hello = daemon.start()
        t.check(hello["last_seq"] == 2, "after kill -9: %r" % hello)
        c = Client(daemon.endpoint)
        t.check(c.raw(req) == first, "retry after restart gets the first reply")
        notes = c.query("notifications", {"since": 1})["result"]["notifications"]
        t.check([n["seq"] for n in notes] == [1, 2], "notification log survives: %r" % notes)
        r = c.event("org.updated", {"org": "ngo-hijau", "country": "MY"})
        t.check(r.get("seq") == 3, "seq continues after restart: %r" % r)
        org = c.query("org.get", {"org": "ngo-hijau"})["result"]
        t.check(org["country"] == "MY" and org["name"] == "NGO Hijau", "update merged: %r" % org)

        # SIGTERM: a clean stop, exit 0
        c.close()
        sub.close(0)
        code = daemon.stop()
        t.check(code == 0, "SIGTERM exit code %r" % code)
    except Exception as e:   # report, then fail
        t.check(False, "exception: %r\n%s" % (e, daemon.log()))
    finally:
        daemon.cleanup()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
