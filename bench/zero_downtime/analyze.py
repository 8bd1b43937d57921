#!/usr/bin/env python3
"""Turns a run of scripts/bench-zero-downtime.sh into its report.

Reads the work directory the script filled (meta, runs/<rows>/<migration>/
<variant>/{marks, wl.*, steps.tsv}) and writes the Markdown table
(bench/results/zero-downtime.md by default) and one PNG per migration with
gnuplot: foreground latency of every request, by the time it was issued,
with the migration's phase boundaries marked.

What is counted (docs/bench.md, "Zero downtime"):
  * the requests of a run are the pgbench transactions *scheduled* between
    the migration's start and end (pgbench --rate measures latency from the
    scheduled start, so a request that waited behind a lock, or behind a
    client stuck on one, shows its whole wait);
  * p50 / p99 / max of their latency, how many took over 100 ms;
  * the longest gap between two completed transactions from the migration's
    start until the last of those requests completed;
  * backfill rows/s from seam's ledger (seam.steps started/finished and
    seam.backfill_progress.rows_done), the single UPDATE's rows/s from its
    timing.
Standard library only (Debian's python3).
"""
import argparse
import glob
import math
import os
import subprocess
import sys

VARIANTS = ["migra", "seam", "seam-throttled"]
LABEL = {
    "migra": "plain SQL (@pgkit/migra)",
    "seam": "seam, unthrottled",
    "seam-throttled": "seam, throttled",
    "seam-short-lock": "seam, short lock_timeout",
}
MIGRATION_TITLE = {
    "bigint": "`qty` integer → bigint",
    "not-null-column": "new `seen_at timestamptz NOT NULL DEFAULT clock_timestamp()`",
    "foreign-key": "new FOREIGN KEY `customer_id` → customers",
    "unique": "new UNIQUE (`code`)",
    "set-not-null": "`note` SET NOT NULL",
    "index": "new index on `created_at`",
}


def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v
    return out


def read_marks(path):
    marks = {"approve": [], "update": [], "status": []}
    if not os.path.exists(path):
        return marks
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            k = parts[0]
            if k == "approve":
                marks["approve"].append(float(parts[1]))
            elif k == "update":
                marks["update"].append((parts[1], float(parts[2]), float(parts[3]), int(parts[4])))
            elif k == "status":
                marks["status"].append(line.strip()[len("status "):])
            elif k in ("reached",):
                marks[k] = parts[1]
            elif k == "clients_alive_at_end":
                marks[k] = int(parts[1])
            else:
                marks[k] = float(parts[1])
    return marks


def read_pgbench(run_dir):
    """[(scheduled_start, completion, latency_ms)], failed count."""
    tx, failed = [], 0
    for path in glob.glob(os.path.join(run_dir, "wl.*")):
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) < 6:
                    continue
                if not p[2].isdigit():
                    failed += 1
                    continue
                lat_us = int(p[2])
                done = int(p[4]) + int(p[5]) / 1e6
                tx.append((done - lat_us / 1e6, done, lat_us / 1000.0))
    tx.sort()
    return tx, failed


def read_steps(run_dir):
    path = os.path.join(run_dir, "steps.tsv")
    steps = []
    if not os.path.exists(path):
        return steps
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 6:
                continue
            steps.append({
                "id": p[0], "phase": p[1], "kind": p[2],
                "start": float(p[3]) if p[3] else None,
                "end": float(p[4]) if p[4] else None,
                "rows": int(p[5]),
            })
    return steps


def percentile(sorted_vals, q):
    if not sorted_vals:
        return float("nan")
    i = max(0, min(len(sorted_vals) - 1, int(math.ceil(q * len(sorted_vals))) - 1))
    return sorted_vals[i]


def window_stats(tx, t0, t1):
    """Requests scheduled in [t0, t1]: count, p50, p99, max, over 100 ms, longest gap."""
    sel = [t for t in tx if t0 <= t[0] <= t1]
    lats = sorted(t[2] for t in sel)
    if not sel:
        return None
    last_done = max(t[1] for t in sel)
    done = sorted(t[1] for t in tx if t0 <= t[1] <= last_done)
    gap, prev = 0.0, t0
    for c in done:
        gap = max(gap, c - prev)
        prev = c
    return {
        "n": len(sel),
        "p50": percentile(lats, 0.50),
        "p99": percentile(lats, 0.99),
        "max": lats[-1],
        "over100": sum(1 for x in lats if x > 100.0),
        "gap": gap * 1000.0,
        "tps": len(sel) / (t1 - t0) if t1 > t0 else float("nan"),
    }


def backfills(steps):
    out = []
    for s in steps:
        if s["kind"] == "backfill" and s["start"] and s["end"] and s["rows"] >= 0:
            secs = s["end"] - s["start"]
            out.append((s["id"], s["rows"], secs, s["rows"] / secs if secs > 0 else float("nan")))
    return out


def phase_marks(variant, marks, steps):
    """[(epoch, label)] boundaries to draw."""
    out = [(marks.get("migration_start"), "start")]
    if variant.startswith("seam"):
        seen = set()
        for s in sorted((s for s in steps if s["start"]), key=lambda s: s["start"]):
            if s["phase"] not in seen:
                seen.add(s["phase"])
                out.append((s["start"], s["phase"]))
        for a in marks["approve"]:
            out.append((a, "approve"))
    for u in marks["update"]:
        out.append((u[1], "UPDATE " + u[0]))
    out.append((marks.get("migration_end"), "end"))
    return [(t, l) for t, l in out if t]


def fmt(x, digits=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, int):
        return f"{x:,}"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def load_runs(work):
    runs = {}
    base = os.path.join(work, "runs")
    for size in sorted(os.listdir(base), key=int) if os.path.isdir(base) else []:
        for m in os.listdir(os.path.join(base, size)):
            for v in os.listdir(os.path.join(base, size, m)):
                d = os.path.join(base, size, m, v)
                marks = read_marks(os.path.join(d, "marks"))
                tx, failed = read_pgbench(d)
                steps = read_steps(d)
                st = None
                if "migration_start" in marks and "migration_end" in marks:
                    st = window_stats(tx, marks["migration_start"], marks["migration_end"])
                runs[(int(size), m, v)] = {
                    "dir": d, "marks": marks, "tx": tx, "failed": failed, "steps": steps, "stats": st,
                    "duration": marks.get("migration_end", 0) - marks.get("migration_start", 0),
                }
    return runs


def plot(work, runs, rows, migration, variants, idle, png):
    """One PNG: a panel per variant (and the idle baseline below)."""
    panels = [(v, runs.get((rows, migration, v))) for v in variants]
    panels = [(v, r) for v, r in panels if r and r["tx"]]
    if idle:
        panels.append(("idle", idle))
    if not panels:
        return False
    gp = []
    ymax = max(max(t[2] for t in r["tx"]) for _, r in panels)
    ymax = 10 ** math.ceil(math.log10(max(ymax, 10.0)))
    gp.append(f"set terminal pngcairo size 1400,{300 * len(panels) + 80} font 'DejaVu Sans,10' noenhanced")
    gp.append(f"set output '{png}'")
    gp.append(f"set multiplot layout {len(panels)},1 title "
              f"\"{MIGRATION_TITLE.get(migration, migration).replace('`', '')} - {rows:,} rows: "
              f"latency of each foreground request by the time it was issued\"")
    gp.append("set logscale y")
    gp.append(f"set yrange [0.3:{ymax}]")
    gp.append("set ylabel 'latency (ms)'")
    gp.append("set xlabel 'seconds since the migration started'")
    gp.append("set grid ytics")
    gp.append("set key off")
    for i, (v, r) in enumerate(panels):
        t0 = r["marks"]["migration_start"]
        data = os.path.join(work, f"plot-{rows}-{migration}-{v}.dat")
        with open(data, "w") as f:
            for s, _, lat in r["tx"]:
                f.write(f"{s - t0:.4f} {max(lat, 0.3):.3f}\n")
        gp.append("unset arrow")
        gp.append("unset label")
        gp.append("set arrow from graph 0, first 100 to graph 1, first 100 nohead dt 2 lc rgb '#cc0000'")
        if v == "idle":
            title = "idle baseline (workload alone)"
        else:
            st = r["stats"] or {}
            title = (f"{LABEL[v]}: {r['duration']:.1f} s, max {fmt(st.get('max'))} ms, "
                     f"{st.get('over100', 0)} requests > 100 ms")
        gp.append(f"set title \"{title}\"")
        if v != "idle":
            for j, (t, lab) in enumerate(phase_marks(v, r["marks"], r["steps"])):
                x = t - t0
                gp.append(f"set arrow from first {x:.3f}, graph 0 to first {x:.3f}, graph 1 nohead lc rgb '#2060c0'")
                ypos = 0.93 - 0.09 * (j % 4)
                gp.append(f"set label \"{lab}\" at first {x:.3f}, graph {ypos:.2f} offset 0.3,0 "
                          f"tc rgb '#2060c0' font ',9'")
        gp.append(f"plot '{data}' using 1:2 with points pt 7 ps 0.3 lc rgb '#404040'")
    gp.append("unset multiplot")
    script = os.path.join(work, f"plot-{migration}.gp")
    with open(script, "w") as f:
        f.write("\n".join(gp) + "\n")
    subprocess.run(["gnuplot", script], check=True)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--out", required=True)
    ap.add_argument("--plots", required=True)
    a = ap.parse_args()
    meta = read_kv(os.path.join(a.work, "meta"))
    rows = int(meta["rows"])
    migrations = meta["migrations"].split()
    variants = meta["variants"].split()
    runs = load_runs(a.work)
    idle = runs.get((rows, "idle", "workload"))
    ref = runs.get((rows, "reference", "update"))
    idle_st = idle["stats"] if idle else None

    def ref_rate(size, kind):
        r = runs.get((size, "reference", "update"))
        if not r:
            return None
        for k, t0, t1, n in r["marks"]["update"]:
            if k == kind and t1 > t0:
                return n / (t1 - t0)
        return None

    L = []
    L.append(f"# Zero-downtime benchmark: {rows:,} rows, {meta.get('setup')}")
    L.append("")
    L.append("Generated by `scripts/bench-zero-downtime.sh` (bench/zero_downtime/; docs/bench.md, \"Zero downtime\", "
             "describes the method). Command:")
    L.append("")
    L.append("```sh")
    L.append(meta.get("command", "").strip())
    L.append("```")
    L.append("")
    if meta.get("setup") == "staging":
        L.append(f"Cluster: `scripts/staging up` - etcd, three Patroni nodes (PostgreSQL 15, asynchronous "
                 f"replication, network namespaces: {meta.get('netns', '?')}) and HAProxy; the workload, psql, "
                 f"migra and seam all connect through HAProxy's write port.")
    else:
        L.append("Cluster: **not the staging cluster** - a single embedded server from `seam dev` "
                 f"(fallback: {meta.get('fallback', 'requested with --no-staging')}).")
    L.append("")
    L.append(f"Workload: pgbench, {meta['clients']} clients, fixed rate {int(meta['rate']):,} transactions/s "
             f"(`--rate`, latency measured from each transaction's scheduled start), "
             f"mix 50% point read / 30% point update of `orders` / 20% insert into `orders` "
             f"(bench/zero_downtime/*.sql), simple protocol, {meta['warm']} s before and {meta['cool']} s after "
             f"each migration. Throttled seam: `--max-rows-per-second {int(meta['throttle']):,}`.")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    for k, label in [("started", "started (UTC)"), ("finished", "finished (UTC)"), ("nproc", "CPUs"),
                     ("cpu", "CPU"), ("mem", "memory"), ("kernel", "kernel"),
                     ("load_start", "load average at start"), ("load_end", "load average at end"),
                     ("server", "server"), ("pgbench", "pgbench"), ("migra", "migra"), ("seam", "seam"),
                     ("patroni", "Patroni"), ("haproxy", "HAProxy"), ("etcd", "etcd"), ("gnuplot", "gnuplot")]:
        if k in meta:
            L.append(f"| {label} | {meta[k]} |")
    L.append("")

    # --- the main table
    L.append(f"## Results at {rows:,} rows")
    L.append("")
    L.append("Latency columns are over the requests issued while the migration ran (ms). "
             "\"Longest gap\" is the longest time between two completed transactions in that window "
             "(at a fixed rate of " + f"{int(meta['rate']):,}" + "/s, random arrivals alone make gaps of tens of ms; "
             "see the idle row). Backfill rows/s: each of seam's backfill steps from the ledger; for plain SQL, "
             "the table's rows over the statement's time where it rewrites the table.")
    L.append("")
    L.append("| migration | tool | total (s) | requests | p50 | p99 | max | > 100 ms | longest gap | "
             "backfill rows/s | reached desired state | errors |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    if idle_st:
        L.append(f"| idle baseline | workload alone | {idle['duration']:.1f} | {idle_st['n']:,} | "
                 f"{fmt(idle_st['p50'])} | {fmt(idle_st['p99'])} | {fmt(idle_st['max'])} | {idle_st['over100']} | "
                 f"{fmt(idle_st['gap'])} | – | – | {idle['failed']} |")
    if ref:
        rs = ref["stats"]
        rates = ", ".join(f"{k}: {fmt(n / (t1 - t0), 0)}" for k, t0, t1, n in ref["marks"]["update"])
        L.append(f"| reference | single `UPDATE` of all rows (two, one per backfill kind) | {ref['duration']:.1f} | "
                 f"{rs['n']:,} | {fmt(rs['p50'])} | {fmt(rs['p99'])} | {fmt(rs['max'])} | {rs['over100']} | "
                 f"{fmt(rs['gap'])} | {rates} | – | {ref['failed']} |")
    for m in migrations:
        for v in variants:
            r = runs.get((rows, m, v))
            if not r:
                continue
            st = r["stats"] or {}
            if v.startswith("seam"):
                bf = backfills(r["steps"])
                bfs = ", ".join(fmt(x[3], 0) for x in bf) or "–"
            else:
                bfs = f"({fmt(rows / r['duration'], 0)})" if m in ("bigint", "not-null-column") and r["duration"] > 0 else "–"
            errs = []
            if r["failed"]:
                errs.append(f"{r['failed']} failed transactions")
            alive = r["marks"].get("clients_alive_at_end")
            if alive is not None and alive < int(meta["clients"]):
                errs.append(f"{int(meta['clients']) - alive} clients aborted")
            errs += r["marks"]["status"]
            L.append(f"| {MIGRATION_TITLE.get(m, m)} | {LABEL.get(v, v)} | {r['duration']:.1f} | {st.get('n', 0):,} | "
                     f"{fmt(st.get('p50'))} | {fmt(st.get('p99'))} | {fmt(st.get('max'))} | {st.get('over100', '–')} | "
                     f"{fmt(st.get('gap'))} | {bfs} | {r['marks'].get('reached', '?')} | {'; '.join(errs) or '0'} |")
    L.append("")

    # --- flatness
    sizes = sorted({s for (s, m, v) in runs if m in ("bigint", "not-null-column") and v == "seam"})
    if len(sizes) > 1 or True:
        L.append("## Backfill rate by table size (seam, unthrottled)")
        L.append("")
        L.append("| rows | change | seam backfill rows/s | single UPDATE rows/s | seam / UPDATE |")
        L.append("|---:|---|---:|---:|---:|")
        for s in sizes:
            for m in ("bigint", "not-null-column"):
                r = runs.get((s, m, "seam"))
                if not r:
                    continue
                bf = backfills(r["steps"])
                rate = bf[0][3] if bf else None
                rr = ref_rate(s, m)
                ratio = f"{rate / rr:.2f}" if rate and rr else "–"
                L.append(f"| {s:,} | {MIGRATION_TITLE[m]} | {fmt(rate, 0)} | {fmt(rr, 0)} | {ratio} |")
        L.append("")

    # --- goals
    L.append("## Against the goals of issue 8")
    L.append("")
    goal = []
    for m in migrations:
        for v in ("seam", "seam-throttled", "seam-short-lock"):
            r = runs.get((rows, m, v))
            p = runs.get((rows, m, "migra"))
            if not r or not r["stats"]:
                continue
            st = r["stats"]
            pm = p["stats"]["max"] if p and p["stats"] else None
            ok_stall = st["max"] <= 50.0
            ok_100 = st["over100"] == 0
            ok_p99 = idle_st is not None and st["p99"] <= 2 * idle_st["p99"]
            goal.append(f"| {MIGRATION_TITLE.get(m, m)} | {LABEL[v]} | {fmt(st['max'])} ({'yes' if ok_stall else 'no'}) | "
                        f"{st['over100']} ({'yes' if ok_100 else 'no'}) | {fmt(pm)} | "
                        f"{fmt(st['p99'])} vs {fmt(2 * idle_st['p99']) if idle_st else '–'} "
                        f"({'yes' if ok_p99 else 'no'}) |")
    L.append("| migration | tool | longest stall = max latency ≤ 50 ms | requests > 100 ms = 0 | "
             "plain SQL's max latency (ms) | p99 ≤ 2 × idle p99 |")
    L.append("|---|---|---:|---:|---:|---:|")
    L.extend(goal)
    L.append("")
    for m in ("bigint", "not-null-column"):
        r = runs.get((rows, m, "seam"))
        rr = ref_rate(rows, m)
        if r and rr:
            bf = backfills(r["steps"])
            if bf:
                L.append(f"* Backfill, {MIGRATION_TITLE[m]}: seam unthrottled {fmt(bf[0][3], 0)} rows/s = "
                         f"{bf[0][3] / rr:.0%} of the single UPDATE's {fmt(rr, 0)} rows/s (goal ≥ 50%).")
        rates = []
        for s in sizes:
            rs = runs.get((s, m, "seam"))
            b = backfills(rs["steps"]) if rs else []
            if b:
                rates.append((s, b[0][3]))
        if len(rates) > 1:
            lo, hi = min(x[1] for x in rates), max(x[1] for x in rates)
            L.append(f"* Flatness, {MIGRATION_TITLE[m]}: " +
                     ", ".join(f"{fmt(x[1], 0)} rows/s at {x[0]:,} rows" for x in rates) +
                     f"; spread {(hi - lo) / hi:.0%} of the fastest (goal: within 20%).")
    L.append("")

    # --- plots
    L.append("## Plots")
    L.append("")
    for m in migrations:
        name = f"zero-downtime-{m}.png"
        if plot(a.work, runs, rows, m, variants, idle, os.path.join(a.plots, name)):
            rel = os.path.relpath(os.path.join(a.plots, name), os.path.dirname(os.path.abspath(a.out)))
            L.append(f"![{m}]({rel})")
            L.append("")

    # --- seam's steps per run
    L.append("## seam's steps (from the ledger)")
    L.append("")
    L.append("Per step: its time, and the foreground requests issued while it ran (the checkpoint's time "
             "includes the approval and the next `seam apply` starting; between steps the applier writes its "
             "ledger, which is counted in no step).")
    L.append("")
    L.append("| migration | tool | step | phase | seconds | rows | requests | max latency (ms) | > 100 ms |")
    L.append("|---|---|---|---|---:|---:|---:|---:|---:|")
    for m in migrations:
        for v in ("seam", "seam-throttled", "seam-short-lock"):
            r = runs.get((rows, m, v))
            if not r:
                continue
            for s in r["steps"]:
                secs = s["end"] - s["start"] if s["start"] and s["end"] else None
                sel = [t[2] for t in r["tx"] if s["start"] and s["end"] and s["start"] <= t[0] <= s["end"]]
                L.append(f"| {m} | {v} | `{s['id']}` | {s['phase']} | {fmt(secs, 3)} | "
                         f"{fmt(s['rows']) if s['rows'] >= 0 else ''} | {len(sel):,} | "
                         f"{fmt(max(sel)) if sel else '–'} | {sum(1 for x in sel if x > 100)} |")
    L.append("")
    L.append("## What plain SQL ran (migra's output, applied with `psql -f`, autocommit)")
    L.append("")
    for m in migrations:
        r = runs.get((rows, m, "migra"))
        if r and os.path.exists(os.path.join(r["dir"], "migra.sql")):
            with open(os.path.join(r["dir"], "migra.sql")) as f:
                sql = "\n".join(x for x in f.read().splitlines() if x.strip())
            L.append(f"* {m}: `{sql}`" if "\n" not in sql else f"* {m}:\n\n  ```sql\n" +
                     "\n".join("  " + x for x in sql.splitlines()) + "\n  ```")
    L.append("")
    with open(a.out, "w") as f:
        f.write("\n".join(L))
    print("\n".join(L))


if __name__ == "__main__":
    sys.exit(main())
