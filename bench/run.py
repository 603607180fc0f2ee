"""Scale benchmark per size: generate, full build, scoring-only build, peers, daily refresh.

    make bench                                   # 10k, 100k and 1M leads
    make bench BENCH_SIZES=10000,100000          # a quicker run
    .venv/bin/python bench/run.py --sizes 10000 --out data/bench

For each size the demo generator writes about `--events-per-lead` events per lead,
then, each in its own process so that its peak memory is its own:

1. `leadscore generate`;
2. `dbt build` on a fresh database (full: cleaning, features, training, scoring,
   marts, tests); per-phase times come from dbt's run_results.json;
3. `dbt build --selector scoring_only --vars '{scoring_only: true}'` (`make score`) on
   the same database: the champion is reused and features are computed for the open
   leads only;
4. `bench/peer_pandas.py`: the same features, written the way pandas + scikit-learn
   tutorials write them, on the same raw files and the same holdout examples;
5. `bench/peer_duckdb_lgbm.py`: the same feature families in plain DuckDB SQL and one
   LightGBM fit, on the same raw files and the same train and holdout examples.
6. daily refresh (`daily_refresh_step`): the generated world's last day is held back
   before the full build (bench/holdback: leadscore.demo.holdback) and appended afterwards
   as new files, the same world one day further; then `dbt build` and, on a copy of
   the database as it was before, the scoring-only build run on it (incremental event
   cleaning: docs/incremental.md), with CPU seconds per million new events.

It prints progress, writes `results.json` and `results.md` (the table docs/benchmarks.md
shows) into `--out`, and keeps each size's data in `--out/<size>/`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from phases import PHASES, phase_seconds  # noqa: E402

BIN = Path(sys.executable).parent


def run_measured(cmd: list[str], env: dict[str, str], log_path: Path) -> dict[str, float]:
    """Run `cmd`, teeing nothing: output goes to `log_path`. Wall seconds and peak RSS (GB)."""
    started = time.perf_counter()
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = "\n".join(log_path.read_text().splitlines()[-25:])
        raise SystemExit(f"bench: `{' '.join(cmd)}` failed ({code}); see {log_path}\n{tail}")
    # ru_maxrss is in kilobytes on Linux; CPU seconds are robust to a busy machine
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_gb": round(usage.ru_maxrss / 1024**2, 2),
    }


def machine() -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return f"{os.cpu_count()} cores, {mem_gb:.0f} GB RAM, {platform.system()} {platform.machine()}"


def dbt_build(
    work: Path,
    raw: Path,
    db: Path,
    name: str,
    extra_vars: str = "",
    select: list[str] = (),
    warm_from: str | None = None,
) -> dict:
    """`dbt build` into `target_<name>`. `warm_from`: start from a copy of that earlier
    run's target folder (same vars and database path), so dbt parses only what changed
    (partial parsing), as a scheduled run in a kept project folder does."""
    env = {
        **os.environ,
        "DUCKDB_PATH": str(db),
        "DBT_PROFILES_DIR": str(ROOT),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    target = work / f"target_{name}"
    # a run without warm_from parses from scratch: a target folder kept from an earlier
    # run (perhaps of a checkout elsewhere, whose absolute seed paths dbt's partial
    # parsing would reuse) is removed first
    shutil.rmtree(target, ignore_errors=True)
    if warm_from:
        shutil.copytree(work / f"target_{warm_from}", target)
    cmd = [
        str(BIN / "dbt"),
        "build",
        "--target-path",
        str(target),
        *select,
        "--vars",
        f"{{raw_data_path: '{raw}'{extra_vars}}}",
    ]
    out = run_measured(cmd, env, work / f"dbt_{name}.log")
    out["parsed_in_full"] = "Starting full parse" in (work / f"dbt_{name}.log").read_text()
    results = json.loads((target / "run_results.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    out["phases"] = phase_seconds(results, manifest)
    return out


def model_figures(db: Path, raw: Path) -> dict:
    from leadscore.reporting.summary import oracle_auc

    con = duckdb.connect(str(db), read_only=True)
    try:
        auc, models, open_leads = con.sql(
            "select (select holdout_auc from ml.ml_model_registry where status = 'champion' "
            "order by trained_at desc limit 1), (select count(*) from ml.ml_model_registry), "
            "(select count(*) from marts.lead_scores)"
        ).fetchall()[0]
        examples = con.sql("select count(*) from ml.ml_training_examples").fetchall()[0][0]
        events = con.sql("select count(*) from intermediate.int_events_cleaned").fetchall()[0][0]
        oracle = oracle_auc(con, raw)
    finally:
        con.close()
    return {
        "holdout_auc": round(auc, 4) if auc is not None else None,  # None: no model yet
        "oracle_auc": round(oracle, 4) if oracle else None,
        "models_in_registry": models,
        "open_leads_scored": open_leads,
        "training_examples": examples,
        "clean_events": events,
    }


def bench_size(n: int, args: argparse.Namespace) -> dict:
    work = (args.out / str(n)).resolve()
    work.mkdir(parents=True, exist_ok=True)
    raw, db = work / "raw", work / "leadscore.duckdb"
    env = {**os.environ}
    manifest_path = raw / "_manifest.json"
    previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    wanted = {"n_leads": n, "seed": args.seed, "events_per_lead": args.events_per_lead}
    if (
        args.reuse_data
        and previous
        and all(previous["config"].get(k) == v for k, v in wanted.items())
    ):
        print(f"bench {n:,} leads: reusing the data in {raw}", flush=True)
        gen = {"seconds": previous["seconds"], "peak_gb": None, "reused": True}
    else:
        print(f"bench {n:,} leads: generate ...", flush=True)
        gen = run_measured(
            [
                str(BIN / "leadscore"),
                "generate",
                "--leads",
                str(n),
                "--seed",
                str(args.seed),
                "--events-per-lead",
                str(args.events_per_lead),
                "--out",
                str(raw),
            ],
            env,
            work / "generate.log",
        )
    manifest = json.loads((raw / "_manifest.json").read_text())
    held = work / "held"
    if args.daily:
        hold_back_last_day(raw, held, fresh=not gen.get("reused"))
    print(f"bench {n:,} leads: generated in {gen['seconds']} s; full dbt build ...", flush=True)
    for path in (db, db.with_suffix(".duckdb.wal")):
        path.unlink(missing_ok=True)
    full = dbt_build(work, raw, db, "full")
    full.update(model_figures(db, raw))
    print(
        f"bench {n:,} leads: full build {full['seconds']} s, peak {full['peak_gb']} GB, "
        f"AUC {full['holdout_auc']} (oracle {full['oracle_auc']}); scoring-only build ...",
        flush=True,
    )
    scoring = dbt_build(
        work, raw, db, "scoring", ", scoring_only: true", ["--selector", "scoring_only"]
    )
    scoring.update(model_figures(db, raw))
    if scoring["models_in_registry"] != full["models_in_registry"]:
        raise SystemExit(
            "bench: the scoring-only build trained a model; it must reuse the champion"
        )
    print(
        f"bench {n:,} leads: scoring-only build {scoring['seconds']} s, "
        f"peak {scoring['peak_gb']} GB",
        flush=True,
    )
    result = {
        "leads": n,
        "lead_records": manifest["rows"]["leads"],
        "events": manifest["rows"]["events"],
        "generate": gen,
        "full": full,
        "scoring_only": scoring,
    }
    if args.peer:
        result["peer"] = run_peer(n, work, raw, db, env, "peer_pandas", "pandas + scikit-learn")
        result["peer_duckdb"] = run_peer(
            n, work, raw, db, env, "peer_duckdb_lgbm", "DuckDB + LightGBM"
        )
    if args.daily:
        result["daily"] = daily_refresh_step(n, work, raw, db, held, args.keep_before_daily)
    return result


# --- the peers (pandas + scikit-learn; DuckDB SQL + one LightGBM fit) and the ratios -------------


def run_peer(
    n: int, work: Path, raw: Path, db: Path, env: dict[str, str], script: str, label: str
) -> dict:
    """`bench/<script>.py` on the same raw files and examples, in its own process."""
    print(f"bench {n:,} leads: {label} peer ...", flush=True)
    out_json = work / f"{script}.json"
    peer = run_measured(
        [
            sys.executable,
            str(ROOT / "bench" / f"{script}.py"),
            "--raw",
            str(raw),
            "--db",
            str(db),
            "--out",
            str(out_json),
        ],
        env,
        work / f"{script}.log",
    )
    peer.update(json.loads(out_json.read_text()))
    print(
        f"bench {n:,} leads: {label} peer {peer['seconds']} s, "
        f"CPU {peer['cpu_seconds']} s, peak {peer['peak_gb']} GB, AUC {peer['holdout_auc']}",
        flush=True,
    )
    return peer


def peer_ratio_rows(results: list[dict], row, fmt) -> None:
    """The stronger peer's figures, and the product's full build against each peer:
    how many times the peer's wall time, CPU time and memory the product's build
    takes (below 1: the product is faster / smaller), and the AUC difference."""
    peers = [
        ("pandas peer", "peer"),
        ("DuckDB + LightGBM peer", "peer_duckdb"),
    ]
    if all("peer_duckdb" in r for r in results):
        p = "peer_duckdb"
        row("DuckDB SQL + LightGBM peer, wall (s)", [fmt(r[p]["seconds"]) for r in results])
        row("DuckDB peer CPU time (s)", [fmt(r[p]["cpu_seconds"]) for r in results])
        row("DuckDB peer peak memory (GB)", [fmt(r[p]["peak_gb"], 2) for r in results])
        row("DuckDB peer holdout AUC", [fmt(r[p]["holdout_auc"], 4) for r in results])
    for label, key in peers:
        if not all(key in r for r in results):
            continue
        for what, field in (("wall", "seconds"), ("CPU", "cpu_seconds"), ("memory", "peak_gb")):
            row(
                f"full build {what} / {label} {what}",
                [f"{r['full'][field] / r[key][field]:.2f}x" for r in results],
            )
        row(
            f"full build AUC - {label} AUC",
            [f"{r['full']['holdout_auc'] - r[key]['holdout_auc']:+.4f}" for r in results],
        )


# --- end of the stronger peer ---------------------------------------------------------------


# --- daily refresh (incremental builds; docs/incremental.md) --------------------------
DAILY_FILE = "next-day"


def hold_back_last_day(raw: Path, held: Path, fresh: bool) -> None:
    """Move the world's last day out of `raw` (once; a reused world is reset to it)."""
    if fresh:
        shutil.rmtree(held, ignore_errors=True)
    elif (held / "events" / "held.parquet").exists():
        for appended in raw.glob(f"*/{DAILY_FILE}.parquet"):
            appended.unlink()
        return
    # in a child process: Linux reports a child's peak memory as at least this
    # process's peak when it started the child (its size at the fork), so reading 53M
    # events here would show up as the peak of every build measured afterwards
    code = (
        "import json, sys; from pathlib import Path; "
        "from leadscore.demo.holdback import hold_back; "
        "print(json.dumps(hold_back(Path(sys.argv[1]), Path(sys.argv[2]), days=1)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(raw), str(held)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    counts = json.loads(done.stdout)
    print(f"bench: held back the last day: {counts}", flush=True)


def daily_refresh_step(
    n: int, work: Path, raw: Path, db: Path, held: Path, keep_before: bool = False
) -> dict:
    """Append the held-back day, then time `dbt build` and the scoring-only build, each
    from the database as it was before the day, in a kept project folder (each starts
    from the target folder of the same kind of run: dbt parses only what changed).
    `keep_before`: also keep that database as `kept_before_daily.duckdb`, to time other
    versions of the daily refresh on it (the raw folder keeps the appended day)."""
    from leadscore.demo.holdback import append_held_back

    before = work / "before_daily.duckdb"
    shutil.copyfile(db, before)
    if keep_before:
        shutil.copyfile(db, work / "kept_before_daily.duckdb")
    appended = append_held_back(held, raw, DAILY_FILE)
    new_events = appended.get("events", 0)
    print(f"bench {n:,} leads: daily refresh, {appended} new rows; dbt build ...", flush=True)
    build = dbt_build(work, raw, db, "daily", warm_from="full")
    print(f"bench {n:,} leads: daily dbt build {build['seconds']} s; scoring-only ...", flush=True)
    # the same database path as the earlier scoring-only run (the path is part of the
    # parse state): the built database steps aside meanwhile
    after = work / "after_daily.duckdb"
    db.replace(after)
    before.replace(db)
    scoring = dbt_build(
        work,
        raw,
        db,
        "daily_scoring",
        ", scoring_only: true",
        ["--selector", "scoring_only"],
        warm_from="scoring",
    )
    after.replace(db)
    for name, run in (("daily", build), ("daily_scoring", scoring)):
        if run["parsed_in_full"]:
            print(f"bench: {name} parsed the project in full (the kept target did not help)")
    for run in (build, scoring):
        run["cpu_seconds_per_million_new_events"] = (
            round(run["cpu_seconds"] / (new_events / 1e6), 1) if new_events else None
        )
    print(
        f"bench {n:,} leads: daily scoring-only {scoring['seconds']} s "
        f"({scoring['cpu_seconds_per_million_new_events']} CPU s per million new events)",
        flush=True,
    )
    return {"new_rows": appended, "new_events": new_events, "build": build, "scoring_only": scoring}


def daily_rows(results: list[dict], row, fmt) -> None:
    """The daily-refresh rows of the results table (sizes run with the step)."""
    if not all("daily" in r for r in results):
        return
    row("daily refresh: new events", [f"{r['daily']['new_events']:,}" for r in results])
    for key, label in (("build", "`dbt build`"), ("scoring_only", "scoring-only build")):
        runs = [r["daily"][key] for r in results]
        row(f"**daily refresh: {label}, wall (s)**", [f"**{fmt(d['seconds'])}**" for d in runs])
        row(f"daily refresh: {label} CPU time (s)", [fmt(d["cpu_seconds"]) for d in runs])
        row(f"daily refresh: {label} peak memory (GB)", [fmt(d["peak_gb"], 2) for d in runs])
        row(
            f"daily refresh: {label}, CPU s per million new events",
            [fmt(d["cpu_seconds_per_million_new_events"]) for d in runs],
        )


# --- end of daily refresh --------------------------------------------------------------


def markdown(results: list[dict], command: str) -> str:
    def fmt(v: float | None, digits: int = 1) -> str:
        return "n/a" if v is None else f"{v:,.{digits}f}"

    lines = [
        f"Machine: {machine()}. Command: `{command}`.",
        "",
        "| | " + " | ".join(f"{r['leads']:,} leads" for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("lead records / events", [f"{r['lead_records']:,} / {r['events']:,}" for r in results])
    row("training examples", [f"{r['full']['training_examples']:,}" for r in results])
    row("open leads scored", [f"{r['full']['open_leads_scored']:,}" for r in results])
    row("generate (s)", [fmt(r["generate"]["seconds"]) for r in results])
    for phase in PHASES:
        row(
            f"full build: {phase} (s)",
            [fmt(r["full"]["phases"].get(phase, 0.0)) for r in results],
        )
    row("**full `dbt build`, wall (s)**", [f"**{fmt(r['full']['seconds'])}**" for r in results])
    row("full build CPU time (s)", [fmt(r["full"]["cpu_seconds"]) for r in results])
    row("full build peak memory (GB)", [fmt(r["full"]["peak_gb"], 2) for r in results])
    row(
        "**scoring-only build, wall (s)**",
        [f"**{fmt(r['scoring_only']['seconds'])}**" for r in results],
    )
    row("scoring-only CPU time (s)", [fmt(r["scoring_only"]["cpu_seconds"]) for r in results])
    row("scoring-only peak memory (GB)", [fmt(r["scoring_only"]["peak_gb"], 2) for r in results])
    daily_rows(results, row, fmt)
    row("holdout AUC", [fmt(r["full"]["holdout_auc"], 4) for r in results])
    row("oracle AUC (best achievable)", [fmt(r["full"]["oracle_auc"], 4) for r in results])
    row(
        "AUC / oracle AUC",
        [
            f"{r['full']['holdout_auc'] / r['full']['oracle_auc']:.1%}"
            if r["full"]["oracle_auc"]
            else "n/a"
            for r in results
        ],
    )
    if all("peer" in r for r in results):
        row("pandas + scikit-learn peer, wall (s)", [fmt(r["peer"]["seconds"]) for r in results])
        row("peer CPU time (s)", [fmt(r["peer"]["cpu_seconds"]) for r in results])
        row("peer peak memory (GB)", [fmt(r["peer"]["peak_gb"], 2) for r in results])
        row("peer holdout AUC", [fmt(r["peer"]["holdout_auc"], 4) for r in results])
        row(
            "peer time / full build time",
            [f"{r['peer']['seconds'] / r['full']['seconds']:.1f}x" for r in results],
        )
        row(
            "peer memory / full build memory",
            [f"{r['peer']['peak_gb'] / r['full']['peak_gb']:.1f}x" for r in results],
        )
    peer_ratio_rows(results, row, fmt)
    by_size = {r["leads"]: r for r in results}
    if 100_000 in by_size and 1_000_000 in by_size:
        small, big = by_size[100_000], by_size[1_000_000]
        growth = big["full"]["seconds"] / small["full"]["seconds"]
        lines += [
            "",
            f"From 100k to 1M leads (10x the data) the full build takes {growth:.1f}x as long "
            f"and the scoring-only build "
            f"{big['scoring_only']['seconds'] / small['scoring_only']['seconds']:.1f}x.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--events-per-lead", type=float, default=50.0)
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "bench")
    parser.add_argument("--no-peer", dest="peer", action="store_false")
    parser.add_argument(
        "--no-daily",
        dest="daily",
        action="store_false",
        help="skip the daily refresh (the full build then sees the world's last day too)",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep a size's generated data when its manifest matches (generate time from it)",
    )
    parser.add_argument(
        "--keep-before-daily",
        action="store_true",
        help="keep each size's database as it was before the daily refresh "
        "(kept_before_daily.duckdb), to time other versions of the daily build on it",
    )
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    command = "make bench BENCH_SIZES=" + ",".join(str(s) for s in sizes)
    flags = [
        f
        for f, on in (
            ("--reuse-data", args.reuse_data),
            ("--no-peer", not args.peer),
            ("--no-daily", not args.daily),
        )
        if on
    ]
    if flags:
        command += f" BENCH_FLAGS='{' '.join(flags)}'"
    results = []
    for n in sizes:
        results.append(bench_size(n, args))
        (args.out / "results.json").write_text(json.dumps(results, indent=2))
    table = markdown(results, command)
    (args.out / "results.md").write_text(table)
    print("\n" + table)


if __name__ == "__main__":
    main()
