"""Write the raw-data contract tables (parquet), the ground truth and the mess manifest."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from leadscore.demo.generator import catalog, mess
from leadscore.demo.generator.config import DAY, GeneratorConfig
from leadscore.demo.generator.events import event_rate_scale, make_events_chunk
from leadscore.demo.generator.journey import Journeys, simulate
from leadscore.demo.generator.population import (
    EXPERIMENT_NAME,
    Accounts,
    Leads,
    make_accounts,
    make_leads,
    pick_spelling,
    record_ids,
    sigmoid,
)

STAGES = ("lead", "mql", "sql", "opportunity", "customer")

RAW_TABLES = (
    "accounts",
    "leads",
    "events",
    "lifecycle_stage_changes",
    "opportunities",
    "sales_feedback",
    "experiment_assignments",
)
TRUTH_DIR = "_ground_truth"
# the reasons staging gives planted event mess, in its order of precedence
EVENT_QUARANTINE_REASONS = (
    "unparseable_occurred_at",
    "unknown_lead",
    "lead_quarantined",
    "future_dated",
    "unknown_event_type",
    "invalid_duration",
)
MANIFEST = "_manifest.json"
FIRST_NAMES = ("alex", "maria", "john", "li", "fatima", "sam", "priya", "lucas", "emma", "omar")
LAST_NAMES = ("smith", "garcia", "chen", "muller", "kowalski", "okafor", "rossi", "silva", "kim")
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com")


def generate(
    cfg: GeneratorConfig, out: Path, log: Callable[[str], None] = print
) -> dict[str, object]:
    """Generate the demo CRM into `out` (replacing it) and return the manifest."""
    t0 = time.perf_counter()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = np.random.default_rng(cfg.seed)
    accounts = make_accounts(cfg, rng)
    leads = make_leads(cfg, accounts, rng)
    journeys = simulate(cfg, leads.created_ts, leads.multiplier, leads.dormancy, rng)
    log(f"generate: {leads.n:,} leads, {accounts.n:,} accounts (seed {cfg.seed})")

    counts: dict[str, int] = {}
    lead_frame, dup_of, dup_created, quarantined = _leads_table(
        cfg, leads, accounts, journeys, rng, counts
    )
    _write(out, "accounts", _accounts_table(accounts, rng))
    _write(out, "leads", lead_frame)
    rows = {"accounts": accounts.n, "leads": lead_frame.height}
    rows["events"] = _write_events(
        cfg,
        out,
        leads,
        journeys,
        dup_of,
        dup_created,
        lead_frame,
        quarantined,
        rng,
        counts,
        log,
    )
    for name, frame in (
        (
            "lifecycle_stage_changes",
            _stage_table(cfg, leads, journeys, rng, quarantined, counts),
        ),
        ("opportunities", _opportunity_table(cfg, leads, accounts, journeys, rng)),
        ("sales_feedback", _feedback_table(cfg, leads, journeys, rng)),
        ("experiment_assignments", _experiment_table(cfg, leads, rng)),
    ):
        _write(out, name, frame)
        rows[name] = frame.height
    _write_truth(cfg, out, leads, journeys)
    manifest: dict[str, object] = {
        "config": cfg.as_dict(),
        "rows": rows,
        "planted": counts,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    log(f"generate: wrote {', '.join(f'{k}={v:,}' for k, v in rows.items())} to {out}")
    return manifest


def _write(out: Path, table: str, frame: pl.DataFrame, part: int = 0) -> None:
    folder = out / table
    folder.mkdir(exist_ok=True)
    # zstd level 1: as small as the default level within 2%, and faster to write
    frame.write_parquet(
        folder / f"part-{part:05d}.parquet", compression="zstd", compression_level=1
    )


def _accounts_table(accounts: Accounts, rng: np.random.Generator) -> pl.DataFrame:
    n = accounts.n
    spellings = [v[1] for v in catalog.COUNTRIES.values()]
    country = pick_spelling(spellings, accounts.country, rng)
    employees = accounts.employees.astype(float)
    employees[rng.random(n) < 0.05] = np.nan
    revenue = accounts.revenue.copy()
    revenue[rng.random(n) < 0.10] = np.nan
    return pl.DataFrame(
        {
            "account_id": record_ids(np.arange(n), "A", 7),
            "company_name": accounts.name,
            "domain": accounts.domain,
            "industry": pl.Series(list(catalog.INDUSTRIES)).gather(accounts.industry),
            "employee_count": pl.Series(employees).fill_nan(None).cast(pl.Int64),
            "annual_revenue": pl.Series(revenue).fill_nan(None),
            "country": country,
            "tech_stack": _tech_stacks(accounts.tech, rng),
        }
    )


def _tech_stacks(tech: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """Each account's tools as one delimited string ('; ', ',' or ' | '), a tool written
    in title case 30% of the time; null when the account uses none."""
    tools = list(catalog.TECH_TOOLS)
    n = len(tech)
    titled = rng.random(tech.shape) >= 0.7
    delimiter = rng.integers(0, 3, n)
    columns = {
        f"t{k}": pl.when(pl.Series(tech[:, k])).then(
            pl.when(pl.Series(titled[:, k])).then(pl.lit(tool.title())).otherwise(pl.lit(tool))
        )
        for k, tool in enumerate(tools)
    }
    frame = pl.DataFrame({"delimiter": delimiter}).with_columns(**columns)
    joined = [
        pl.concat_str([pl.col(c) for c in columns], separator=sep, ignore_nulls=True)
        for sep in ("; ", ",", " | ")
    ]
    return frame.select(
        pl.when(pl.col("delimiter") == 0)
        .then(joined[0])
        .when(pl.col("delimiter") == 1)
        .then(joined[1])
        .otherwise(joined[2])
        .replace("", None)
        .alias("tech_stack")
    )["tech_stack"]


LEAD_COLUMNS = [
    "lead_id",
    "email",
    "job_title",
    "company_name",
    "company_domain",
    "account_id",
    "lead_source",
    "country",
    "created_at",
    "updated_at",
    "owner_id",
    "is_deleted",
    "email_bounced",
    "unsubscribed",
    "budget_range",
    "purchase_timeline",
    "stated_need",
]


def _leads_table(
    cfg: GeneratorConfig,
    leads: Leads,
    accounts: Accounts,
    journeys: Journeys,
    rng: np.random.Generator,
    counts: dict[str, int],
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The leads export, with duplicate people. Returns the table, the lead index of
    each duplicate record (record n + i duplicates lead dup_of[i]), its creation time
    and the mask of records quarantined for an unparseable created_at (by record
    number: leads first, then duplicates)."""
    n = leads.n
    contact = _contact_columns(leads, accounts, rng)
    last_change = np.nanmax(
        np.where(journeys.stage_ts < cfg.export_ts, journeys.stage_ts, np.nan), axis=1
    )
    updated = np.maximum(leads.created_ts, np.nan_to_num(last_change, nan=0)).astype(np.int64)
    # duplicates: the same person again, e-mail in another letter case, created later
    is_dup_source = rng.random(n) < cfg.duplicate_rate
    flags = mess.choose_disjoint(rng, n, {"deleted": cfg.deleted_rate})
    flags["deleted"] &= ~is_dup_source  # a person is deleted only when every record is
    bounced = rng.random(n) < cfg.bounced_rate
    unsub = rng.random(n) < cfg.unsubscribed_rate * 2 * sigmoid(-leads.intent)

    def answer(values: tuple, idx: np.ndarray) -> pl.Series:
        labels = pl.Series([v[0] if isinstance(v, tuple) else v for v in values] + [None])
        return labels.gather(np.where(idx < 0, len(values), idx))

    base = pl.DataFrame(
        {
            "lead_id": leads.ids(),
            "email": contact["email"],
            "job_title": contact["title"],
            "company_name": accounts.name.gather(leads.account),
            "company_domain": contact["lead_domain"],
            "account_id": accounts.account_id.gather(leads.account),
            "lead_source": contact["source"],
            "country": contact["country"],
            "created_ts": leads.created_ts,
            "updated_ts": updated,
            "owner_id": "U" + pl.Series(rng.integers(1, catalog.N_OWNERS + 1, n)).cast(pl.String),
            "is_deleted": flags["deleted"],
            "email_bounced": bounced,
            "unsubscribed": unsub,
            "budget_range": answer(catalog.BUDGETS, leads.budget),
            "purchase_timeline": answer(catalog.TIMELINES, leads.timeline),
            "stated_need": answer(catalog.NEEDS, leads.need),
        },
    )
    dups, src, dup_created = _duplicate_records(cfg, base, leads, is_dup_source, rng)
    frame = pl.concat([base, dups])
    # an unparseable created_at quarantines the record: never on a duplicated person
    solo = np.concatenate([~is_dup_source, np.zeros(len(src), dtype=bool)])
    created_str, bad_created, odd_created = mess.format_timestamps(
        frame["created_ts"].to_numpy(), rng, cfg.unparseable_timestamp_rate, solo
    )
    updated_str, _, _ = mess.format_timestamps(frame["updated_ts"].to_numpy(), rng)
    frame = frame.with_columns(created_at=created_str, updated_at=updated_str).drop(
        "created_ts", "updated_ts"
    )
    unmapped, blank_source = contact["unmapped"], contact["blank_source"]
    counts["leads_duplicate_records"] = len(src)
    counts["leads_unparseable_created_at"] = int(bad_created.sum())
    counts["leads_noncanonical_created_at"] = int(odd_created.sum())
    counts["leads_missing_country"] = int(frame["country"].null_count())
    counts["leads_missing_job_title"] = int(frame["job_title"].null_count())
    counts["leads_unmapped_source"] = int(unmapped.sum() + unmapped[src].sum())
    counts["leads_missing_source"] = int(blank_source.sum() + blank_source[src].sum())
    counts["leads_deleted"] = int(flags["deleted"].sum())
    order = rng.permutation(frame.height)  # exports are not sorted
    return frame[order].select(LEAD_COLUMNS), src, dup_created, bad_created


def _contact_columns(leads: Leads, accounts: Accounts, rng: np.random.Generator) -> dict:
    """E-mail, source, country and title as a CRM export holds them: personal e-mail
    domains, source spellings (some unknown to the mapping, some blank), country
    spellings and blanks, missing titles. Also the masks of unmapped and blank sources."""
    n = leads.n
    first = pl.Series(FIRST_NAMES).gather(rng.integers(0, len(FIRST_NAMES), n))
    last = pl.Series(LAST_NAMES).gather(rng.integers(0, len(LAST_NAMES), n))
    lead_domain = accounts.domain.gather(leads.account)
    personal = rng.random(n) < 0.10
    personal_domain = pl.Series(PERSONAL_DOMAINS).gather(rng.integers(0, 3, n))
    email_domain = pl.select(
        pl.when(pl.Series(personal)).then(personal_domain).otherwise(lead_domain)
    ).to_series()
    number = pl.Series(np.arange(n)).cast(pl.String)
    email = first + "." + last + number + "@" + email_domain

    spell = [catalog.CHANNELS[c][2] for c in catalog.CHANNELS]
    source = pick_spelling(spell, leads.channel, rng)
    unmapped = rng.random(n) < 0.01
    unmapped_rows = np.flatnonzero(unmapped)
    source = source.scatter(
        unmapped_rows,
        pl.Series(catalog.UNMAPPED_SOURCES).gather(rng.integers(0, 3, len(unmapped_rows))),
    )
    blank_source = ~unmapped & (rng.random(n) < 0.01)
    source = source.scatter(np.flatnonzero(blank_source), None)
    country_spell = [v[1] for v in catalog.COUNTRIES.values()]
    country = pick_spelling(country_spell, leads.country, rng)
    country = country.scatter(np.flatnonzero(rng.random(n) < 0.03), None)
    title = leads.title.clone().scatter(np.flatnonzero(rng.random(n) < 0.05), None)
    return {
        "email": email,
        "lead_domain": lead_domain,
        "source": source,
        "country": country,
        "title": title,
        "unmapped": unmapped,
        "blank_source": blank_source,
    }


def _duplicate_records(
    cfg: GeneratorConfig,
    base: pl.DataFrame,
    leads: Leads,
    is_dup_source: np.ndarray,
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """A second record of some people: created later (before the export), e-mail in
    another letter case, title sometimes dropped. Returns the records, the lead index
    each duplicates and its creation time."""
    n = leads.n
    src = np.flatnonzero(is_dup_source)
    dup_created = leads.created_ts[src] + rng.exponential(20 * DAY, len(src)).astype(np.int64)
    keep = dup_created < cfg.export_ts
    src, dup_created = src[keep], dup_created[keep]
    dups = base[src].with_columns(
        lead_id=record_ids(np.arange(n, n + len(src))),
        email=mess.vary_case(base["email"].gather(src), rng),
        created_ts=pl.Series(dup_created),
        updated_ts=pl.Series(dup_created),
        job_title=pl.when(pl.Series(rng.random(len(src)) < 0.3))
        .then(None)
        .otherwise(pl.col("job_title")),
        is_deleted=pl.lit(False),
    )
    return dups, src, dup_created


def _write_events(
    cfg: GeneratorConfig,
    out: Path,
    leads: Leads,
    journeys: Journeys,
    dup_of: np.ndarray,
    dup_created: np.ndarray,
    lead_frame: pl.DataFrame,
    quarantined: np.ndarray,
    rng: np.random.Generator,
    counts: dict[str, int],
    log: Callable[[str], None],
) -> int:
    """The events table, `cfg.chunk_leads` leads per parquet part, with its mess."""
    scale = event_rate_scale(cfg, leads, journeys)
    # a duplicate record collects some of its person's events after it was created
    dup_created_at = np.full(leads.n, np.iinfo(np.int64).max)
    dup_created_at[dup_of] = dup_created
    dup_record = np.full(leads.n, -1, dtype=np.int64)
    dup_record[dup_of] = leads.n + np.arange(len(dup_of))
    originals = lead_frame.filter(pl.col("lead_id").str.slice(1).cast(pl.Int64) < leads.n)
    originals = originals.sort("lead_id")
    unsubscribed = originals["unsubscribed"].to_numpy()
    bounced = originals["email_bounced"].to_numpy()
    record_id_table = record_ids(np.arange(leads.n + len(dup_of)))  # leads, then duplicates
    total = 0
    tally = {
        f"events_{k}": 0
        for k in (
            *EVENT_QUARANTINE_REASONS,
            "type_variant",
            "on_duplicate_records",
            "noncanonical_occurred_at",
        )
    }
    for part, lo in enumerate(range(0, leads.n, cfg.chunk_leads)):
        hi = min(lo + cfg.chunk_leads, leads.n)
        ev = make_events_chunk(cfg, leads, journeys, lo, hi, scale, rng)
        neg = _negative_signal_events(cfg, leads, lo, hi, unsubscribed, bounced, rng)
        ev = {k: np.concatenate([v, neg[k]]) for k, v in ev.items()}
        # by lead, then time: one sort key (events lie between start and export)
        order = np.argsort((ev["lead"] - lo) * 2**32 + (ev["ts"] - cfg.start_ts))
        ev = {k: v[order] for k, v in ev.items()}
        frame, chunk_tally = _event_mess(
            cfg, ev, dup_created_at, dup_record, quarantined, record_id_table, total, rng
        )
        for k, v in chunk_tally.items():
            tally[k] += v
        _write(out, "events", frame, part)
        total += frame.height
        log(f"generate: events for leads {lo:,}-{hi:,}: {frame.height:,} rows")
    counts.update(tally)
    return total


# event type codes: the catalog's types, then the negative signals, the spelling
# variants staging normalises and the types no mapping knows
EVENT_VOCABULARY = (
    *catalog.EVENT_TYPES,
    "unsubscribe",
    "email_bounce",
    *catalog.EVENT_TYPE_VARIANTS.values(),
    *catalog.UNKNOWN_EVENT_TYPES,
)
UNSUBSCRIBE = EVENT_VOCABULARY.index("unsubscribe")
EMAIL_BOUNCE = EVENT_VOCABULARY.index("email_bounce")


def _event_mess(
    cfg: GeneratorConfig,
    ev: dict[str, np.ndarray],
    dup_created_at: np.ndarray,
    dup_record: np.ndarray,
    quarantined: np.ndarray,
    record_id_table: pl.Series,
    first_id: int,
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Clean coded events (sorted by lead and time) -> the exported rows, with events
    moved to duplicate records, unknown leads, future dates, bad durations, unknown and
    oddly spelled types and mixed timestamp formats; and the count of each kind."""
    n = len(ev["ts"])
    lead_idx = ev["lead"]
    ts = ev["ts"].copy()
    etype = ev["etype"].astype(np.int16)
    dur = ev["duration"].copy()
    moved = (ts > dup_created_at[lead_idx]) & (rng.random(n) < 0.3)
    masks = mess.choose_disjoint(
        rng,
        n,
        {
            "unknown_lead": cfg.unknown_lead_event_rate,
            "future": cfg.future_event_rate,
            "bad_duration": cfg.bad_duration_rate,
            "unknown_type": cfg.unknown_event_type_rate,
            "variant": 0.01,
        },
    )
    unknown = masks["unknown_lead"]
    unknown_rows = np.flatnonzero(unknown)
    unknown_number = rng.integers(10**7, 10**8, len(unknown_rows))
    moved &= ~unknown
    future = masks["future"]
    ts[future] += rng.integers(20 * 365, 40 * 365, future.sum()) * DAY
    bad_dur = masks["bad_duration"]
    k = int(bad_dur.sum())
    dur[bad_dur] = np.where(
        rng.random(k) < 0.7, -rng.integers(1, 5000, k), rng.integers(10**7, 10**9, k)
    )
    unk_type = masks["unknown_type"]
    etype[unk_type] = EVENT_VOCABULARY.index(catalog.UNKNOWN_EVENT_TYPES[0]) + rng.integers(
        0, 2, unk_type.sum()
    )
    variant_of = np.full(len(EVENT_VOCABULARY), -1)
    for name, spelled in catalog.EVENT_TYPE_VARIANTS.items():
        variant_of[EVENT_VOCABULARY.index(name)] = EVENT_VOCABULARY.index(spelled)
    variant = masks["variant"] & (variant_of[etype] >= 0)
    etype[variant] = variant_of[etype[variant]]
    occurred, bad_ts, odd_ts = mess.format_timestamps(ts, rng, cfg.unparseable_timestamp_rate)
    # events moved to a duplicate record carry no other mess
    moved &= ~(bad_ts | future | bad_dur | unk_type)
    record = np.where(moved, dup_record[lead_idx], lead_idx)
    of_quarantined = ~unknown & quarantined[record]
    # the reason staging will give, in its order of precedence
    reason = np.select(
        [bad_ts, unknown, of_quarantined, future, unk_type, bad_dur],
        np.arange(1, len(EVENT_QUARANTINE_REASONS) + 1),
        default=0,
    )
    per_reason = np.bincount(reason, minlength=len(EVENT_QUARANTINE_REASONS) + 1)
    tally = {
        f"events_{name}": int(per_reason[i + 1]) for i, name in enumerate(EVENT_QUARANTINE_REASONS)
    }
    clean = reason == 0
    tally["events_type_variant"] = int((variant & clean).sum())
    tally["events_on_duplicate_records"] = int((moved & clean).sum())
    tally["events_noncanonical_occurred_at"] = int(odd_ts.sum())
    lead_id = record_id_table.gather(record).scatter(
        unknown_rows, "X" + pl.Series(unknown_number).cast(pl.String)
    )
    pages = pl.Series([*catalog.PAGES, None])
    devices = pl.Series([*catalog.DEVICES, None])
    campaign = pl.Series(ev["campaign"])
    frame = pl.DataFrame(
        {
            "event_id": record_ids(np.arange(first_id, first_id + n), "E", 10),
            "lead_id": lead_id,
            "occurred_at": occurred,
            "event_type": pl.Series(EVENT_VOCABULARY).gather(etype),
            "page_path": pages.gather(np.where(ev["page"] < 0, len(pages) - 1, ev["page"])),
            "campaign_id": pl.select(
                pl.when(campaign > 0).then("CMP-" + campaign.cast(pl.String))
            ).to_series(),
            "device_type": devices.gather(
                np.where(ev["device"] < 0, len(devices) - 1, ev["device"])
            ),
            "session_id": "S" + pl.Series(lead_idx * 1000 + (ts // DAY) % 1000).cast(pl.String),
            "duration_seconds": pl.Series(dur).fill_nan(None).cast(pl.Int64),
        }
    )
    return frame, tally


def _negative_signal_events(
    cfg: GeneratorConfig,
    leads: Leads,
    lo: int,
    hi: int,
    unsubscribed: np.ndarray,
    bounced: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """One 'unsubscribe' / 'email_bounce' event for every lead flagged so, in the first
    120 days of its life (no page, campaign, device or duration)."""
    lead, ts, etype = [], [], []
    for code, flag in ((UNSUBSCRIBE, unsubscribed), (EMAIL_BOUNCE, bounced)):
        idx = np.arange(lo, hi)[flag[lo:hi]]
        end = np.minimum(leads.created_ts[idx] + 120 * DAY, cfg.export_ts)
        span = np.maximum(end - leads.created_ts[idx], 3600)
        t = leads.created_ts[idx] + (rng.random(len(idx)) * span).astype(np.int64)
        keep = t < cfg.export_ts
        lead.append(idx[keep])
        ts.append(t[keep])
        etype.append(np.full(int(keep.sum()), code))
    n = sum(len(x) for x in lead)
    return {
        "lead": np.concatenate(lead).astype(np.int64),
        "ts": np.concatenate(ts).astype(np.int64),
        "etype": np.concatenate(etype).astype(np.int8),
        "page": np.full(n, -1, dtype=np.int8),
        "campaign": np.zeros(n, dtype=np.int16),
        "device": np.full(n, -1, dtype=np.int8),
        "duration": np.full(n, np.nan),
    }


def _stage_table(
    cfg: GeneratorConfig,
    leads: Leads,
    journeys: Journeys,
    rng: np.random.Generator,
    quarantined: np.ndarray,
    counts: dict[str, int],
) -> pl.DataFrame:
    parts = []
    names = [*STAGES, "disqualified"]
    times = np.column_stack([journeys.stage_ts, journeys.disqualified_ts])
    for k, name in enumerate(names):
        t = times[:, k]
        m = ~np.isnan(t) & (t < cfg.export_ts)
        parts.append(pl.DataFrame({"lead": np.flatnonzero(m), "stage": name, "ts": t[m]}))
    frame = pl.concat(parts).with_columns(pl.col("ts").cast(pl.Int64))
    shout = rng.random(frame.height) < 0.1  # 'MQL', 'Customer': staging lower-cases
    stage = pl.select(
        pl.when(pl.Series(shout)).then(frame["stage"].str.to_uppercase()).otherwise(frame["stage"])
    ).to_series()
    changed, _, odd = mess.format_timestamps(frame["ts"].to_numpy(), rng)
    of_quarantined = quarantined[frame["lead"].to_numpy()]
    counts["stage_changes_lead_quarantined"] = int(of_quarantined.sum())
    counts["stage_changes_stage_variant"] = int(shout.sum())
    counts["stage_changes_noncanonical_changed_at"] = int(odd.sum())
    out = pl.DataFrame(
        {"lead_id": leads.ids(frame["lead"].to_numpy()), "stage": stage, "changed_at": changed}
    )
    return out[rng.permutation(out.height)]


def _opportunity_table(
    cfg: GeneratorConfig,
    leads: Leads,
    accounts: Accounts,
    journeys: Journeys,
    rng: np.random.Generator,
) -> pl.DataFrame:
    opp_ts = journeys.stage_ts[:, 3]
    m = ~np.isnan(opp_ts) & (opp_ts < cfg.export_ts)
    idx = np.flatnonzero(m)
    won = ~np.isnan(journeys.stage_ts[idx, 4])
    closed = np.where(won, journeys.stage_ts[idx, 4], journeys.disqualified_ts[idx])
    is_closed = ~np.isnan(closed) & (closed < cfg.export_ts)
    employees = accounts.employees[leads.account[idx]]
    amount = np.round(rng.lognormal(np.log(employees * 40.0 + 5000.0), 0.6), -2)
    created, _, _ = mess.format_timestamps(opp_ts[idx].astype(np.int64), rng)
    closed_str, _, _ = mess.format_timestamps(np.where(is_closed, closed, 0).astype(np.int64), rng)
    return (
        pl.DataFrame(
            {
                "opportunity_id": record_ids(np.arange(len(idx)), "O"),
                "lead_id": leads.ids(idx),
                "account_id": accounts.account_id.gather(leads.account[idx]),
                "created_at": created,
                "closed_at": closed_str,
                "is_closed": is_closed,
                "is_won": won,
                "amount": amount,
            }
        )
        .with_columns(
            closed_at=pl.when("is_closed").then("closed_at"),
            is_won=pl.when("is_closed").then("is_won"),
        )
        .drop("is_closed")
    )


def _feedback_table(
    cfg: GeneratorConfig, leads: Leads, journeys: Journeys, rng: np.random.Generator
) -> pl.DataFrame:
    """Rep verdicts, always after the rep worked the lead: on 60% of SQLs 1-10 days
    after the hand-off, and on 30% of MQLs 1-14 days after the MQL while the lead is
    still with marketing (before any SQL or disqualification). A rep accepts a lead
    (good_fit) with probability 0.15 + 0.6 x the lead's rank of p_convert: reps judge
    fit as the oracle does, without knowing the outcome, and reject some of the leads
    the model ranks hot; rejections are bad_fit or not_ready, half each."""
    sql_ts = journeys.stage_ts[:, 2]
    t = sql_ts + rng.uniform(1, 10, leads.n) * DAY
    m = ~np.isnan(sql_ts) & (t < cfg.export_ts) & (rng.random(leads.n) < 0.6)
    rank = np.argsort(np.argsort(leads.p_convert, kind="stable"), kind="stable") / leads.n
    p_accept = 0.15 + 0.6 * rank
    good = rng.random(leads.n) < p_accept
    verdict = np.where(
        good, "good_fit", np.where(rng.random(leads.n) < 0.5, "bad_fit", "not_ready")
    )
    created, _, _ = mess.format_timestamps(t[m].astype(np.int64), rng)
    # MQL triage: an own random stream, so every other table stays as it was
    triage = np.random.default_rng([cfg.seed, 16])
    mql_ts = journeys.stage_ts[:, 1]
    t_mql = mql_ts + triage.uniform(1, 14, leads.n) * DAY
    ends = np.fmin(np.fmin(sql_ts, journeys.disqualified_ts), float(cfg.export_ts))
    m_mql = ~np.isnan(mql_ts) & (t_mql < ends) & (triage.random(leads.n) < 0.3)
    good_mql = triage.random(leads.n) < p_accept
    verdict_mql = np.where(
        good_mql, "good_fit", np.where(triage.random(leads.n) < 0.5, "bad_fit", "not_ready")
    )
    created_mql, _, _ = mess.format_timestamps(t_mql[m_mql].astype(np.int64), triage)
    return pl.DataFrame(
        {
            "lead_id": pl.concat([leads.ids(m), leads.ids(m_mql)]),
            "rep_id": "U"
            + pl.Series(
                np.concatenate(
                    [
                        rng.integers(1, catalog.N_OWNERS + 1, m.sum()),
                        triage.integers(1, catalog.N_OWNERS + 1, m_mql.sum()),
                    ]
                )
            ).cast(pl.String),
            "verdict": np.concatenate([verdict[m], verdict_mql[m_mql]]),
            "created_at": pl.concat([created, created_mql]),
        }
    )


def _experiment_table(cfg: GeneratorConfig, leads: Leads, rng: np.random.Generator) -> pl.DataFrame:
    t = leads.created_ts + rng.integers(60, DAY, leads.n)
    m = leads.in_experiment & (t < cfg.export_ts)
    assigned, _, _ = mess.format_timestamps(t[m], rng)
    return pl.DataFrame(
        {
            "lead_id": leads.ids(m),
            "experiment_id": EXPERIMENT_NAME,
            "variant": np.where(leads.treatment[m], "treatment", "control"),
            "assigned_at": assigned,
        }
    )


def _write_truth(cfg: GeneratorConfig, out: Path, leads: Leads, journeys: Journeys) -> None:
    """Latent truth, never read by the models, for the oracle of the benchmark."""
    folder = out / TRUTH_DIR
    folder.mkdir()
    pl.DataFrame(
        {
            "lead_id": leads.ids(),
            "created_ts": leads.created_ts,
            "p_convert": leads.p_convert,
            "multiplier": leads.multiplier,
            "dormancy": leads.dormancy,
            "intent": leads.intent,
            "fit": leads.fit,
            "visits_pricing": leads.visits_pricing,
            "early_sequence": leads.early_sequence,
            "planted_segment": leads.planted_segment,
            "treatment": leads.treatment,
        }
    ).write_parquet(folder / "lead_truth.parquet")
    names = [*STAGES, "disqualified"]
    times = np.column_stack([journeys.stage_ts, journeys.disqualified_ts])
    parts = []
    for k, name in enumerate(names):
        m = ~np.isnan(times[:, k])
        parts.append(pl.DataFrame({"lead_id": leads.ids(m), "stage": name, "ts": times[m, k]}))
    pl.concat(parts).with_columns(pl.col("ts").cast(pl.Int64)).write_parquet(
        folder / "stage_truth.parquet"
    )
    pl.DataFrame(
        {
            "lead_id": leads.ids(journeys.flip_lead),
            "ts": journeys.flip_ts.astype(np.int64),
            "engaged": journeys.flip_to,
        }
    ).write_parquet(folder / "engagement_truth.parquet")
