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
    lead_frame, dup_of, dup_created, quarantined_ids = _leads_table(
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
        quarantined_ids,
        rng,
        counts,
        log,
    )
    for name, frame in (
        (
            "lifecycle_stage_changes",
            _stage_table(cfg, leads, journeys, rng, quarantined_ids, counts),
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
    frame.write_parquet(folder / f"part-{part:05d}.parquet", compression="zstd")


def _accounts_table(accounts: Accounts, rng: np.random.Generator) -> pl.DataFrame:
    n = accounts.n
    tools = np.array(catalog.TECH_TOOLS)
    delims = ("; ", ",", " | ")
    stack = []
    for row in accounts.tech:
        chosen = [t if rng.random() < 0.7 else t.title() for t in tools[row]]
        stack.append(delims[rng.integers(0, 3)].join(chosen) if chosen else None)
    spellings = [v[1] for v in catalog.COUNTRIES.values()]
    country = [spellings[c][rng.integers(0, len(spellings[c]))] for c in accounts.country]
    employees = accounts.employees.astype(float)
    employees[rng.random(n) < 0.05] = np.nan
    revenue = accounts.revenue.copy()
    revenue[rng.random(n) < 0.10] = np.nan
    return pl.DataFrame(
        {
            "account_id": accounts.account_id,
            "company_name": accounts.name,
            "domain": accounts.domain,
            "industry": np.array(list(catalog.INDUSTRIES))[accounts.industry],
            "employee_count": pl.Series(employees).fill_nan(None).cast(pl.Int64),
            "annual_revenue": pl.Series(revenue).fill_nan(None),
            "country": country,
            "tech_stack": stack,
        }
    )


def _leads_table(
    cfg: GeneratorConfig,
    leads: Leads,
    accounts: Accounts,
    journeys: Journeys,
    rng: np.random.Generator,
    counts: dict[str, int],
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    n = leads.n
    first = np.array(FIRST_NAMES)[rng.integers(0, len(FIRST_NAMES), n)]
    last = np.array(LAST_NAMES)[rng.integers(0, len(LAST_NAMES), n)]
    lead_domain = accounts.domain[leads.account]
    personal = rng.random(n) < 0.10
    email_domain = np.where(
        personal, np.array(PERSONAL_DOMAINS)[rng.integers(0, 3, n)], lead_domain
    )
    email = np.char.add(
        np.char.add(np.char.add(first, "."), np.char.add(last, np.arange(n).astype(str))),
        np.char.add("@", email_domain.astype(str)),
    ).astype(object)

    channel_names = list(catalog.CHANNELS)
    spell = [catalog.CHANNELS[c][2] for c in channel_names]
    source = np.array(
        [spell[c][rng.integers(0, len(spell[c]))] for c in leads.channel], dtype=object
    )
    unmapped = rng.random(n) < 0.01
    source[unmapped] = np.array(catalog.UNMAPPED_SOURCES)[rng.integers(0, 3, unmapped.sum())]
    blank_source = ~unmapped & (rng.random(n) < 0.01)
    source[blank_source] = None
    country_spell = [v[1] for v in catalog.COUNTRIES.values()]
    country = np.array(
        [country_spell[c][rng.integers(0, len(country_spell[c]))] for c in leads.country],
        dtype=object,
    )
    country[rng.random(n) < 0.03] = None
    title = leads.title.astype(object)
    title[rng.random(n) < 0.05] = None

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

    def answer(values: tuple, idx: np.ndarray) -> np.ndarray:
        labels = np.array([v[0] if isinstance(v, tuple) else v for v in values] + [None])
        return labels[np.where(idx < 0, len(values), idx)].tolist()

    base = pl.DataFrame(
        {
            "lead_id": leads.lead_id,
            "email": email.tolist(),
            "job_title": title.tolist(),
            "company_name": accounts.name[leads.account],
            "company_domain": lead_domain,
            "account_id": accounts.account_id[leads.account],
            "lead_source": source.tolist(),
            "country": country.tolist(),
            "created_ts": leads.created_ts,
            "updated_ts": updated,
            "owner_id": np.char.add("U", (rng.integers(1, catalog.N_OWNERS + 1, n)).astype(str)),
            "is_deleted": flags["deleted"],
            "email_bounced": bounced,
            "unsubscribed": unsub,
            "budget_range": answer(catalog.BUDGETS, leads.budget),
            "purchase_timeline": answer(catalog.TIMELINES, leads.timeline),
            "stated_need": answer(catalog.NEEDS, leads.need),
        },
        schema_overrides={
            c: pl.String
            for c in (
                "email",
                "job_title",
                "lead_source",
                "country",
                "budget_range",
                "purchase_timeline",
                "stated_need",
            )
        },
    )
    src = np.flatnonzero(is_dup_source)
    dup_created = leads.created_ts[src] + rng.exponential(20 * DAY, len(src)).astype(np.int64)
    keep = dup_created < cfg.export_ts
    src, dup_created = src[keep], dup_created[keep]
    dup_ids = np.array([f"L{n + i:08d}" for i in range(len(src))])
    dups = base[src].with_columns(
        lead_id=pl.Series(dup_ids, dtype=pl.String),
        email=pl.Series(mess.vary_case(email[src], rng).tolist(), dtype=pl.String),
        created_ts=pl.Series(dup_created),
        updated_ts=pl.Series(dup_created),
        job_title=pl.when(pl.Series(rng.random(len(src)) < 0.3))
        .then(None)
        .otherwise(pl.col("job_title")),
        is_deleted=pl.lit(False),
    )
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
    counts["leads_duplicate_records"] = len(src)
    counts["leads_unparseable_created_at"] = int(bad_created.sum())
    counts["leads_noncanonical_created_at"] = int(odd_created.sum())
    counts["leads_missing_country"] = int(frame["country"].null_count())
    counts["leads_missing_job_title"] = int(frame["job_title"].null_count())
    counts["leads_unmapped_source"] = int(unmapped.sum() + unmapped[src].sum())
    counts["leads_missing_source"] = int(blank_source.sum() + blank_source[src].sum())
    counts["leads_deleted"] = int(flags["deleted"].sum())
    quarantined_ids = frame["lead_id"].to_numpy()[bad_created]
    order = rng.permutation(frame.height)  # exports are not sorted
    cols = [
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
    return frame[order].select(cols), src, dup_created, quarantined_ids


def _write_events(
    cfg: GeneratorConfig,
    out: Path,
    leads: Leads,
    journeys: Journeys,
    dup_of: np.ndarray,
    dup_created: np.ndarray,
    lead_frame: pl.DataFrame,
    quarantined_ids: np.ndarray,
    rng: np.random.Generator,
    counts: dict[str, int],
    log: Callable[[str], None],
) -> int:
    scale = event_rate_scale(cfg, leads, journeys)
    # a duplicate record collects some of its person's events after it was created
    dup_created_at = np.full(leads.n, np.iinfo(np.int64).max)
    dup_created_at[dup_of] = dup_created
    dup_id_of = np.empty(leads.n, dtype=object)
    dup_id_of[dup_of] = [f"L{leads.n + i:08d}" for i in range(len(dup_of))]
    unsub_flag = lead_frame.filter(pl.col("lead_id").str.slice(1).cast(pl.Int64) < leads.n)
    unsub_flag = unsub_flag.sort("lead_id")
    total = 0
    tally = {
        f"events_{k}": 0
        for k in (*EVENT_QUARANTINE_REASONS, "type_variant", "on_duplicate_records",
                  "noncanonical_occurred_at")
    }  # fmt: skip
    unsubscribed = unsub_flag["unsubscribed"].to_numpy()
    bounced = unsub_flag["email_bounced"].to_numpy()
    for part, lo in enumerate(range(0, leads.n, cfg.chunk_leads)):
        hi = min(lo + cfg.chunk_leads, leads.n)
        ev = make_events_chunk(cfg, leads, journeys, lo, hi, scale, rng)
        ev = pl.concat(
            [ev, _negative_signal_events(cfg, leads, journeys, lo, hi, unsubscribed, bounced, rng)]
        )
        ev = ev.sort("lead_idx", "occurred_ts")
        n = ev.height
        lead_idx = ev["lead_idx"].to_numpy()
        ts = ev["occurred_ts"].to_numpy().copy()
        lead_id = leads.lead_id[lead_idx].astype(object)
        moved = (ts > dup_created_at[lead_idx]) & (rng.random(n) < 0.3)
        lead_id[moved] = dup_id_of[lead_idx[moved]]
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
        lead_id[unknown] = np.char.add("X", rng.integers(10**7, 10**8, unknown.sum()).astype(str))
        moved &= ~unknown
        future = masks["future"]
        ts[future] += rng.integers(20 * 365, 40 * 365, future.sum()) * DAY
        etype = ev["event_type"].to_numpy().astype(object)
        bad_dur = masks["bad_duration"]
        dur = ev["duration_seconds"].to_numpy().astype(float)
        dur[bad_dur] = np.where(
            rng.random(bad_dur.sum()) < 0.7,
            -rng.integers(1, 5000, bad_dur.sum()),
            rng.integers(10**7, 10**9, bad_dur.sum()),
        )
        unk_type = masks["unknown_type"]
        etype[unk_type] = np.array(catalog.UNKNOWN_EVENT_TYPES)[rng.integers(0, 2, unk_type.sum())]
        variant = masks["variant"] & np.isin(etype, list(catalog.EVENT_TYPE_VARIANTS))
        etype[variant] = [catalog.EVENT_TYPE_VARIANTS[t] for t in etype[variant]]
        occurred, bad_ts, odd_ts = mess.format_timestamps(ts, rng, cfg.unparseable_timestamp_rate)
        # events moved to a duplicate record carry no other mess
        moved &= ~(bad_ts | future | bad_dur | unk_type)
        revert = ~moved & ~unknown
        lead_id[revert] = leads.lead_id[lead_idx[revert]]
        # the reason staging will give, in its order of precedence
        of_quarantined = np.isin(lead_id, quarantined_ids)
        reason = np.select(
            [bad_ts, unknown, of_quarantined, future, unk_type, bad_dur],
            list(EVENT_QUARANTINE_REASONS),
            default="",
        )
        for name in np.unique(reason[reason != ""]):
            tally[f"events_{name}"] += int((reason == name).sum())
        clean = reason == ""
        tally["events_type_variant"] += int((variant & clean).sum())
        tally["events_on_duplicate_records"] += int((moved & clean).sum())
        tally["events_noncanonical_occurred_at"] += int(odd_ts.sum())
        session = np.char.add(
            "S", (lead_idx.astype(np.int64) * 1000 + (ts // DAY) % 1000).astype(str)
        )
        frame = pl.DataFrame(
            {
                "event_id": pl.Series(np.arange(total, total + n)).cast(pl.String).str.zfill(10),
                "lead_id": pl.Series(lead_id.tolist(), dtype=pl.String),
                "occurred_at": occurred,
                "event_type": pl.Series(etype.tolist(), dtype=pl.String),
                "page_path": ev["page_path"],
                "campaign_id": ev["campaign_id"],
                "device_type": ev["device_type"],
                "session_id": session,
                "duration_seconds": pl.Series(dur).fill_nan(None).cast(pl.Int64),
            }
        ).with_columns(event_id=pl.lit("E") + pl.col("event_id"))
        _write(out, "events", frame, part)
        total += n
        log(f"generate: events for leads {lo:,}-{hi:,}: {n:,} rows")
    counts.update(tally)
    return total


def _negative_signal_events(
    cfg: GeneratorConfig,
    leads: Leads,
    journeys: Journeys,
    lo: int,
    hi: int,
    unsubscribed: np.ndarray,
    bounced: np.ndarray,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """One 'unsubscribe' / 'email_bounce' event for every lead flagged so."""
    frames = []
    for name, flag in (("unsubscribe", unsubscribed), ("email_bounce", bounced)):
        idx = np.arange(lo, hi)[flag[lo:hi]]
        end = np.minimum(leads.created_ts[idx] + 120 * DAY, cfg.export_ts)
        span = np.maximum(end - leads.created_ts[idx], 3600)
        ts = leads.created_ts[idx] + (rng.random(len(idx)) * span).astype(np.int64)
        keep = ts < cfg.export_ts
        frames.append(
            pl.DataFrame(
                {
                    "lead_idx": idx[keep].astype(np.int64),
                    "occurred_ts": ts[keep].astype(np.int64),
                    "event_type": [name] * int(keep.sum()),
                    "page_path": None,
                    "campaign_id": None,
                    "device_type": None,
                    "duration_seconds": None,
                },
                schema={
                    "lead_idx": pl.Int64,
                    "occurred_ts": pl.Int64,
                    "event_type": pl.String,
                    "page_path": pl.String,
                    "campaign_id": pl.String,
                    "device_type": pl.String,
                    "duration_seconds": pl.Int64,
                },
            )
        )
    return pl.concat(frames)


def _stage_table(
    cfg: GeneratorConfig,
    leads: Leads,
    journeys: Journeys,
    rng: np.random.Generator,
    quarantined_ids: np.ndarray,
    counts: dict[str, int],
) -> pl.DataFrame:
    parts = []
    names = [*STAGES, "disqualified"]
    times = np.column_stack([journeys.stage_ts, journeys.disqualified_ts])
    for k, name in enumerate(names):
        t = times[:, k]
        m = ~np.isnan(t) & (t < cfg.export_ts)
        parts.append(pl.DataFrame({"lead_id": leads.lead_id[m], "stage": name, "ts": t[m]}))
    frame = pl.concat(parts).with_columns(pl.col("ts").cast(pl.Int64))
    shout = rng.random(frame.height) < 0.1  # 'MQL', 'Customer': staging lower-cases
    stage = np.where(
        shout,
        np.char.upper(frame["stage"].to_numpy().astype(str)),
        frame["stage"].to_numpy().astype(str),
    )
    changed, _, odd = mess.format_timestamps(frame["ts"].to_numpy(), rng)
    of_quarantined = np.isin(frame["lead_id"].to_numpy(), quarantined_ids)
    counts["stage_changes_lead_quarantined"] = int(of_quarantined.sum())
    counts["stage_changes_stage_variant"] = int(shout.sum())
    counts["stage_changes_noncanonical_changed_at"] = int(odd.sum())
    out = pl.DataFrame({"lead_id": frame["lead_id"], "stage": stage, "changed_at": changed})
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
                "opportunity_id": [f"O{i:08d}" for i in range(len(idx))],
                "lead_id": leads.lead_id[idx],
                "account_id": accounts.account_id[leads.account[idx]],
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
            "lead_id": np.concatenate([leads.lead_id[m], leads.lead_id[m_mql]]),
            "rep_id": np.char.add(
                "U",
                np.concatenate(
                    [
                        rng.integers(1, catalog.N_OWNERS + 1, m.sum()),
                        triage.integers(1, catalog.N_OWNERS + 1, m_mql.sum()),
                    ]
                ).astype(str),
            ),
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
            "lead_id": leads.lead_id[m],
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
            "lead_id": leads.lead_id,
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
        parts.append(pl.DataFrame({"lead_id": leads.lead_id[m], "stage": name, "ts": times[m, k]}))
    pl.concat(parts).with_columns(pl.col("ts").cast(pl.Int64)).write_parquet(
        folder / "stage_truth.parquet"
    )
    pl.DataFrame(
        {
            "lead_id": leads.lead_id[journeys.flip_lead],
            "ts": journeys.flip_ts.astype(np.int64),
            "engaged": journeys.flip_to,
        }
    ).write_parquet(folder / "engagement_truth.parquet")
