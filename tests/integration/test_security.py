"""Security against the real daemon: TCP endpoints with CURVE and an
allow-list of keys made by `mitra keygen`, roles scoped to organizations,
reload of the allow-list, the start-up refusal without a server key,
insecure_tcp, and the ipc sockets' file permissions.

Every refusal must come with a clear line in the daemon's log and leave the
state exactly as it was (the `hello` last_seq and the records queried are
compared before and after), while legitimate clients keep working.

TCP runs on 127.0.0.1 with ports chosen free at run time.

usage: test_security.py MITRAD MITRA MITRA_WATCH [CASE...]
"""
import os
import pwd
import grp
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import msgpack
import zmq
import zmq.auth

from mitra_harness import Checker, Client, Daemon

CTX = zmq.Context.instance()
REFUSED_WAIT_MS = 1500      # how long a refused client waits for a reply that never comes


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(predicate, timeout=10.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


class Setup:
    """Keys, the allow-list and the configuration of one daemon."""

    def __init__(self, tool, mitrad, mitra, watch):
        self.t = tool
        self.mitrad, self.mitra, self.watch = mitrad, mitra, watch
        self.work = tempfile.mkdtemp(prefix="mitra-sec-")
        os.chmod(self.work, 0o755)
        self.keys = os.path.join(self.work, "keys")
        self.allow = os.path.join(self.work, "allow")
        os.makedirs(self.keys)
        os.makedirs(self.allow)
        self.port, self.pub_port = free_port(), free_port()
        self.tcp = "tcp://127.0.0.1:%d" % self.port

    def keygen(self, name, *args):
        path = os.path.join(self.keys, name)
        r = subprocess.run([self.mitra, "keygen", path] + list(args),
                           capture_output=True, text=True)
        self.t.check(r.returncode == 0, "mitra keygen %s %s: %s" % (name, args, r.stderr))
        return path

    def allow_key(self, name):
        shutil.copy(os.path.join(self.keys, name), self.allow)

    def config(self, **curve):
        keys = {"endpoint": self.tcp, "pub_endpoint": "tcp://0.0.0.0:%d" % self.pub_port,
                "server_cert": os.path.join(self.keys, "server_secret"),
                "allow_dir": self.allow}
        keys.update(curve)
        path = os.path.join(self.work, "mitrad.conf")
        with open(path, "w") as f:
            f.write("curve\n")
            for key, value in keys.items():
                if value is not None:
                    f.write('    %s = "%s"\n' % (key, value))
        return path

    def daemon(self, conf, extra=()):
        workdir = os.path.join(self.work, "d")
        os.makedirs(workdir, exist_ok=True)
        return Daemon(self.mitrad, workdir=workdir, extra_args=["-c", conf] + list(extra))

    def cleanup(self):
        shutil.rmtree(self.work, ignore_errors=True)


class Curve:
    """A DEALER to the TCP endpoint, with CURVE keys from certificate files."""

    def __init__(self, endpoint, key=None, server_key=None, timeout_ms=5000):
        self.sock = CTX.socket(zmq.DEALER)
        self.sock.linger = 0
        if key:
            public, secret = zmq.auth.load_certificate(key)
            self.sock.curve_publickey, self.sock.curve_secretkey = public, secret
            self.sock.curve_serverkey = zmq.auth.load_certificate(server_key)[0]
        self.sock.connect(endpoint)
        self.timeout_ms = timeout_ms
        self.counter = 0

    def request(self, obj, timeout_ms=None):
        self.sock.send(msgpack.packb(obj))
        if not self.sock.poll(timeout_ms or self.timeout_ms):
            return None
        return msgpack.unpackb(self.sock.recv(), raw=False)

    def next_id(self):
        self.counter += 1
        return "sec-%d-%d" % (id(self), self.counter)

    def event(self, type_, data, timeout_ms=None):
        return self.request({"v": 1, "id": self.next_id(), "op": "event", "type": type_,
                             "data": data}, timeout_ms)

    def query(self, q, args=None, timeout_ms=None):
        req = {"v": 1, "id": self.next_id(), "op": "query", "q": q}
        if args is not None:
            req["args"] = args
        return self.request(req, timeout_ms)

    def close(self):
        self.sock.close(0)


def code(reply):
    return ((reply or {}).get("error") or {}).get("code")


def snapshot(client):
    """What a refusal must not change: last seq, notifications, the records."""
    hello = client.query("hello")["result"]
    orgs = client.query("org.list")["result"]
    partnerships = client.query("partnership.list")["result"]
    return (hello["last_seq"], hello["last_notification_seq"], orgs, partnerships)


def log_has(daemon, text, timeout=5.0):
    if wait_for(lambda: text in daemon.log(), timeout):
        return True
    # Say what the log did have, so a failure can be diagnosed from CI output
    tail = [line for line in daemon.log().splitlines() if "refused" in line or "TCP" in line]
    sys.stderr.write("log has no %r; its last TCP lines:\n  %s\n"
                     % (text, "\n  ".join(tail[-8:]) or "(none)"))
    return False


def zmtp_greeting(mechanism):
    """A whole ZMTP 3.0 greeting as a client sends it (as-server 0)."""
    return (b"\xff" + bytes(8) + b"\x7f" + b"\x03\x00" + mechanism.ljust(20, b"\x00")
            + b"\x00" + bytes(31))


def zmtp_exchange(endpoint, data, hang_up=False):
    """Send data to a TCP endpoint in one write; then read until the daemon
    closes, or with hang_up close as soon as it has answered."""
    host, port = endpoint[len("tcp://"):].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)
        try:
            while sock.recv(256) and not hang_up:
                pass
        except (ConnectionResetError, socket.timeout):
            pass


def org(org_id, kind="ngo"):
    return {"org": org_id, "name": "Org " + org_id, "kind": kind}


# --- cases

def case_curve(t, s):
    """CURVE endpoint: who gets in, what each role may do, reload."""
    server = s.keygen("server")
    admin = s.keygen("admin", "--role", "admin")
    writer = s.keygen("hijau", "--role", "writer", "--org", "ngo-hijau")
    reader = s.keygen("reader", "--role", "reader")
    leaver = s.keygen("leaver", "--role", "writer", "--org", "ngo-hijau")
    stranger = s.keygen("stranger", "--role", "admin")
    other_server = s.keygen("other-server")
    for name in ("admin", "hijau", "reader", "leaver"):
        s.allow_key(name)
    t.check(oct(os.stat(admin + "_secret").st_mode & 0o777) == "0o600",
            "keygen's secret file is 0600")
    with open(writer) as f:
        cert = f.read()
    t.check('role = "writer"' in cert and 'org = "ngo-hijau"' in cert and "secret" not in cert,
            "the public certificate holds role and org and no secret: %s" % cert)
    r = subprocess.run([s.mitra, "keygen", admin], capture_output=True, text=True)
    t.check(r.returncode == 2 and "already exists" in r.stderr, "keygen never overwrites: %r" % r)
    r = subprocess.run([s.mitra, "keygen", os.path.join(s.keys, "w2"), "--role", "writer"],
                       capture_output=True, text=True)
    t.check(r.returncode == 2 and "--org" in r.stderr, "a writer key needs --org: %r" % r)

    daemon = s.daemon(s.config())
    try:
        daemon.start()
        t.check(log_has(daemon, "network clients (CURVE, allow-list)"), "TCP logged at start")
        a = Curve(s.tcp, admin + "_secret", server)
        hello = a.query("hello")
        t.check(hello and hello["ok"], "an admin key gets in: %r" % hello)
        # A TCP client is told the TCP notification endpoint
        t.check(hello and hello["result"]["pub_endpoint"] == "tcp://0.0.0.0:%d" % s.pub_port,
                "hello names the TCP pub endpoint: %r" % hello)
        for o in (org("ngo-hijau"), org("fdn-air", "foundation"), org("biz-x", "business")):
            t.check((a.event("org.registered", o) or {}).get("ok"), "admin registers %s" % o)
        r = a.event("partnership.proposed", {"partnership": "p-air", "name": "Air",
                                             "type": "funding", "lead": "fdn-air"})
        t.check(r and r["ok"], "admin proposes p-air: %r" % r)
        r = a.event("partnership.member_added", {"partnership": "p-air", "org": "ngo-hijau",
                                                 "role": "partner"})
        t.check(r and r["ok"], "admin adds ngo-hijau to p-air: %r" % r)
        r = a.event("partnership.proposed", {"partnership": "p-biz", "name": "Biz",
                                             "type": "advocacy", "lead": "biz-x"})
        t.check(r and r["ok"], "admin proposes p-biz without ngo-hijau: %r" % r)

        # The event log records the sender
        log = a.query("log", {"since": 1})["result"]
        entries = log.get("events") or log.get("entries") or []
        admin_key = zmq.auth.load_certificate(admin)[0].decode()
        t.check(any(e.get("sender") == "curve:" + admin_key for e in entries),
                "the event log records curve:<admin key> as sender: %r" % entries[:1])

        # Subscribers over TCP: mitra-watch with keys, through the wildcard
        # pub endpoint that hello names
        watcher = subprocess.Popen(
            [s.watch, "-e", s.tcp, "--key", reader + "_secret", "--server-key", server,
             "--json", "--count", "1", "event.goal.set"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        before = snapshot(a)

        # 1. No CURVE on the CURVE endpoint. Both ends send their mechanism
        # in the greeting and whichever reads the other's first hangs up, so
        # the daemon sees such a client either as a mismatch or as a hang-up;
        # raw greetings make each side of that race happen for certain.
        zmtp_exchange(s.tcp, zmtp_greeting(b"NULL"))
        t.check(log_has(daemon, "does not speak CURVE"),
                "a greeting without CURVE is logged as such")
        zmtp_exchange(s.tcp, zmtp_greeting(b"NULL")[:11], hang_up=True)
        t.check(log_has(daemon, "hung up during the handshake"),
                "a client hanging up in the greeting is logged")
        plain = Curve(s.tcp)
        t.check(plain.query("hello", timeout_ms=REFUSED_WAIT_MS) is None,
                "a client without CURVE gets no reply")
        plain.close()

        # 2. A wrong server key
        wrong = Curve(s.tcp, admin + "_secret", other_server)
        t.check(wrong.event("org.registered", org("ngo-wrong"), REFUSED_WAIT_MS) is None,
                "a client with the wrong server key gets no reply")
        t.check(log_has(daemon, "wrong server key"), "the wrong server key is logged")
        wrong.close()
        r = subprocess.run([s.mitra, "-e", s.tcp, "--key", admin + "_secret", "--server-key",
                            other_server, "--timeout", "700", "--retries", "0", "hello"],
                           capture_output=True, text=True)
        t.check(r.returncode == 3 and "server key" in r.stderr,
                "mitra with the wrong server key says so: %r" % r.stderr)

        # 3. A key not on the allow-list
        unknown = Curve(s.tcp, stranger + "_secret", server)
        t.check(unknown.event("org.registered", org("ngo-stranger"), REFUSED_WAIT_MS) is None,
                "an unknown key gets no reply")
        t.check(log_has(daemon, "not on the allow-list"), "the unknown key is logged")
        unknown.close()
        r = subprocess.run([s.mitra, "-e", s.tcp, "--key", stranger + "_secret", "--server-key",
                            server, "--timeout", "700", "--retries", "0", "hello"],
                           capture_output=True, text=True)
        t.check(r.returncode == 3 and "allow-list" in r.stderr,
                "mitra with an unknown key says it is not on the allow-list: %r" % r.stderr)

        # 5. A writer outside its organization's scope
        w = Curve(s.tcp, writer + "_secret", server)
        for type_, data, field in [
                ("goal.set", {"partnership": "p-biz", "goal": "g", "title": "t", "target": 1},
                 "partnership"),
                ("partnership.member_added", {"partnership": "p-biz", "org": "ngo-hijau",
                                              "role": "x"}, "partnership"),
                ("org.updated", {"org": "biz-x", "name": "taken"}, "org"),
                ("partnership.proposed", {"partnership": "p-new", "name": "N",
                                          "type": "advocacy", "lead": "biz-x"}, "lead")]:
            r = w.event(type_, data)
            t.check(code(r) == "forbidden" and r["error"]["field"] == field
                    and "writer" in r["error"]["message"],
                    "writer for ngo-hijau: %s out of scope is forbidden: %r" % (type_, r))
        t.check(log_has(daemon, "forbidden: curve:"), "forbidden requests are logged")

        # 6. A reader sending an event
        rd = Curve(s.tcp, reader + "_secret", server)
        r = rd.event("org.updated", {"org": "ngo-hijau", "name": "x"})
        t.check(code(r) == "forbidden" and "reader" in r["error"]["message"],
                "a reader's event is forbidden: %r" % r)
        t.check(rd.query("org.get", {"org": "ngo-hijau"})["ok"], "a reader may query")

        # Hostile bytes: raw garbage at both TCP ports, and malformed frames
        # from an authenticated key; the daemon keeps serving everyone
        for port in (s.port, s.pub_port):
            raw = socket.create_connection(("127.0.0.1", port))
            raw.sendall(b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f" + os.urandom(4096))
            raw.close()
        for frame in (bytes.fromhex("ddff000000"), b"", b"\xc1", bytes.fromhex("81a161" * 9 + "80"),
                      os.urandom(70000)):
            rd.sock.send(frame)
            if rd.sock.poll(5000):
                reply = msgpack.unpackb(rd.sock.recv(), raw=False)
                t.check(code(reply) == "malformed", "hostile frame: malformed: %r" % reply)
            else:
                t.check(len(frame) > 65536, "no reply only for a frame over the ZeroMQ ceiling")
        rd.close()
        rd = Curve(s.tcp, reader + "_secret", server)
        t.check((rd.query("hello") or {}).get("ok"), "the reader still gets in afterwards")
        t.check(snapshot(a) == before, "no refusal changed the state")

        # Legitimate clients keep working: the writer within its scope, the
        # admin through the command line, the subscriber
        r = w.event("goal.set", {"partnership": "p-air", "goal": "g-1", "title": "Wells",
                                 "target": 10})
        t.check(r and r["ok"], "the writer sets a goal of p-air, of which it is a member: %r" % r)
        r = w.event("org.updated", {"org": "ngo-hijau", "country": "ID"})
        t.check(r and r["ok"], "the writer updates its own org: %r" % r)
        r = subprocess.run([s.mitra, "-e", s.tcp, "--key", admin + "_secret", "--server-key",
                            server, "send", "org.registered", "org=ngo-cli", "name=CLI",
                            "kind=ngo"], capture_output=True, text=True)
        t.check(r.returncode == 0 and "accepted" in r.stdout, "mitra over CURVE: %r" % (r,))
        try:
            out, err = watcher.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            watcher.kill()
            out, err = watcher.communicate()
        t.check(watcher.returncode == 0 and "goal.set" in out,
                "mitra-watch over CURVE got the goal: %r %r" % (out, err))

        # A client configuration file instead of options
        conf = os.path.join(s.work, "client.conf")
        with open(conf, "w") as f:
            f.write("client\n    endpoint = %s\n    key = keys/reader_secret\n"
                    "    server_key = keys/server\n" % s.tcp)
        env = dict(os.environ, MITRA_CLIENT_CONF=conf)
        env.pop("MITRA_ENDPOINT", None)
        env.pop("MITRA_RUNTIME_DIR", None)
        r = subprocess.run([s.mitra, "--json", "hello"], capture_output=True, text=True, env=env)
        t.check(r.returncode == 0 and '"protocol":1' in r.stdout,
                "mitra with client.conf (relative key paths): %r" % (r,))
        r = subprocess.run([s.mitra, "-e", s.tcp, "hello"], capture_output=True, text=True,
                           env=dict(env, MITRA_CLIENT_CONF=os.path.join(s.work, "none")))
        t.check(r.returncode == 2, "a missing MITRA_CLIENT_CONF is an error: %r" % (r,))
        r = subprocess.run([s.mitra, "-e", s.tcp, "hello"], capture_output=True, text=True,
                           env={"PATH": os.environ.get("PATH", ""), "HOME": s.work})
        t.check(r.returncode == 2 and "--key" in r.stderr,
                "tcp:// without keys says what is missing: %r" % (r,))

        # 4. A key removed, then SIGHUP: refused on its open connection and
        # on new ones; its subscription is cut
        leaving = Curve(s.tcp, leaver + "_secret", server)
        t.check((leaving.query("hello") or {}).get("ok"), "the leaving key works before")
        subs = {}
        for name, key in (("leaver", leaver), ("reader", reader)):
            sub = CTX.socket(zmq.SUB)
            sub.linger = 0
            public, secret = zmq.auth.load_certificate(key + "_secret")
            sub.curve_publickey, sub.curve_secretkey = public, secret
            sub.curve_serverkey = zmq.auth.load_certificate(server)[0]
            sub.setsockopt(zmq.SUBSCRIBE, b"heartbeat")
            sub.connect("tcp://127.0.0.1:%d" % s.pub_port)
            subs[name] = sub
        t.check(all(sub.poll(5000) for sub in subs.values()),
                "both subscribers get heartbeats before the reload")
        before = snapshot(a)
        os.remove(os.path.join(s.allow, "leaver"))
        daemon.proc.send_signal(signal.SIGHUP)
        t.check(log_has(daemon, "1 removed or reduced"), "the reload says a key was removed")
        r = leaving.event("org.updated", {"org": "ngo-hijau", "name": "after removal"})
        t.check(code(r) == "forbidden" and "allow-list" in r["error"]["message"],
                "the removed key's open connection is refused: %r" % r)
        r = leaving.query("hello")
        t.check(code(r) == "forbidden", "...queries too: %r" % r)
        fresh = Curve(s.tcp, leaver + "_secret", server)
        t.check(fresh.query("hello", timeout_ms=REFUSED_WAIT_MS) is None,
                "the removed key cannot open a new connection")
        fresh.close()
        t.check(snapshot(a) == before, "the removed key changed nothing")
        for sub in subs.values():
            while sub.poll(0):
                sub.recv_multipart()
        time.sleep(0.5)
        for sub in subs.values():
            while sub.poll(0):
                sub.recv_multipart()
        t.check(subs["reader"].poll(8000), "a kept subscriber reconnects and hears heartbeats")
        t.check(not subs["leaver"].poll(3000), "the removed key's subscription is cut")
        for sub in subs.values():
            sub.close(0)
        t.check((w.query("hello") or {}).get("ok"), "the other keys still work after reload")
        leaving.close()

        # A second daemon on the same state directory (test_cli covers the
        # command line; here with CURVE configured)
        second = subprocess.run([s.mitrad, "-c", s.config(), "--state-dir", daemon.state,
                                 "--runtime-dir", os.path.join(s.work, "run2")],
                                capture_output=True, text=True, timeout=20)
        t.check(second.returncode != 0 and "in use" in second.stderr,
                "a second daemon on the same state is refused: %r" % second.stderr)
        t.check(snapshot(a) == before, "...and changed nothing")
        for c in (a, w, rd):
            c.close()
    finally:
        code_ = daemon.stop()
        t.check(code_ == 0, "clean stop (exit %r)" % code_)


def case_start_refused(t, s):
    """7. A TCP endpoint without a server key: the daemon does not start."""
    s.keygen("server")
    conf = s.config(server_cert=None, allow_dir=None)
    r = subprocess.run([s.mitrad, "-c", conf, "--state-dir", os.path.join(s.work, "lib"),
                        "--runtime-dir", os.path.join(s.work, "run")],
                       capture_output=True, text=True, timeout=20)
    t.check(r.returncode == 1, "start refused with exit 1 (got %d)" % r.returncode)
    t.check("server_cert" in r.stderr and "insecure_tcp" in r.stderr,
            "the refusal names server_cert and the way out: %r" % r.stderr)
    t.check(not os.path.exists(os.path.join(s.work, "lib")), "nothing was created")
    r = subprocess.run([s.mitrad, "-n", "-c", conf], capture_output=True, text=True)
    t.check(r.returncode == 1, "mitrad -n refuses it too")
    # A server certificate readable by others is refused
    server_secret = os.path.join(s.keys, "server_secret")
    os.chmod(server_secret, 0o644)
    r = subprocess.run([s.mitrad, "-c", s.config(), "--state-dir", os.path.join(s.work, "lib"),
                        "--runtime-dir", os.path.join(s.work, "run")],
                       capture_output=True, text=True, timeout=20)
    t.check(r.returncode != 0 and "chmod" in r.stderr,
            "a world-readable server key is refused: %r" % r.stderr)
    os.chmod(server_secret, 0o600)
    # A public certificate where the secret one belongs
    r = subprocess.run([s.mitrad, "-c", s.config(server_cert=os.path.join(s.keys, "server")),
                        "--state-dir", os.path.join(s.work, "lib2"),
                        "--runtime-dir", os.path.join(s.work, "run2")],
                       capture_output=True, text=True, timeout=20)
    t.check(r.returncode != 0 and "not a secret certificate" in r.stderr,
            "a public certificate as server_cert is refused: %r" % r.stderr)
    # A bad role in the allow-list
    with open(os.path.join(s.allow, "bad"), "w") as f:
        f.write('metadata\n    role = "root"\ncurve\n    public-key = "%s"\n'
                % zmq.curve_keypair()[0].decode())
    r = subprocess.run([s.mitrad, "-c", s.config(), "--state-dir", os.path.join(s.work, "lib3"),
                        "--runtime-dir", os.path.join(s.work, "run3")],
                       capture_output=True, text=True, timeout=20)
    t.check(r.returncode != 0 and "role" in r.stderr and "bad" in r.stderr,
            "a certificate with an unknown role is refused, naming the file: %r" % r.stderr)


def case_insecure(t, s):
    """insecure_tcp = 1: logged loudly, and TCP peers may only read."""
    daemon = s.daemon(s.config(server_cert=None, allow_dir=None, insecure_tcp=1))
    try:
        daemon.start()
        t.check(log_has(daemon, "INSECURE"), "insecure_tcp is logged loudly at start")
        c = Curve(s.tcp)
        r = c.query("hello")
        t.check(r and r["ok"], "a plain TCP client may query: %r" % r)
        r = c.event("org.registered", org("ngo-x"))
        t.check(code(r) == "forbidden" and "reader" in r["error"]["message"],
                "...but not send events: %r" % r)
        t.check(log_has(daemon, "forbidden: insecure:127.0.0.1"), "logged with its address")
        c.close()
    finally:
        daemon.stop()


def case_permissions(t, s):
    """8. A local user without the socket group is refused by the file system."""
    if os.geteuid() != 0:
        print("SKIP: permissions: needs root to run a client as another user", file=sys.stderr)
        return
    setpriv = shutil.which("setpriv")
    if not setpriv:
        print("SKIP: permissions: no setpriv (util-linux)", file=sys.stderr)
        return
    try:
        nobody = pwd.getpwnam("nobody")
        group = grp.getgrnam("users")
        nogroup = grp.getgrnam("nogroup").gr_gid
    except KeyError as e:
        print("SKIP: permissions: %s" % e, file=sys.stderr)
        return
    conf = os.path.join(s.work, "local.conf")
    with open(conf, "w") as f:
        f.write("mitrad\n    socket_group = users\n")
    daemon = Daemon(s.mitrad, workdir=os.path.join(s.work, "d"), extra_args=["-c", conf])
    os.makedirs(daemon.workdir)
    os.chmod(daemon.workdir, 0o755)
    try:
        hello = daemon.start()
        st = os.stat(daemon.runtime)
        t.check(st.st_mode & 0o777 == 0o750 and st.st_gid == group.gr_gid,
                "runtime dir 0750, group users: %o %d" % (st.st_mode & 0o777, st.st_gid))
        sock = os.stat(os.path.join(daemon.runtime, "mitrad.sock"))
        t.check(sock.st_mode & 0o777 == 0o660 and sock.st_gid == group.gr_gid,
                "socket 0660, group users: %o" % (sock.st_mode & 0o777))

        def as_nobody(*groups):
            cmd = [setpriv, "--reuid=%d" % nobody.pw_uid, "--regid=%d" % nogroup]
            cmd += ["--groups=" + ",".join(str(g) for g in groups)] if groups else ["--clear-groups"]
            return subprocess.run(cmd + [s.mitra, "--runtime-dir", daemon.runtime,
                                         "--timeout", "1000", "--retries", "0", "send",
                                         "org.registered", "org=ngo-nobody", "name=N", "kind=ngo"],
                                  capture_output=True, text=True, timeout=30)
        r = as_nobody()
        t.check(r.returncode != 0 and "permission" in r.stderr,
                "nobody without the group is refused by permissions: %r" % (r,))
        local = Client(daemon.endpoint)
        t.check(local.query("hello")["result"]["last_seq"] == hello["last_seq"],
                "the refused user changed nothing")
        r = as_nobody(group.gr_gid)
        t.check(r.returncode == 0 and "accepted" in r.stdout,
                "nobody in group users is let in: %r" % (r,))
        local.close()
    finally:
        daemon.stop()


CASES = {"curve": case_curve, "start_refused": case_start_refused,
         "insecure": case_insecure, "permissions": case_permissions}


def main():
    mitrad, mitra, watch = sys.argv[1:4]
    names = sys.argv[4:] or list(CASES)
    t = Checker("test_security " + " ".join(names))
    for name in names:
        s = Setup(t, mitrad, mitra, watch)
        try:
            CASES[name](t, s)
        finally:
            s.cleanup()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
