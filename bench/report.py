#!/usr/bin/python3
"""bench/report.py RESULTS_JSONL -- bench/RESULTS.md from the lines bench/run wrote.

Every figure in the report is computed here from results.jsonl (medians with
min-max over the runs, and ratios taken per run before the median), so the
report can be rebuilt from the raw lines without rerunning anything. The
hand-written analysis (what the profile showed, what was changed and why)
lives in bench/PROFILE.md and is included at the end.
"""
import json
import os
import statistics
import sys

if len(sys.argv) != 2:
    sys.exit("usage: report.py RESULTS_JSONL")
LINES = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
HERE = os.path.dirname(os.path.abspath(__file__))


def rows(suite, **match):
    return [r for r in LINES if r.get("suite") == suite
            and all(r.get(k) == v for k, v in match.items())]


def med(values):
    return statistics.median(values) if values else None


def spread(values, fmt):
    """median (min–max) of values, formatted."""
    if not values:
        return "not run"
    if len(values) == 1:
        return fmt(values[0])
    return "%s (%s–%s)" % (fmt(med(values)), fmt(min(values)), fmt(max(values)))


def rate(v):
    return "{:,.0f}".format(v)


def ms(v):
    return "%.2f" % v if v < 10 else "%.1f" % v


def ratio(v):
    return "%.2f" % v


def per_run_ratio(left, right, key="events_per_s"):
    """Ratios left/right paired by run number, for a spread of ratios."""
    by_run = {r["run"]: r[key] for r in right}
    return [r[key] / by_run[r["run"]] for r in left if r["run"] in by_run and by_run[r["run"]]]


machine = (rows("machine") or [{}])[-1]
out = []
w = out.append

w("# Benchmarks\n")
w("Written by `make bench` (bench/run, then bench/report.py from "
  "bench/results.jsonl); rerun it rather than editing this file. Medians with "
  "min–max over the runs; a ratio is taken per run, then its median.\n")
w("## Machine and run\n")
w("| | |\n|---|---|")
for label, key in [("CPU", "cpu"), ("CPUs online", "nproc"), ("Memory", "memory"),
                   ("Kernel", "kernel"), ("Temp dir filesystem", "fs"), ("Date", "date"),
                   ("Load average at the end", "load"), ("Libraries", "libs"),
                   ("Servers compared", "servers"), ("Source", "commit"),
                   ("Build type", "build_type"), ("Runs per figure (BENCH_RUNS)", "runs"),
                   ("Events per ingest run (BENCH_EVENTS)", "events"),
                   ("Window per client (BENCH_WINDOW)", "window"), ("Seed", "seed"),
                   ("Sections run", "only"), ("Whole run, s", "seconds")]:
    if key in machine:
        w("| %s | %s |" % (label, machine[key]))
w("")
w("Reproduce: `make bench` (installs the servers, builds Release in build-release, "
  "runs everything). One section: `BENCH_ONLY=ingest ./bench/run build-release` "
  "(sections: ingest baselines terminal notify deadlines scale).\n")

# ---------------------------------------------------------------- targets
targets = []


def target(name, value_text, goal_text, met):
    targets.append((name, value_text, goal_text, "not measured" if met is None
                    else ("**met**" if met else "**not met**")))


clients_list = sorted({r["clients"] for r in rows("ingest", system="mitrad")})
ingest = {}
for c in clients_list:
    ingest[c] = {s: rows("ingest", system=s, clients=c)
                 for s in ("mitrad", "lmdb_ceiling", "lmdb_ceiling_recorded", "redis", "postgres")}

for c in clients_list:
    m = ingest[c]
    for other, goal, label in (("redis", 1.0, "Redis appendfsync always"),
                               ("postgres", 10.0, "PostgreSQL synchronous commit"),
                               ("lmdb_ceiling", 0.8, "raw LMDB group-commit ceiling")):
        if m[other]:
            # Different systems run in different runs: compare medians
            r = med([x["events_per_s"] for x in m["mitrad"]]) / med([x["events_per_s"] for x in m[other]])
            if other == "lmdb_ceiling":
                rs = per_run_ratio(m["mitrad"], m[other])
                r = med(rs)
            target("ingest, %d client%s: mitrad / %s" % (c, "s" if c > 1 else "", label),
                   ratio(r) + "×", "≥ %.1f×" % goal, r >= goal)
        else:
            target("ingest, %d client%s: mitrad / %s" % (c, "s" if c > 1 else "", label),
                   "—", "≥ %.1f×" % goal, None)

send = rows("terminal", what="send")
if send:
    v = med([r["median_ms"] for r in send])
    target("`mitra send` whole process, median", ms(v) + " ms", "≤ 5 ms", v <= 5)
else:
    target("`mitra send` whole process, median", "—", "≤ 5 ms", None)

notify = [r for r in rows("notify") if r.get("bench") == "notify_latency"]
notify_commit = [r for r in rows("notify") if r.get("bench") == "notify_commit"]
for subs in (1, 10):
    got = [r["commit_p99_us"] for r in notify_commit if r.get("subscribers") == subs]
    label = "commit → subscriber p99, %d subscriber%s" % (subs, "s" if subs > 1 else "")
    if not got:
        # Without commit stamps: the bound from the send, which includes the commit
        got = [r["end_to_end_p99_us"] for r in notify if r.get("subscribers") == subs]
        label += " (bound: send → notification)"
    if got:
        v = med(got) / 1000
        target(label, ms(v) + " ms", "≤ 1 ms", v <= 1)

# Warm starts (page cache holding the store) are the figures; one cold
# start per size is shown beside them
scale_all = [r for r in rows("scale") if r.get("phase", "run") == "run"]
scale = [r for r in scale_all if r.get("cache", "warm") == "warm"]
scale_cold = [r for r in scale_all if r.get("cache") == "cold"]
scale_fill = [r for r in rows("scale") if r.get("phase") == "fill"]
sizes = sorted({r["size"] for r in scale})
if sizes:
    big, small = sizes[-1], sizes[0]
    at_big = [r for r in scale if r["size"] == big]
    at_small = [r for r in scale if r["size"] == small]
    v = med([r["ready_ms"] for r in at_big])
    target("start → READY at %s partnerships" % rate(big), ms(v) + " ms", "≤ 100 ms", v <= 100)
    v = med([r["rss_start_kb"] for r in at_big]) / 1024
    target("RSS after start at %s partnerships" % rate(big), "%.1f MB" % v, "≤ 30 MB", v <= 30)
    v = med([r["rss_after_kb"] for r in at_big]) / 1024
    anon = med([r["rss_anon_after_kb"] for r in at_big if "rss_anon_after_kb" in r] or [0]) / 1024
    target("RSS after the query mix at %s partnerships (of it the daemon's own memory, "
           "RssAnon: %.1f MB; the rest is data-file pages the reads mapped)" % (rate(big), anon),
           "%.0f MB" % v, "≤ 30 MB", v <= 30)
    for key, label in (("next_lookup_ns", "next-deadline lookup"),
                       ("get_p99_us", "`partnership.get` p99, fresh daemon"),
                       ("get_again_p99_us", "`partnership.get` p99, the same gets again")):
        a = med([r[key] for r in at_big if key in r])
        b = med([r[key] for r in at_small if key in r])
        if a is not None and b:
            target("%s, %s / %s partnerships" % (label, rate(big), rate(small)),
                   ratio(a / b) + "×", "≤ 1.5×", a / b <= 1.5)
else:
    target("scale targets (READY, RSS, flat lookups)", "—", "", None)

imp = rows("import")
if imp:
    v = med([r["seconds"] for r in imp])
    target("`mitra import` of %s events" % rate(imp[0]["events"]), "%.1f s" % v, "≤ 30 s", v <= 30)
else:
    target("`mitra import` of 1M events", "—", "≤ 30 s", None)

w("## Targets\n")
w("| target | measured | goal | |\n|---|---:|---:|---|")
for t in targets:
    w("| %s | %s | %s | %s |" % t)
w("")

# ---------------------------------------------------------------- ingest
if clients_list:
    w("## 1. Durable ingest\n")
    w("The bench mix (bench/bench_mix.h: partnerships opened with their orgs, members, a "
      "goal and milestones, then contacts, milestone progress, contributions, reach, org "
      "updates, new milestones, goal progress), drawn from the seed, one disjoint stream "
      "per client. Each client pipelines its share with at most the window unanswered; an "
      "event counts when its ack (after the synced commit) is back. Every system gets the "
      "same events and client count, each run on a fresh server in a fresh directory.\n")
    w("- **mitrad**: `bench_ingest -c C` against a fresh mitrad.")
    w("- **LMDB ceiling**: a mitrad-trace run records every put and delete mitrad made for "
      "this load; `bench_lmdb_ceiling` replays exactly those writes in 1000-event synced "
      "transactions (and, as *at mitrad's commits*, at the commit boundaries mitrad made), "
      "with nothing else.")
    w("- **Redis**: `bench_redis`, per event XADD to a stream and HSET of the partnership's "
      "hash, `appendonly yes`, `appendfsync always`, pipelined.")
    w("- **PostgreSQL**: `bench_pg`, per event one transaction: insert the event row, "
      "upsert the state row, NOTIFY, synchronous commit, pipelined.\n")
    w("| clients | system | events/s | ack p50 ms | ack p99 ms |\n|---:|---|---:|---:|---:|")
    names = {"mitrad": "mitrad", "lmdb_ceiling": "LMDB ceiling (1000/commit)",
             "lmdb_ceiling_recorded": "LMDB ceiling at mitrad's commits",
             "redis": "Redis", "postgres": "PostgreSQL"}
    for c in clients_list:
        for s, label in names.items():
            rs = ingest[c][s]
            if not rs:
                continue
            lat = lambda k: spread([r[k] / 1000 for r in rs], ms) if k in rs[0] else "—"
            w("| %d | %s | %s | %s | %s |" % (c, label, spread([r["events_per_s"] for r in rs], rate),
                                              lat("p50_us"), lat("p99_us")))
    w("")
    w("| clients | mitrad / ceiling | mitrad / Redis | mitrad / PostgreSQL | mitrad CPU µs/event | "
      "mitrad events per commit |\n|---:|---:|---:|---:|---:|---:|")
    for c in clients_list:
        m = ingest[c]
        rs = per_run_ratio(m["mitrad"], m["lmdb_ceiling"])
        def vs(other):
            if not m[other]:
                return "not run"
            return ratio(med([x["events_per_s"] for x in m["mitrad"]]) /
                         med([x["events_per_s"] for x in m[other]]))
        cpu = [r["daemon_cpu_s"] / r["events"] * 1e6 for r in m["mitrad"] if "daemon_cpu_s" in r]
        per = [r["events_per_commit"] for r in m["mitrad"] if "events_per_commit" in r]
        w("| %d | %s | %s | %s | %s | %s |" % (c, spread(rs, ratio), vs("redis"), vs("postgres"),
                                               spread(cpu, lambda v: "%.1f" % v),
                                               spread(per, lambda v: "%.0f" % v)))
    w("")
    bpe = [r["bytes_per_event"] for c in clients_list for r in ingest[c]["lmdb_ceiling"]]
    if bpe:
        w("The replayed writes leave %s bytes of pages per event in the environment.\n"
          % spread(bpe, lambda v: "%.0f" % v))

# ---------------------------------------------------------------- terminal
w("## 2. A person at a terminal\n")
if send or rows("terminal"):
    w("Whole processes (`bench_spawn`: posix_spawn, wait, exit 0 required), against a "
      "running mitrad on its local socket.\n")
    w("| command | median ms | p99 ms |\n|---|---:|---:|")
    for what in sorted({r["what"] for r in rows("terminal")}):
        rs = rows("terminal", what=what)
        w("| `mitra %s` | %s | %s |" % (what, spread([r["median_ms"] for r in rs], ms),
                                       spread([r["p99_ms"] for r in rs], ms)))
    w("")
else:
    w("Not run.\n")

w("## 3. Bulk: `mitra import`\n")
if imp:
    w("| events | seconds | events/s |\n|---:|---:|---:|")
    w("| %s | %s | %s |\n" % (rate(imp[0]["events"]), spread([r["seconds"] for r in imp], lambda v: "%.1f" % v),
                             spread([r["events_per_s"] for r in imp], rate)))
else:
    w("Not run.\n")

# ---------------------------------------------------------------- notify
w("## 4. Notifications\n")
if notify:
    w("`bench_notify -T` against a mitrad-trace: events sent one at a time with 1 and 10 "
      "subscribers. *commit → notification*: the notification's arrival minus the synced "
      "commit of its event, both on CLOCK_MONOTONIC (the daemon's trace stamps each commit; "
      "the stamp precedes the trace's own flush, which is counted against it). *send → "
      "notification* adds the request and the commit; *ack → notification* is the "
      "notification's arrival minus the ack's (negative when the notification wins).\n")
    w("| subscribers | commit → notification p50 µs | p99 µs | send → notification p50 µs "
      "| p99 µs | ack → notification p50 µs | p99 µs |")
    w("|---:|---:|---:|---:|---:|---:|---:|")
    for subs in (1, 10):
        rs = [r for r in notify if r.get("subscribers") == subs]
        cs = [r for r in notify_commit if r.get("subscribers") == subs]
        if rs:
            f = lambda k, xs=rs: spread([r[k] for r in xs], lambda v: "%.0f" % v) if xs else "—"
            w("| %d | %s | %s | %s | %s | %s | %s |" % (
                subs, f("commit_p50_us", cs), f("commit_p99_us", cs), f("end_to_end_p50_us"),
                f("end_to_end_p99_us"), f("after_ack_p50_us"), f("after_ack_p99_us")))
    replay = [r for r in rows("notify") if r.get("bench") == "notify_replay" and not r.get("filtered")]
    if replay:
        w("\nReplay from the notification log: %s notifications/s."
          % spread([r["entries_per_s"] for r in replay], rate))
    w("")
else:
    w("Not run.\n")

# ---------------------------------------------------------------- scale
w("## 5. Scale\n")
if scale:
    w("Stores of N partnerships (two orgs and ten events each: proposed, member added, "
      "milestones, evaluation scheduled, contacts, progress) filled through the daemon's "
      "engine (`bench_scale fill`), then the real mitrad started on each store BENCH_RUNS "
      "times with the page cache warm (sizes taking turns) and once cold (data.mdb evicted). "
      "Each start: READY on a notify socket, RSS, 2000 `partnership.get` on random "
      "partnerships (then the same 2000 again: page cache warm, and their pages still mapped "
      "unless mitrad unmapped them past map_resident_max, 16 MB of data pages by default), "
      "200 each of org.get, "
      "partnership.list of an org, health and due, "
      + ("a page of 100 of the whole partnership.list and of health (from a random "
         "partnership), " if any("list_page_p50_us" in r for r in scale) else "")
      + "10 match%s, SIGTERM, exit 0. Warm starts below.\n"
      % ("" if all(r.get("matches") for r in scale if r["size"] == max(sizes))
         else " (not at the largest size: see below)"))
    w("| partnerships | READY ms | RSS after start MB | RSS after queries MB (RssAnon) | "
      "data file MB | get p50 µs | get p99 µs | get p99, again µs | next deadline ns |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        rs = [r for r in scale if r["size"] == size]
        f = lambda k, d=1.0, fmt=(lambda v: "%.1f" % v): spread([r[k] / d for r in rs if k in r], fmt)
        w("| %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s |" % (
            rate(size), f("ready_ms"), f("rss_start_kb", 1024), f("rss_after_kb", 1024),
            f("rss_anon_after_kb", 1024), f("data_bytes", 1 << 20, lambda v: "%.0f" % v),
            f("get_p50_us"), f("get_p99_us"), f("get_again_p99_us"),
            f("next_lookup_ns", 1.0, lambda v: "%.0f" % v)))
    w("")
    if any("list_page_p50_us" in r for r in scale):
        w("Queries of the mix, p50 µs (a listing page: p50 / p99 µs):\n")
        w("| partnerships | org.get | partnership.list of an org | health of one | due of one | "
          "partnership.list page of 100 | health page of 100 | match (ms) |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size in sizes:
            rs = [r for r in scale if r["size"] == size and "list_page_p50_us" in r]
            m = lambda k: "%.0f" % med([r[k] for r in rs]) if rs else "—"
            matched = [r["match_p50_us"] / 1000 for r in rs if r.get("matches")]
            w("| %s | %s | %s | %s | %s | %s / %s | %s / %s | %s |" % (
                rate(size), m("org_get_p50_us"), m("list_p50_us"), m("health_p50_us"),
                m("due_p50_us"), m("list_page_p50_us"), m("list_page_p99_us"),
                m("health_page_p50_us"), m("health_page_p99_us"),
                "%.0f" % med(matched) if matched else "—"))
        w("")
    if scale_cold or scale_fill:
        w("| partnerships | fill s (events/s) | READY cold ms | get p50 / p99 cold µs |")
        w("|---:|---:|---:|---:|")
        for size in sizes:
            fill = [r for r in scale_fill if r["size"] == size]
            cold = [r for r in scale_cold if r["size"] == size]
            w("| %s | %s | %s | %s |" % (
                rate(size),
                "%.0f (%s)" % (fill[-1]["fill_s"], rate(fill[-1]["events_per_s"])) if fill else "—",
                ms(cold[-1]["ready_ms"]) if cold else "—",
                "%.0f / %.0f" % (cold[-1]["get_p50_us"], cold[-1]["get_p99_us"]) if cold else "—"))
        w("")
    w("Ratios to %s partnerships (medians):\n" % rate(sizes[0]))
    w("| partnerships | READY | RSS after queries | get p99 | get p99, again | next deadline |")
    w("|---:|---:|---:|---:|---:|---:|")
    base = {k: med([r[k] for r in scale if r["size"] == sizes[0] and k in r])
            for k in ("ready_ms", "rss_after_kb", "get_p99_us", "get_again_p99_us", "next_lookup_ns")}
    for size in sizes[1:]:
        cells = []
        for k in ("ready_ms", "rss_after_kb", "get_p99_us", "get_again_p99_us", "next_lookup_ns"):
            v = med([r[k] for r in scale if r["size"] == size and k in r])
            cells.append(ratio(v / base[k]) if v is not None and base[k] else "—")
        w("| %s | %s |" % (rate(size), " | ".join(cells)))
    w("")
else:
    w("Not run.\n")

# ---------------------------------------------------------------- deadlines
dl = rows("deadlines")
w("## Deadlines\n")
if dl:
    w("`bench_deadlines` (one run): the cost of firing deadlines in chunks and the lag "
      "from a deadline's instant to its publication by a running mitrad-testclock.\n")
    w("```")
    for r in dl:
        w(json.dumps({k: v for k, v in r.items() if k not in ("suite", "run")}))
    w("```\n")
else:
    w("Not run.\n")

timing = rows("timing")
if timing:
    w("Section times: " + ", ".join("%s %d s" % (r["section"], r["seconds"]) for r in timing) + ".\n")

profile = os.path.join(HERE, "PROFILE.md")
if os.path.exists(profile):
    w(open(profile).read())

sys.stdout.write("\n".join(out) + "\n")
