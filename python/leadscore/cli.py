"""leadscore: the commands around `dbt build`, which does the scoring.

Demo data: `generate` (a raw CRM export) and `generate-crm` (a HubSpot or Salesforce
sync). After a build: `summary` prints what it did, `report` writes the HTML model
report, `publish` copies the marts into the file BI tools read, `export-sync` writes the
CRM sync table for reverse ETL. `leadscore COMMAND --help` shows a command's options.
"""

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
        publish(
            Path(args.db),
            Path(args.to),
            storage_version=args.storage_version,
            parquet=Path(args.parquet) if args.parquet else None,
        )
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


class _HelpWithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's help ends with its default, when it has one."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, [], False):
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadscore",
        description=__doc__,
        epilog="Exit codes: 0 done; 2 the command could not run (one line on stderr says why).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, sentence: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=sentence,
            description=sentence[0].upper() + sentence[1:] + ".",
            formatter_class=_HelpWithDefaults,
        )

    build_db = "the DuckDB file `dbt build` wrote (DUCKDB_PATH of the build)"

    gen = command(
        "generate", "write a synthetic, messy CRM export as parquet (the demo's raw data)"
    )
    gen.add_argument("--leads", type=_positive_int, default=20_000, help="number of people")
    gen.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    gen.add_argument("--out", default="data/raw", metavar="DIR", help="output folder (replaced)")
    gen.add_argument(
        "--events-per-lead", type=float, default=50.0, help="mean engagement events per person"
    )
    gen.add_argument(
        "--history-days", type=_positive_int, default=540, help="days of history to simulate"
    )
    gen.set_defaults(func=_generate)

    crm = command(
        "generate-crm",
        "write a demo HubSpot or Salesforce sync (Fivetran's tables) into a DuckDB schema",
    )
    crm.add_argument(
        "--crm", choices=("hubspot", "salesforce"), required=True, help="which connector's tables"
    )
    crm.add_argument("--leads", type=_positive_int, default=3000, help="number of people")
    crm.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    crm.add_argument(
        "--events-per-lead", type=float, default=20.0, help="mean engagement events per person"
    )
    crm.add_argument(
        "--db",
        default="data/leadscore.duckdb",
        metavar="FILE",
        help="DuckDB file to write (created if absent)",
    )
    crm.add_argument("--schema", default=None, help="schema to (re)create; default: the crm")
    crm.add_argument(
        "--omit", nargs="*", default=[], metavar="TABLE", help="optional tables to leave out"
    )
    crm.set_defaults(func=_generate_crm)

    summ = command("summary", "print row counts, data quality, holdout AUC and leads per tier")
    summ.add_argument("--db", default="data/leadscore.duckdb", metavar="FILE", help=build_db)
    summ.add_argument(
        "--raw", default=None, metavar="DIR", help="generated data folder, for the oracle AUC"
    )
    summ.set_defaults(func=_summary)

    sync = command("export-sync", "write marts.crm_lead_sync to CSV and parquet for reverse ETL")
    sync.add_argument("--db", default="data/leadscore.duckdb", metavar="FILE", help=build_db)
    sync.add_argument("--out", default="data/exports", metavar="DIR", help="output folder")
    sync.set_defaults(func=_export_sync)

    pub = command("publish", "copy the marts into the BI database file, swapped in atomically")
    pub.add_argument("--db", default="data/leadscore.duckdb", metavar="FILE", help=build_db)
    pub.add_argument(
        "--to",
        default="data/leadscore_bi.duckdb",
        metavar="FILE",
        help="the BI copy to write (BI tools read it)",
    )
    pub.add_argument(
        "--storage-version",
        default="v1.0.0",
        metavar="VERSION",
        help="DuckDB storage format of the copy (v1.0.0: DuckDB 1.0 and later open it)",
    )
    pub.add_argument(
        "--parquet", default=None, metavar="DIR", help="also write DIR/<table>.parquet per mart"
    )
    pub.set_defaults(func=_publish)

    rep = command("report", "write the self-contained HTML model report")
    rep.add_argument("--db", default="data/leadscore.duckdb", metavar="FILE", help=build_db)
    rep.add_argument(
        "--out", default="data/report.html", metavar="FILE", help="the HTML file to write"
    )
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


# the commands that read a build database; `generate-crm` writes one
READS_DATABASE = ("summary", "export-sync", "publish", "report")
# a DuckDB database file carries this magic at byte 8
DUCKDB_MAGIC = b"DUCK"


def _database_problem(command: str, db: str) -> str | None:
    """Why `db` cannot be read as a build database, in one line (None: it can)."""
    path = Path(db)
    if not path.exists():
        return f"{command}: no database at {db}; run `dbt build` first"
    if path.is_dir():
        return f"{command}: {db} is a folder, not a DuckDB database file"
    with path.open("rb") as f:
        header = f.read(12)
    if header[8:12] != DUCKDB_MAGIC:
        return (
            f"{command}: {db} is not a DuckDB database file; --db takes the file `dbt build` "
            "wrote (default data/leadscore.duckdb)"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    """Run a command; a command that cannot run prints one line on stderr and returns 2."""
    import duckdb

    from leadscore.reporting.publish import CommandError

    args = build_parser().parse_args(argv)
    db = getattr(args, "db", None)
    if args.command in READS_DATABASE:
        problem = _database_problem(args.command, str(db))
        if problem:
            print(problem, file=sys.stderr)
            return 2
    try:
        return int(args.func(args))
    except (CommandError, duckdb.Error) as error:
        print(_one_line(args.command, db, error), file=sys.stderr)
        return 2
    except OSError as error:  # an output path that cannot be written, a file gone
        where = f" {error.filename}" if error.filename else ""
        print(f"{args.command}: cannot write or read{where}: {error.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
