"""Accounts, leads, their latent intent and fit, and how each lead's journey ends.

All times are int64 seconds since the Unix epoch (UTC). Nothing here is messy:
the mess is added by :mod:`leadscore.demo.generator.mess` when the tables are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from leadscore.demo.generator import catalog
from leadscore.demo.generator.config import DAY, GeneratorConfig
from leadscore.demo.generator.journey import (
    calibrate_intercept,
    conversion_probability,
    dormancy_hazard,
)

PLANTED_SEGMENT_BOOST = 2.4  # log-odds: pricing visit AND linkedin AND 11-50 employees
EARLY_SEQUENCE_BOOST = 1.4  # integrations within 48 h, then pricing within 7 days
PRICING_BOOST = 0.3
EXPERIMENT_NAME = "nurture_sequence_v2"
EXPERIMENT_TREATMENT_ODDS = 1.3
COMPANY_WORDS = ("acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "vandelay")
COMPANY_SUFFIXES = ("Inc", "GmbH", "Ltd", "LLC", "Group")


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def pick(rng: np.random.Generator, shares: list[float], n: int) -> np.ndarray:
    p = np.asarray(shares, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


@dataclass
class Accounts:
    account_id: pl.Series
    name: pl.Series
    domain: pl.Series
    industry: np.ndarray  # index into catalog.INDUSTRIES
    size_band: np.ndarray  # index into catalog.SIZE_BANDS
    employees: np.ndarray
    revenue: np.ndarray
    country: np.ndarray  # index into catalog.COUNTRIES
    tech: np.ndarray  # bool matrix, accounts x catalog.TECH_TOOLS
    created_ts: np.ndarray

    @property
    def n(self) -> int:
        return len(self.account_id)


def pick_spelling(
    spellings: list[tuple[str, ...]], which: np.ndarray, rng: np.random.Generator
) -> pl.Series:
    """One of the spellings of each row's value (`which` indexes `spellings`), uniformly."""
    width = max(len(v) for v in spellings)
    sizes = np.array([len(v) for v in spellings])
    table = pl.Series([v[k] if k < len(v) else None for v in spellings for k in range(width)])
    k = (rng.random(len(which)) * sizes[which]).astype(np.int64)
    return table.gather(np.asarray(which, dtype=np.int64) * width + k)


def make_accounts(cfg: GeneratorConfig, rng: np.random.Generator) -> Accounts:
    n = max(1, int(cfg.n_leads * 0.6))
    industries = list(catalog.INDUSTRIES.values())
    industry = pick(rng, [s for s, _, _ in industries], n)
    band = pick(rng, [b[0] for b in catalog.SIZE_BANDS], n)
    lo = np.array([b[1] for b in catalog.SIZE_BANDS])[band]
    hi = np.array([b[2] for b in catalog.SIZE_BANDS])[band]
    employees = np.floor(np.exp(rng.uniform(np.log(lo), np.log(hi + 1)))).astype(np.int64)
    employees = np.clip(employees, lo, hi)
    rev_per_emp = np.array([r for _, _, r in industries])[industry]
    revenue = np.round(employees * rev_per_emp * rng.lognormal(0.0, 0.5, n), -3)
    country = pick(rng, [s for s, _ in catalog.COUNTRIES.values()], n)
    tech = rng.random((n, len(catalog.TECH_TOOLS))) < 0.22
    created = cfg.start_ts - rng.integers(0, 720 * DAY, n)
    word = pl.Series(COMPANY_WORDS).gather(rng.integers(0, len(COMPANY_WORDS), n))
    suffix = pl.Series(COMPANY_SUFFIXES).gather(rng.integers(0, len(COMPANY_SUFFIXES), n))
    number = pl.Series(np.arange(n)).cast(pl.String)
    return Accounts(
        account_id=record_ids(np.arange(n), "A", 7),
        name=word.str.to_titlecase() + " " + number + " " + suffix,
        domain=word + number + ".com",
        industry=industry,
        size_band=band,
        employees=employees,
        revenue=revenue,
        country=country,
        tech=tech,
        created_ts=created,
    )


@dataclass
class Leads:
    """One row per true person (before duplicates are planted)."""

    account: np.ndarray  # index into Accounts
    channel: np.ndarray  # index into catalog.CHANNELS
    seniority: np.ndarray  # index into catalog.TITLES
    title: pl.Series  # str
    country: np.ndarray  # index into catalog.COUNTRIES
    budget: np.ndarray  # index into catalog.BUDGETS, -1 = not answered
    timeline: np.ndarray  # index into catalog.TIMELINES, -1 = not answered
    need: np.ndarray  # index into catalog.NEEDS, -1 = not answered
    created_ts: np.ndarray
    intent: np.ndarray
    fit: np.ndarray
    visits_pricing: np.ndarray  # bool: will view the pricing page
    early_sequence: np.ndarray  # bool: integrations <= 48 h, then pricing <= 7 days
    planted_segment: np.ndarray  # bool: pricing AND linkedin AND 11-50 employees
    in_experiment: np.ndarray  # bool
    treatment: np.ndarray  # bool
    multiplier: np.ndarray  # hazard multiplier of the funnel advances (see journey.py)
    dormancy: np.ndarray  # daily hazard of going dormant while engaged
    p_convert: np.ndarray  # P(customer within 90 days of creation), exact

    @property
    def n(self) -> int:
        return len(self.created_ts)

    def ids(self, which: np.ndarray | None = None) -> pl.Series:
        """lead_id of every lead, or of the leads selected by an index or a mask."""
        numbers = np.arange(self.n)
        return record_ids(numbers if which is None else numbers[which])


def record_ids(numbers: np.ndarray, prefix: str = "L", width: int = 8) -> pl.Series:
    """Record ids such as 'L00000042' from record numbers, as strings."""
    digits = pl.Series("id", np.asarray(numbers, dtype=np.int64)).cast(pl.String).str.zfill(width)
    return prefix + digits


def _answer(rng: np.random.Generator, signal: np.ndarray, n_levels: int, p_missing: float):
    """An ordinal answer that rises with `signal`, or -1 when left blank."""
    noisy = signal + rng.normal(0.0, 1.0, len(signal))
    cuts = np.quantile(noisy, np.linspace(0, 1, n_levels + 1)[1:-1])
    level = np.searchsorted(cuts, noisy)
    return np.where(rng.random(len(signal)) < p_missing, -1, level)


def make_leads(cfg: GeneratorConfig, accounts: Accounts, rng: np.random.Generator) -> Leads:
    n = cfg.n_leads
    account = rng.integers(0, accounts.n, n)
    channels = list(catalog.CHANNELS.values())
    channel = pick(rng, [s for s, _, _ in channels], n)
    titles = list(catalog.TITLES.values())
    seniority = pick(rng, [s for s, _, _ in titles], n)
    title = pick_spelling([t for _, _, t in titles], seniority, rng)
    # most people sit in their company's country
    country = np.where(
        rng.random(n) < 0.85,
        accounts.country[account],
        pick(rng, [s for s, _ in catalog.COUNTRIES.values()], n),
    )
    created = cfg.start_ts + np.sort(rng.integers(0, cfg.history_days * DAY, n))

    icp = np.array([t in catalog.ICP_TOOLS for t in catalog.TECH_TOOLS])
    tech_matches = (accounts.tech[account] & icp).sum(axis=1)
    industry_fx = np.array([fx for _, fx, _ in catalog.INDUSTRIES.values()])
    size_fx = np.array([b[3] for b in catalog.SIZE_BANDS])
    fit = (
        industry_fx[accounts.industry[account]]
        + size_fx[accounts.size_band[account]]
        + np.array([fx for _, fx, _ in titles])[seniority]
        + 0.25 * tech_matches
    )
    intent = rng.normal(0.0, 1.0, n)
    budget = _answer(rng, 0.8 * intent + 0.5 * fit, len(catalog.BUDGETS), 0.30)
    timeline = _answer(rng, 1.0 * intent, len(catalog.TIMELINES), 0.35)
    need = _answer(rng, 0.8 * intent, len(catalog.NEEDS), 0.40)

    visits_pricing = rng.random(n) < sigmoid(-0.3 + 1.2 * intent)
    early_sequence = rng.random(n) < sigmoid(-2.6 + 1.0 * intent + 0.4 * fit)
    visits_pricing |= early_sequence
    small = accounts.size_band[account] == 1  # 11-50 employees
    linkedin = channel == list(catalog.CHANNELS).index("linkedin")
    planted = visits_pricing & linkedin & small

    in_experiment = (created > cfg.export_ts - 240 * DAY) & (rng.random(n) < 0.4)
    treatment = in_experiment & (rng.random(n) < 0.5)

    budget_fx = np.array([0.0] + [fx for _, fx in catalog.BUDGETS])[budget + 1]
    timeline_fx = np.array([0.0] + [fx for _, fx in catalog.TIMELINES])[timeline + 1]
    score = (
        np.array([fx for _, fx, _ in channels])[channel]
        + fit
        + 0.9 * intent
        + budget_fx
        + timeline_fx
        + PRICING_BOOST * visits_pricing
        + EARLY_SEQUENCE_BOOST * early_sequence
        + PLANTED_SEGMENT_BOOST * planted
        + np.log(EXPERIMENT_TREATMENT_ODDS) * treatment
    )
    dormancy = dormancy_hazard(intent)
    multiplier = np.exp(score + calibrate_intercept(score, dormancy, cfg.conversion_rate))
    p_convert = conversion_probability(
        np.zeros(n, dtype=int), np.ones(n, dtype=bool), multiplier, dormancy, 90
    )
    return Leads(
        account=account,
        channel=channel,
        seniority=seniority,
        title=title,
        country=country,
        budget=budget,
        timeline=timeline,
        need=need,
        created_ts=created,
        intent=intent,
        fit=fit,
        visits_pricing=visits_pricing,
        early_sequence=early_sequence,
        planted_segment=planted,
        in_experiment=in_experiment,
        treatment=treatment,
        multiplier=multiplier,
        dormancy=dormancy,
        p_convert=p_convert,
    )
