"""The generator is deterministic, plants the patterns it claims, and counts its mess."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import polars as pl
import pytest

from leadscore.demo.generator import RAW_TABLES, GeneratorConfig, generate
from leadscore.demo.generator.config import DAY
from leadscore.demo.generator.journey import conversion_probability, dormancy_hazard, simulate

TINY = GeneratorConfig(n_leads=800, seed=3, events_per_lead=10)


def _read(folder, table):
    return pl.read_parquet(folder / table / "*.parquet")


def test_same_seed_gives_identical_tables(tmp_path):
    generate(TINY, tmp_path / "a", log=lambda _: None)
    generate(TINY, tmp_path / "b", log=lambda _: None)
    for table in RAW_TABLES:
        assert _read(tmp_path / "a", table).equals(_read(tmp_path / "b", table)), table


def test_other_seed_gives_other_data(tmp_path):
    generate(TINY, tmp_path / "a", log=lambda _: None)
    other = GeneratorConfig(n_leads=800, seed=4, events_per_lead=10)
    generate(other, tmp_path / "b", log=lambda _: None)
    assert not _read(tmp_path / "a", "events").equals(_read(tmp_path / "b", "events"))


def _conversion_by_day(stage, engaged, multiplier, dormancy, horizon_days):
    """The oracle as first written: the probability mass moved forward day by day."""
    from leadscore.demo.generator.journey import N_OPEN, daily_probabilities

    n = len(stage)
    mass = np.zeros((n, N_OPEN, 2))
    mass[np.arange(n), stage, engaged.astype(int)] = 1.0
    converted = np.zeros(n)
    per_state = []
    for e in (0, 1):
        s = np.broadcast_to(np.arange(N_OPEN), (n, N_OPEN))
        eng = np.full((n, N_OPEN), bool(e))
        per_state.append(daily_probabilities(s, eng, multiplier[:, None], dormancy[:, None]))
    for _ in range(horizon_days):
        new = np.zeros_like(mass)
        for e in (0, 1):
            p_adv, p_dq, p_flip = per_state[e]
            m = mass[:, :, e]
            stay = m * (1.0 - p_adv - p_dq)
            moved = m * p_adv
            converted += moved[:, 3]
            new[:, 1:, e] += moved[:, :3] * (1.0 - p_flip[:, :3])
            new[:, 1:, 1 - e] += moved[:, :3] * p_flip[:, :3]
            new[:, :, e] += stay * (1.0 - p_flip)
            new[:, :, 1 - e] += stay * p_flip
        mass = new
    return converted


@pytest.mark.parametrize("horizon", [1, 30, 90, 181])
def test_oracle_equals_the_day_by_day_computation(horizon):
    """The oracle (matrix powers) gives the day-by-day probabilities to float precision,
    in every start state, for multipliers from hopeless to saturated hazards."""
    rng = np.random.default_rng(8)
    n = 5_000
    stage = rng.integers(0, 4, n)
    engaged = rng.random(n) < 0.5
    multiplier = np.exp(rng.uniform(-6, 5, n))
    dormancy = dormancy_hazard(rng.normal(0, 1.5, n))
    exact = conversion_probability(stage, engaged, multiplier, dormancy, horizon, block=777)
    by_day = _conversion_by_day(stage, engaged, multiplier, dormancy, horizon)
    assert by_day.max() > 0.5 or horizon < 30  # the range covers likely converters
    np.testing.assert_allclose(exact, by_day, rtol=1e-10, atol=1e-13)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "crm"
    # no unparseable timestamps here, so every planted row has exactly one kind of mess
    cfg = GeneratorConfig(n_leads=20_000, seed=11, events_per_lead=5, unparseable_timestamp_rate=0)
    generate(cfg, out, log=lambda _: None)
    return out


def _outcomes(folder):
    """Per true lead: latent truth, channel and whether it became a customer in 90 days."""
    return duckdb.sql(
        f"""
        with truth as (select * from '{folder}/_ground_truth/lead_truth.parquet'),
        customers as (
            select lead_id, min(ts) as customer_ts
            from '{folder}/_ground_truth/stage_truth.parquet'
            where stage = 'customer' group by lead_id
        )
        select truth.*,
            coalesce(customers.customer_ts - truth.created_ts < 90 * 86400, false) as converted_90d
        from truth left join customers using (lead_id)
        where truth.created_ts < (select max(created_ts) from truth) - 90 * 86400
        """
    ).pl()


def test_conversion_rate_within_90_days_is_realistic(medium):
    rate = _outcomes(medium)["converted_90d"].mean()
    assert 0.05 <= rate <= 0.15


def test_planted_segment_converts_several_times_the_average(medium):
    o = _outcomes(medium)
    average = o["converted_90d"].mean()
    segment = o.filter(pl.col("planted_segment"))["converted_90d"].mean()
    assert o["planted_segment"].sum() > 100
    assert segment >= 3.5 * average


def test_integrations_then_pricing_sequence_is_a_strong_signal(medium):
    o = _outcomes(medium)
    with_seq = o.filter(pl.col("early_sequence"))["converted_90d"].mean()
    without = o.filter(~pl.col("early_sequence"))["converted_90d"].mean()
    assert with_seq >= 3 * without


def test_sources_convert_at_different_rates(medium):
    leads = _read(medium, "leads").select("lead_id", "lead_source")
    o = _outcomes(medium).join(leads, on="lead_id")
    by_source = o.group_by("lead_source").agg(pl.col("converted_90d").mean(), pl.len())
    by_source = by_source.filter(pl.col("len") > 200)
    assert by_source["converted_90d"].max() >= 2.5 * by_source["converted_90d"].min()


def test_silent_leads_rarely_convert(medium):
    """A lead whose last non-newsletter activity is 60+ days old rarely converts."""
    engaged = pl.read_parquet(medium / "_ground_truth" / "engagement_truth.parquet")
    dormant = engaged.filter(~pl.col("engaged")).group_by("lead_id").agg(pl.col("ts").min())
    o = _outcomes(medium).join(dormant, on="lead_id", how="left")
    went_quiet_early = o.filter(pl.col("ts") - pl.col("created_ts") < 20 * DAY)
    assert went_quiet_early["converted_90d"].mean() < 0.5 * o["converted_90d"].mean()


def test_manifest_counts_match_the_files(medium):
    manifest = json.loads((medium / "_manifest.json").read_text())
    planted, rows = manifest["planted"], manifest["rows"]
    leads = _read(medium, "leads")
    events = _read(medium, "events")
    for table in RAW_TABLES:
        assert _read(medium, table).height == rows[table]
    emails = leads["email"].str.strip_chars().str.to_lowercase()
    assert leads.height - emails.n_unique() == planted["leads_duplicate_records"]
    unknown = events.filter(~pl.col("lead_id").is_in(leads["lead_id"].implode()))
    assert unknown.height == planted["events_unknown_lead"]
    assert (
        events.filter(pl.col("event_type").is_in(["fax_received", "carrier_pigeon"])).height
        == planted["events_unknown_event_type"]
    )
    far_future = events.filter(pl.col("occurred_at").str.contains(r"^20[4-9]\d-")).height
    epoch_future = events.filter(
        pl.col("occurred_at").str.contains(r"^\d{10}$")
        & (pl.col("occurred_at").cast(pl.Int64, strict=False) > 2_200_000_000)
    ).height
    us_future = events.filter(pl.col("occurred_at").str.contains(r"^\d\d/\d\d/20[4-9]\d")).height
    assert far_future + epoch_future + us_future == planted["events_future_dated"]
    assert planted["events_unparseable_occurred_at"] == planted["events_lead_quarantined"] == 0


def test_exact_probability_matches_simulation():
    """journey.conversion_probability agrees with simulating the same leads day by day."""
    cfg = GeneratorConfig(n_leads=1, history_days=200)
    n = 30_000
    created = np.full(n, cfg.start_ts + 3600, dtype=np.int64)
    multiplier = np.full(n, 2.0)
    dormancy = dormancy_hazard(np.zeros(n))
    journeys = simulate(cfg, created, multiplier, dormancy, np.random.default_rng(5))
    next_midnight = cfg.start_ts + DAY
    simulated = np.mean(journeys.stage_ts[:, 4] < next_midnight + 90 * DAY)
    exact = conversion_probability(
        np.zeros(1, dtype=int), np.ones(1, dtype=bool), multiplier[:1], dormancy[:1], 90
    )[0]
    assert abs(simulated - exact) < 4 * np.sqrt(exact * (1 - exact) / n)


# --- distribution parity ------------------------------------------------------------------
# The world the generator simulates, summarised as numbers: outcomes, the oracle, event
# volume and mix, timing, the mess and the side tables. The reference values below were
# measured on the generator before it was vectorised (commit 0031850, one Python-level
# pass per simulated day / per lead in several steps), at 20,000 leads and the default
# settings, on ten seeds:
#
#     git archive 0031850 python/leadscore | tar -x -C /tmp/old
#     PYTHONPATH=/tmp/old/python python tests/python/test_generator.py \
#         --reference 42 43 44 45 46 48 49 50 51 52
#
# which prints, per statistic, the mean and the standard deviation over the seeds.
PARITY_LEADS = 20_000


def _share(frame: pl.DataFrame, column: str, values) -> dict[str, float]:
    counts = dict(frame.group_by(column).len().iter_rows())
    total = max(frame.height, 1)
    return {str(v): counts.get(v, 0) / total for v in values}


def world_statistics(folder) -> dict[str, float]:
    """The statistics that define a generated world (see the comment above)."""
    from leadscore.core.metrics import roc_auc
    from leadscore.demo.generator import catalog
    from leadscore.demo.generator.truth import oracle_probabilities
    from tests_support import parse_mixed_timestamps

    manifest = json.loads((folder / "_manifest.json").read_text())
    export_ts = int(pl.Series([manifest["config"]["export_at"]]).str.to_datetime().dt.epoch("s")[0])
    history = manifest["config"]["history_days"] * DAY
    start_ts = export_ts - history
    stats: dict[str, float] = {}
    truth = pl.read_parquet(folder / "_ground_truth" / "lead_truth.parquet")
    stages = pl.read_parquet(folder / "_ground_truth" / "stage_truth.parquet")
    flips = pl.read_parquet(folder / "_ground_truth" / "engagement_truth.parquet")
    leads = _read(folder, "leads")
    events = _read(folder, "events")
    accounts = _read(folder, "accounts")
    n = truth.height

    # outcomes: customer within 90 days of creation, for leads whose 90 days have passed
    first = stages.group_by("lead_id", "stage").agg(pl.col("ts").min())
    customer = first.filter(pl.col("stage") == "customer").select("lead_id", customer_ts="ts")
    spelling = {s: c for c, (_, _, spellings) in catalog.CHANNELS.items() for s in spellings}
    quiet = flips.filter(~pl.col("engaged")).group_by("lead_id").agg(quiet_ts=pl.col("ts").min())
    o = (
        truth.join(customer, on="lead_id", how="left")
        .join(quiet, on="lead_id", how="left")
        .join(leads.select("lead_id", "lead_source"), on="lead_id", how="left")
        .with_columns(
            converted=(pl.col("customer_ts") - pl.col("created_ts") < 90 * DAY).fill_null(False),
            channel=pl.col("lead_source").replace_strict(spelling, default=None),
            quiet_early=(pl.col("quiet_ts") - pl.col("created_ts") < 20 * DAY).fill_null(False),
        )
        .filter(pl.col("created_ts") < export_ts - 90 * DAY)
    )
    stats["conversion_90d"] = o["converted"].mean()
    for channel in catalog.CHANNELS:
        stats[f"conversion_90d_{channel}"] = o.filter(pl.col("channel") == channel)[
            "converted"
        ].mean()
    for segment in ("planted_segment", "early_sequence", "quiet_early", "treatment"):
        stats[f"conversion_90d_{segment}"] = o.filter(pl.col(segment))["converted"].mean()
        stats[f"share_{segment}"] = o[segment].mean()
    stats["p_convert_mean"] = truth["p_convert"].mean()
    stats["oracle_auc_at_creation"] = roc_auc(o["converted"].to_numpy(), o["p_convert"].to_numpy())

    # the oracle on (lead, as_of) examples: open leads every 60 days, converted in 90 days
    as_of = [export_ts - 90 * DAY - k * 60 * DAY for k in range(7)]
    stage_rank = {"lead": 0, "mql": 1, "sql": 2, "opportunity": 3}
    examples = []
    for t in as_of:
        last = (
            stages.filter(pl.col("ts") < t)
            .sort("ts")
            .group_by("lead_id")
            .agg(pl.col("stage").last())
            .filter(pl.col("stage").is_in(list(stage_rank)))
        )
        won = customer.filter((pl.col("customer_ts") >= t) & (pl.col("customer_ts") < t + 90 * DAY))
        examples.append(
            last.select("lead_id").with_columns(
                as_of_ts=pl.lit(t), label=pl.col("lead_id").is_in(won["lead_id"].implode())
            )
        )
    ex = pl.concat(examples).with_columns(as_of=pl.from_epoch("as_of_ts", time_unit="s"))
    ex = oracle_probabilities(folder, ex)
    stats["oracle_examples_per_lead"] = ex.height / n
    stats["oracle_label_rate"] = ex["label"].mean()
    stats["oracle_mean_probability"] = ex["oracle_probability"].mean()
    stats["oracle_auc"] = roc_auc(ex["label"].to_numpy(), ex["oracle_probability"].to_numpy())

    # journeys: how far leads get by the export, and how often their engagement changes
    reached = first.group_by("stage").len()
    for stage, count in reached.iter_rows():
        stats[f"reached_{stage}"] = count / n
    stats["engagement_changes_per_lead"] = flips.height / n

    # events: volume per lead, mix, timing
    per_lead = (
        events.filter(pl.col("lead_id").is_in(leads["lead_id"].implode()))
        .group_by("lead_id")
        .len()["len"]
    )
    stats["events_per_lead"] = events.height / n
    stats["leads_with_events"] = per_lead.len() / leads.height
    for q in (0.1, 0.5, 0.9, 0.99):
        stats[f"events_per_lead_q{int(q * 100)}"] = per_lead.quantile(q)
    etype = events["event_type"].str.to_lowercase().str.replace_all(" ", "_")
    types = [*catalog.EVENT_TYPES, "unsubscribe", "email_bounce"]
    stats |= {f"type_{k}": v for k, v in _share(pl.DataFrame({"t": etype}), "t", types).items()}
    views = events.filter(etype == "page_view")
    stats |= {f"page_{k}": v for k, v in _share(views, "page_path", catalog.PAGES).items()}
    stats |= {f"device_{k}": v for k, v in _share(events, "device_type", catalog.DEVICES).items()}
    stats["campaign_share"] = 1 - events["campaign_id"].null_count() / events.height
    stats["duration_share"] = 1 - events["duration_seconds"].null_count() / events.height
    stats["page_view_duration_median"] = views["duration_seconds"].median()
    ts = parse_mixed_timestamps(events["occurred_at"]).dt.epoch("s")
    past = ts.filter(ts < export_ts)
    stats["events_first_day"] = (past.min() - start_ts) / DAY
    stats["events_last_day"] = (export_ts - past.max()) / DAY
    stats["events_in_last_90_days"] = (past >= export_ts - 90 * DAY).mean()
    stats["events_in_first_half"] = (past < start_ts + history / 2).mean()
    created = parse_mixed_timestamps(leads["created_at"]).dt.epoch("s").drop_nulls()
    stats["leads_created_in_first_30_days"] = (created < start_ts + 30 * DAY).mean()
    stats["leads_created_mean_day"] = (created.mean() - start_ts) / DAY
    fmt = events["occurred_at"]
    stats["format_iso_space"] = fmt.str.contains(r"^\d{4}-\d\d-\d\d \d").mean()
    stats["format_iso_utc"] = fmt.str.contains(r"Z$").mean()
    stats["format_iso_offset"] = fmt.str.contains(r"[+-]\d\d:\d\d$").mean()
    stats["format_us"] = fmt.str.contains(r"^\d\d/").mean()
    stats["format_epoch"] = fmt.str.contains(r"^\d+$").mean()

    # the mess: every planted kind as a share of its table, and the flags on leads
    rows = manifest["rows"]
    table_of = {"leads": "leads", "events": "events", "stage": "lifecycle_stage_changes"}
    for kind, count in manifest["planted"].items():
        stats[f"mess_{kind}"] = count / max(rows[table_of[kind.split("_")[0]]], 1)
    for flag in ("is_deleted", "email_bounced", "unsubscribed"):
        stats[f"leads_{flag}"] = leads[flag].mean()
    emails = leads["email"].str.strip_chars().str.to_lowercase()
    stats["leads_duplicate_share"] = (leads.height - emails.n_unique()) / leads.height

    # side tables
    stats["accounts_per_lead"] = accounts.height / n
    stats["accounts_missing_tech_stack"] = accounts["tech_stack"].null_count() / accounts.height
    stats["accounts_missing_employees"] = accounts["employee_count"].null_count() / accounts.height
    stage_rows = _read(folder, "lifecycle_stage_changes")
    stats["stage_changes_per_lead"] = stage_rows.height / n
    opps = _read(folder, "opportunities")
    stats["opportunities_per_lead"] = opps.height / n
    stats["opportunities_closed"] = 1 - opps["closed_at"].null_count() / max(opps.height, 1)
    stats["opportunities_won_of_closed"] = opps["is_won"].drop_nulls().mean()
    stats["opportunities_log_amount_median"] = float(np.log(opps["amount"].median()))
    feedback = _read(folder, "sales_feedback")
    stats["feedback_per_lead"] = feedback.height / n
    stats["feedback_good_fit"] = (feedback["verdict"] == "good_fit").mean()
    experiment = _read(folder, "experiment_assignments")
    stats["experiment_per_lead"] = experiment.height / n
    stats["experiment_treatment"] = (experiment["variant"] == "treatment").mean()
    return {k: float(v) for k, v in stats.items()}


# mean and standard deviation over the ten seeds (the command above)
PARITY_REFERENCE = {
    "conversion_90d": (0.100012, 0.00288),
    "conversion_90d_organic_search": (0.0947295, 0.00405),
    "conversion_90d_paid_search": (0.0831569, 0.00435),
    "conversion_90d_linkedin": (0.163483, 0.00944),
    "conversion_90d_referral": (0.192606, 0.0131),
    "conversion_90d_webinar": (0.136945, 0.00541),
    "conversion_90d_content_syndication": (0.0468999, 0.00724),
    "conversion_90d_trade_show": (0.113788, 0.0131),
    "conversion_90d_outbound": (0.0536573, 0.0044),
    "conversion_90d_planted_segment": (0.623342, 0.0237),
    "share_planted_segment": (0.0151744, 0.00127),
    "conversion_90d_early_sequence": (0.470141, 0.0157),
    "share_early_sequence": (0.110488, 0.0023),
    "conversion_90d_quiet_early": (0.0170576, 0.00171),
    "share_quiet_early": (0.438765, 0.00376),
    "conversion_90d_treatment": (0.121063, 0.0113),
    "share_treatment": (0.0660224, 0.00124),
    "p_convert_mean": (0.100079, 0.00269),
    "oracle_auc_at_creation": (0.968363, 0.000945),
    "oracle_examples_per_lead": (1.48369, 0.0127),
    "oracle_label_rate": (0.0405554, 0.00159),
    "oracle_mean_probability": (0.039893, 0.00107),
    "oracle_auc": (0.979097, 0.00148),
    "reached_mql": (0.298435, 0.00481),
    "reached_sql": (0.18284, 0.00383),
    "reached_disqualified": (0.629425, 0.0027),
    "reached_lead": (1, 0),
    "reached_opportunity": (0.14018, 0.00345),
    "reached_customer": (0.10905, 0.00298),
    "engagement_changes_per_lead": (1.15964, 0.00822),
    "events_per_lead": (53.3387, 0.0492),
    "leads_with_events": (0.992191, 0.000463),
    "events_per_lead_q10": (7, 0),
    "events_per_lead_q50": (32, 0),
    "events_per_lead_q90": (120.7, 1.34),
    "events_per_lead_q99": (296.5, 4.99),
    "type_page_view": (0.425229, 0.000797),
    "type_email_open": (0.22812, 0.000778),
    "type_email_click": (0.0824073, 0.000282),
    "type_email_reply": (0.0275853, 0.000179),
    "type_form_submit": (0.0381083, 0.000232),
    "type_content_download": (0.0396041, 0.0002),
    "type_webinar_attend": (0.0218411, 0.000132),
    "type_demo_request": (0.0226399, 0.000389),
    "type_chat_message": (0.0295746, 0.000175),
    "type_social_engagement": (0.0412999, 0.000157),
    "type_sales_call": (0.0415444, 0.000599),
    "type_unsubscribe": (0.000964031, 3.22e-05),
    "type_email_bounce": (0.000565735, 2.09e-05),
    "page_/": (0.180997, 0.000977),
    "page_/product": (0.157257, 0.000751),
    "page_/blog/lead-scoring-101": (0.0894835, 0.000568),
    "page_/blog/rules-vs-ml": (0.0714338, 0.000464),
    "page_/customers": (0.0821013, 0.000488),
    "page_/docs/getting-started": (0.0859036, 0.000338),
    "page_/docs/api": (0.053502, 0.000292),
    "page_/pricing": (0.116838, 0.00141),
    "page_/integrations": (0.0891878, 0.000539),
    "page_/careers": (0.03703, 0.000371),
    "page_/about": (0.0362668, 0.000149),
    "device_desktop": (0.678915, 0.000481),
    "device_mobile": (0.279589, 0.000404),
    "device_tablet": (0.0399658, 0.000231),
    "campaign_share": (0.399764, 0.00059),
    "duration_share": (0.48988, 0.000548),
    "page_view_duration_median": (45, 0),
    "events_first_day": (0.197344, 0.127),
    "events_last_day": (0.000351852, 0.000247),
    "events_in_last_90_days": (0.197328, 0.00272),
    "events_in_first_half": (0.426424, 0.00338),
    "leads_created_in_first_30_days": (0.0546946, 0.00237),
    "leads_created_mean_day": (270.259, 1.1),
    "format_iso_space": (0.860011, 0.000382),
    "format_iso_utc": (0.0499534, 0.000211),
    "format_iso_offset": (0.0399544, 0.00019),
    "format_us": (0.0299524, 0.00015),
    "format_epoch": (0.0199769, 0.000118),
    "mess_leads_duplicate_records": (0.0280446, 0.00111),
    "mess_leads_unparseable_created_at": (0.00024782, 9.83e-05),
    "mess_leads_noncanonical_created_at": (0.139247, 0.00116),
    "mess_leads_missing_country": (0.029931, 0.00157),
    "mess_leads_missing_job_title": (0.0580218, 0.00167),
    "mess_leads_unmapped_source": (0.010118, 0.000843),
    "mess_leads_missing_source": (0.00955386, 0.000727),
    "mess_leads_deleted": (0.00955913, 0.000631),
    "mess_events_unparseable_occurred_at": (0.000304561, 1.31e-05),
    "mess_events_unknown_lead": (0.0030207, 5.84e-05),
    "mess_events_lead_quarantined": (0.000258669, 0.000214),
    "mess_events_future_dated": (0.000992988, 4.18e-05),
    "mess_events_unknown_event_type": (0.000516606, 1.66e-05),
    "mess_events_invalid_duration": (0.00200818, 5.62e-05),
    "mess_events_type_variant": (0.00651789, 6.66e-05),
    "mess_events_on_duplicate_records": (0.00593279, 0.000523),
    "mess_events_noncanonical_occurred_at": (0.139761, 0.000388),
    "mess_stage_changes_lead_quarantined": (0.00025632, 0.000148),
    "mess_stage_changes_stage_variant": (0.09981, 0.00122),
    "mess_stage_changes_noncanonical_changed_at": (0.138883, 0.00225),
    "leads_is_deleted": (0.00955913, 0.000631),
    "leads_email_bounced": (0.0301891, 0.00115),
    "leads_unsubscribed": (0.0514315, 0.00181),
    "leads_duplicate_share": (0.0280446, 0.00111),
    "accounts_per_lead": (0.6, 1.17e-16),
    "accounts_missing_tech_stack": (0.0512917, 0.0026),
    "accounts_missing_employees": (0.050475, 0.00166),
    "stage_changes_per_lead": (2.35993, 0.0126),
    "opportunities_per_lead": (0.14018, 0.00345),
    "opportunities_closed": (0.964647, 0.00325),
    "opportunities_won_of_closed": (0.806435, 0.00896),
    "opportunities_log_amount_median": (9.24807, 0.0344),
    "feedback_per_lead": (0.16787, 0.00334),
    "feedback_good_fit": (0.635437, 0.00839),
    "experiment_per_lead": (0.177255, 0.00209),
    "experiment_treatment": (0.497554, 0.00619),
}


# Tolerance of each statistic: 5 standard deviations of the old generator's seed-to-seed
# spread (ten seeds estimate a standard deviation to within about 40%, so 5 of them stay
# above 3 true ones); for a share of the rows of a table, at least 4 binomial standard
# errors of a share of that many rows (the seed spread of a share of 20,000 lead rows
# can come out low by chance); and at least 2% of the value plus 0.0002, so statistics
# that hardly move between seeds (0.6 accounts per lead, the median page-view
# duration) must still match, but not to the last digit of a float.
PARITY_SDS, PARITY_BINOMIAL_SES, PARITY_RELATIVE, PARITY_ABSOLUTE = 5.0, 4.0, 0.02, 0.0002


def _rows_behind(key: str) -> float | None:
    """How many rows a share statistic is a share of (from the reference), or None."""
    per_lead = {
        ("mess_leads_", "leads_is_", "leads_email", "leads_unsub", "leads_dup"): 1.0,
        ("mess_stage_",): PARITY_REFERENCE["stage_changes_per_lead"][0],
        ("mess_events_", "type_", "format_", "device_"): PARITY_REFERENCE["events_per_lead"][0],
    }
    for prefixes, rows in per_lead.items():
        if key.startswith(prefixes):
            return rows * PARITY_LEADS
    return None


def _parity_tolerance(key: str) -> float:
    mean, sd = PARITY_REFERENCE[key]
    tolerance = max(PARITY_SDS * sd, PARITY_RELATIVE * abs(mean) + PARITY_ABSOLUTE)
    rows = _rows_behind(key)
    if rows:
        tolerance = max(tolerance, PARITY_BINOMIAL_SES * np.sqrt(mean * (1 - mean) / rows))
    return tolerance


@pytest.fixture(scope="module")
def parity_world(tmp_path_factory):
    out = tmp_path_factory.mktemp("parity") / "crm"
    # a seed the reference did not use
    generate(GeneratorConfig(n_leads=PARITY_LEADS, seed=47), out, log=lambda _: None)
    return world_statistics(out)


def test_same_world_as_the_reference_generator(parity_world):
    """Every statistic of the world lies within its tolerance of the old generator's."""
    assert set(parity_world) == set(PARITY_REFERENCE)
    off = []
    for key, (mean, _) in PARITY_REFERENCE.items():
        tolerance = _parity_tolerance(key)
        if not abs(parity_world[key] - mean) <= tolerance:
            off.append(f"{key}: {parity_world[key]:.6g}, reference {mean:.6g} +- {tolerance:.3g}")
    assert not off, "\n".join(off)


def _reference_main(seeds: list[int]) -> None:
    """Print the parity reference of the generator on the path (see the comment above)."""
    import tempfile
    from pathlib import Path

    runs = []
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "crm"
            generate(GeneratorConfig(n_leads=PARITY_LEADS, seed=seed), out, log=lambda _: None)
            runs.append(world_statistics(out))
    print("PARITY_REFERENCE = {")
    for key in runs[0]:
        values = np.array([r.get(key, np.nan) for r in runs])
        print(f'    "{key}": ({values.mean():.6g}, {values.std(ddof=1):.3g}),')
    print("}")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    _reference_main([int(s) for s in sys.argv[sys.argv.index("--reference") + 1 :]])
