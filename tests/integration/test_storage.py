"""Storage faults with clients writing: a full map and a full disk. Each
refuses the batch with `storage_full` (never an ok for what is not on
disk), keeps serving reads, changes nothing, and recovers: the map by
growing up to map_size_max, the disk once space is freed.

usage: test_storage.py MITRAD MITRA MITRA_WATCH
"""
import os
import subprocess
import sys
import tempfile
import time

from mitra_harness import Checker, Client, Daemon


def org(n, prefix):
    return {"org": "%s-%d" % (prefix, n), "name": "n" * 150, "kind": "ngo",
            "mission": "m" * 1500, "focus": ["f%d" % k for k in range(10)]}


def fill_until_refused(c, prefix, most):
    """Send events until one is refused; return (accepted, the refusal)."""
    for n in range(most):
        r = c.event("org.registered", org(n, prefix))
        if not r.get("ok"):
            return n, r
    return most, None


def write_config(workdir, text):
    path = os.path.join(workdir, "mitrad.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def map_full(t, mitrad):
    work = tempfile.mkdtemp(prefix="mitra-map-")
    conf = write_config(work, "mitrad\n    map_size = 1M\n    map_size_max = 4M\n")
    daemon = Daemon(mitrad, workdir=work, extra_args=["-c", conf])
    try:
        daemon.start()
        c = Client(daemon.endpoint)
        accepted, refusal = fill_until_refused(c, "map", 20000)
        t.check(refusal is not None and refusal["error"]["code"] == "storage_full",
                "map full: storage_full after %d events: %r" % (accepted, refusal))
        size = os.path.getsize(os.path.join(daemon.state, "data.mdb"))
        t.check(size > 2 * 1024 * 1024, "the map grew past its first 1 MiB (%d bytes)" % size)
        t.check(refusal and "map_size" in refusal["error"]["message"],
                "the message says what to raise: %r" % refusal)
        hello = c.query("hello")["result"]
        t.check(hello["last_seq"] == accepted, "nothing of the refused batch was written: %r"
                % hello)
        t.check(c.query("org.get", {"org": "map-0"}).get("ok"), "reads still served")
        r = c.event("org.updated", {"org": "map-0", "country": "ID"})
        t.check(r.get("error", {}).get("code") == "storage_full" or r.get("ok"),
                "still answering events: %r" % r)
        t.check(daemon.running(), "still running after storage_full")
        log = daemon.log()
        t.check("store full" in log or "map" in log, "a warning is logged")
        c.close()
        t.check(daemon.stop() == 0, "clean stop")
        verify = subprocess.run([mitrad, "--verify", "--state-dir", daemon.state],
                                capture_output=True, text=True)
        t.check(verify.returncode == 0, "consistent after map full: %s" % verify.stdout)
    finally:
        daemon.cleanup()


def disk_full(t, mitrad):
    if os.geteuid() != 0:
        print("SKIP disk full: needs root to mount a small tmpfs")
        return
    work = tempfile.mkdtemp(prefix="mitra-disk-")
    mount = os.path.join(work, "small")
    os.makedirs(mount)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount]).returncode:
        print("SKIP disk full: cannot mount a tmpfs here")
        return
    daemon = None
    try:
        conf = write_config(work, "mitrad\n    map_size = 64M\n")
        daemon = Daemon(mitrad, workdir=work, extra_args=["-c", conf,
                                                          "--state-dir", os.path.join(mount, "lib")])
        # The harness passes its own --state-dir first; the later one wins
        daemon.state = os.path.join(mount, "lib")
        daemon.start()
        c = Client(daemon.endpoint)
        # Leave the daemon little room: a filler file we can delete later
        filler = os.path.join(mount, "filler")
        with open(filler, "wb") as f:
            try:
                f.write(b"\0" * (3 * 1024 * 1024))
            except OSError:
                pass
        accepted, refusal = fill_until_refused(c, "disk", 20000)
        t.check(refusal is not None and refusal["error"]["code"] == "storage_full",
                "disk full: storage_full after %d events: %r" % (accepted, refusal))
        t.check(refusal and "disk" in refusal["error"]["message"],
                "the message says the disk is full: %r" % refusal)
        t.check(daemon.running(), "still running with the disk full")
        hello = c.query("hello")
        t.check(hello.get("ok") and hello["result"]["last_seq"] == accepted,
                "reads served, nothing of the refused batch written: %r" % hello)
        os.unlink(filler)
        r = c.event("org.registered", org(0, "after"))
        t.check(r.get("ok") and r.get("seq") == accepted + 1,
                "normal service once space is freed: %r" % r)
        c.close()
        t.check(daemon.stop() == 0, "clean stop")
        verify = subprocess.run([mitrad, "--verify", "--state-dir", daemon.state],
                                capture_output=True, text=True)
        t.check(verify.returncode == 0, "no corruption: %s" % verify.stdout)
    finally:
        if daemon:
            if daemon.running():
                daemon.kill9()
        subprocess.run(["umount", mount])
        if daemon:
            daemon.cleanup()


def data_file_rss_kb(pid):
    """Resident KB of the daemon's mapping of data.mdb (/proc/PID/smaps)."""
    total, in_data = 0, False
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5:
                in_data = fields[-1].endswith("/data.mdb")
            elif in_data and fields[0] == "Rss:":
                total += int(fields[1])
    return total


def resident_trim(t, mitrad):
    """Reads map data.mdb's pages into the daemon; past map_resident_max
    they are unmapped again after the batch (the control run, with 0,
    shows that the same reads leave them mapped)."""
    work = tempfile.mkdtemp(prefix="mitra-trim-")
    orgs = 1500
    seen = {}
    for limit in ("0", "1M"):
        conf = write_config(work, "mitrad\n    map_resident_max = %s\n" % limit)
        daemon = Daemon(mitrad, workdir=work, extra_args=["-c", conf])
        try:
            daemon.start()
            c = Client(daemon.endpoint)
            if limit == "0":
                registered = sum(1 for n in range(orgs)
                                 if c.event("org.registered", org(n, "trim")).get("ok"))
                t.check(registered == orgs, "%d of %d orgs registered" % (registered, orgs))
            read = sum(1 for n in range(orgs)
                       if c.query("org.get", {"org": "trim-%d" % n}).get("ok"))
            t.check(read == orgs, "%d of %d orgs read back (map_resident_max = %s)"
                    % (read, orgs, limit))
            #  The trim is asked for after a batch that only read and done on
            #  mitrad's trim thread soon after: with the limit, wait (up to
            #  10 s) for the pages to go; without it, they must stay
            c.query("hello")
            deadline = time.monotonic() + (10 if limit != "0" else 0)
            seen[limit] = data_file_rss_kb(daemon.proc.pid)
            while seen[limit] >= 512 and time.monotonic() < deadline:
                time.sleep(0.05)
                c.query("hello")
                seen[limit] = data_file_rss_kb(daemon.proc.pid)
            t.check(daemon.stop() == 0, "clean stop (map_resident_max = %s)" % limit)
        finally:
            if daemon.running():
                daemon.kill9()
    size = os.path.getsize(os.path.join(work, "lib", "data.mdb")) // 1024
    daemon.cleanup()
    print("data.mdb %d KB; resident after the reads: %d KB with map_resident_max 0, %d KB "
          "with 1M" % (size, seen["0"], seen["1M"]))
    t.check(seen["0"] > 2048, "without a limit the reads leave data.mdb mapped: %d KB resident "
            "(file %d KB)" % (seen["0"], size))
    t.check(seen["1M"] < 512, "with map_resident_max = 1M the pages are unmapped: %d KB resident"
            % seen["1M"])


def main():
    t = Checker("test_storage")
    resident_trim(t, sys.argv[1])
    map_full(t, sys.argv[1])
    disk_full(t, sys.argv[1])
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
