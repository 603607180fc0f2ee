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
