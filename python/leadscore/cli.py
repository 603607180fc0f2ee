"""Command line: `leadscore generate`, `leadscore summary`, `leadscore export-sync`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _generate(args: argparse.Namespace) -> int:
    from leadscore.demo.generator import GeneratorConfig, generate

    cfg = GeneratorConfig(
        n_leads=args.leads,
        seed=args.seed,
        events_per_lead=args.events_per_lead,
        history_days=args.history_days,
    )
    generate(cfg, Path(args.out))
    return 0


def _summary(args: argparse.Namespace) -> int:
    from leadscore.reporting.summary import print_summary

    return print_summary(Path(args.db), Path(args.raw) if args.raw else None)


def _export_sync(args: argparse.Namespace) -> int:
    from leadscore.reporting.export import export_sync

    return export_sync(Path(args.db), Path(args.out))


def _publish(args: argparse.Namespace) -> int:
    from leadscore.reporting.publish import publish

    try:
        publish(Path(args.db), Path(args.to), storage_version=args.storage_version,
                parquet=Path(args.parquet) if args.parquet else None)  # fmt: skip
    except (ValueError, FileNotFoundError) as e:
        print(e, file=sys.stderr)
        return 2
    return 0


def _report(args: argparse.Namespace) -> int:
    from leadscore.reporting.report import build_report

    build_report(Path(args.db), Path(args.out))
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _generate_crm(args: argparse.Namespace) -> int:
    from leadscore.demo.crm_fixtures import fixture_config, generate_connector

    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    cfg = fixture_config(args.leads, args.seed, args.events_per_lead)
    counts = generate_connector(args.crm, cfg, Path(args.db), args.schema, args.omit)
    schema = args.schema or args.crm
    print(f"generate-crm: {args.crm} tables in {args.db} schema {schema}:")
    for name, rows in counts.items():
        print(f"  {name:28s} {rows:>9,}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadscore", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a synthetic, messy CRM export as parquet")
    gen.add_argument("--leads", type=_positive_int, default=20_000, help="number of people")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", default="data/raw", help="output folder (replaced)")
    gen.add_argument("--events-per-lead", type=float, default=50.0)
    gen.add_argument("--history-days", type=_positive_int, default=540)
    gen.set_defaults(func=_generate)

    crm = sub.add_parser(
        "generate-crm",
        help="write a demo HubSpot or Salesforce sync (Fivetran's tables) into a DuckDB schema",
    )
    crm.add_argument("--crm", choices=("hubspot", "salesforce"), required=True)
    crm.add_argument("--leads", type=_positive_int, default=3000, help="number of people")
    crm.add_argument("--seed", type=int, default=42)
    crm.add_argument("--events-per-lead", type=float, default=20.0)
    crm.add_argument("--db", default="data/leadscore.duckdb")
    crm.add_argument("--schema", default=None, help="schema to (re)create; default: the crm")
    crm.add_argument("--omit", nargs="*", default=[], help="optional tables to leave out")
    crm.set_defaults(func=_generate_crm)

    summ = sub.add_parser("summary", help="print row counts, holdout AUC and leads per tier")
    summ.add_argument("--db", default="data/leadscore.duckdb")
    summ.add_argument("--raw", default=None, help="generated data folder, for the oracle AUC")
    summ.set_defaults(func=_summary)

    sync = sub.add_parser(
        "export-sync", help="write marts.crm_lead_sync to CSV and parquet for reverse ETL"
    )
    sync.add_argument("--db", default="data/leadscore.duckdb")
    sync.add_argument("--out", default="data/exports")
    sync.set_defaults(func=_export_sync)

    pub = sub.add_parser(
        "publish", help="copy the marts into the BI database file, swapped in atomically"
    )
    pub.add_argument("--db", default="data/leadscore.duckdb")
    pub.add_argument("--to", default="data/leadscore_bi.duckdb")
    pub.add_argument(
        "--storage-version",
        default="v1.0.0",
        help="DuckDB storage format of the copy (v1.0.0: DuckDB 1.0 and later open it)",
    )
    pub.add_argument("--parquet", default=None, help="also write DIR/<table>.parquet per mart")
    pub.set_defaults(func=_publish)

    rep = sub.add_parser("report", help="write the self-contained HTML model report")
    rep.add_argument("--db", default="data/leadscore.duckdb")
    rep.add_argument("--out", default="data/report.html")
    rep.set_defaults(func=_report)
    return parser


def _one_line(command: str, db: str | None, error: Exception) -> str:
    """What went wrong, in one line, for the errors a user can fix."""
    import duckdb

    from leadscore.reporting.publish import CommandError

    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, CommandError):
        return text
    if isinstance(error, duckdb.IOException) and "lock" in text.lower():
        holder = text.split("Conflicting lock is held in", 1)[-1].split(". See", 1)[0].strip()
        return (
            f"{command}: {db} is in use by another process ({holder}), e.g. a running "
            "`dbt build`: wait for it to finish (BI tools read the published copy)"
        )
    if isinstance(error, duckdb.CatalogException):
        return f"{command}: {db} has no marts ({text}); run `dbt build` first"
    return f"{command}: {text}"


def main(argv: list[str] | None = None) -> int:
    import duckdb

    from leadscore.reporting.publish import CommandError

    args = build_parser().parse_args(argv)
    db: str | None = getattr(args, "db", None)
    if args.command in ("summary", "export-sync", "report") and not Path(str(db)).exists():
        print(f"{args.command}: no database at {db}; run `dbt build` first", file=sys.stderr)
        return 1
    try:
        return int(args.func(args))
    except (CommandError, duckdb.Error) as error:
        print(_one_line(args.command, db, error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
