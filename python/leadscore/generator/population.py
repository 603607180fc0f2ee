"""Accounts, leads, their latent intent and fit, and how each lead's journey ends.

All times are int64 seconds since the Unix epoch (UTC). Nothing here is messy:
the mess is added by :mod:`leadscore.generator.mess` when the tables are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadscore.generator import catalog
from leadscore.generator.config import DAY, GeneratorConfig

STAGES = ("lead", "mql", "sql", "opportunity", "customer")
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
    account_id: np.ndarray
    name: np.ndarray
    domain: np.ndarray
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
    word = np.array(COMPANY_WORDS)[rng.integers(0, len(COMPANY_WORDS), n)]
    suffix = np.array(COMPANY_SUFFIXES)[rng.integers(0, len(COMPANY_SUFFIXES), n)]
    return Accounts(
        account_id=np.array([f"A{i:07d}" for i in range(n)]),
        name=np.array([f"{w.title()} {i} {s}" for i, (w, s) in enumerate(zip(word, suffix, strict=True))]),
        domain=np.array([f"{w}{i}.com" for i, w in enumerate(word)]),
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

    lead_id: np.ndarray
    account: np.ndarray  # index into Accounts
    channel: np.ndarray  # index into catalog.CHANNELS
    seniority: np.ndarray  # index into catalog.TITLES
    title: np.ndarray  # str
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
    p_convert: np.ndarray  # latent probability of ever becoming a customer
    converts: np.ndarray  # bool
    delay_days: np.ndarray  # days from creation to customer (converters)

    @property
    def n(self) -> int:
        return len(self.lead_id)


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
    title = np.array([titles[s][2][rng.integers(len(titles[s][2]))] for s in seniority])
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
    p_convert = sigmoid(score + _intercept(score, cfg.conversion_rate))
    converts = rng.random(n) < p_convert
    delay = rng.lognormal(np.log(cfg.conversion_delay_median_days), cfg.conversion_delay_sigma, n)
    delay = np.clip(delay, 3.0, 400.0)
    return Leads(
        lead_id=np.array([f"L{i:08d}" for i in range(n)]),
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
        p_convert=p_convert,
        converts=converts,
        delay_days=delay,
    )


def _intercept(score: np.ndarray, target_rate: float) -> float:
    """The intercept that makes the mean latent probability equal `target_rate`."""
    lo, hi = -15.0, 15.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sigmoid(score + mid).mean() < target_rate:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@dataclass
class Journeys:
    """Stage entry times (NaN = never reached), disqualification and activity end."""

    stage_ts: np.ndarray  # leads x len(STAGES), float seconds, NaN when not reached
    disqualified_ts: np.ndarray  # float seconds, NaN when never disqualified
    active_until_ts: np.ndarray  # engagement stops after this


def make_journeys(cfg: GeneratorConfig, leads: Leads, rng: np.random.Generator) -> Journeys:
    n = leads.n
    c = leads.created_ts.astype(float)
    d = leads.delay_days * DAY
    stage = np.full((n, len(STAGES)), np.nan)
    stage[:, 0] = c
    conv = leads.converts
    # converters pass through every stage on the way to customer (some skip mql)
    fractions = np.sort(rng.uniform([0.02, 0.2, 0.45], [0.45, 0.75, 0.95], (n, 3)), axis=1)
    skip_mql = conv & (rng.random(n) < 0.2)
    for k in range(3):
        stage[conv, k + 1] = c[conv] + fractions[conv, k] * d[conv]
    stage[skip_mql, 1] = np.nan
    stage[conv, 4] = c[conv] + d[conv]
    # non-converters stall somewhere; how far they get depends on intent and fit
    nc = ~conv
    reach_mql = nc & (rng.random(n) < sigmoid(-0.4 + 0.8 * leads.intent + 0.4 * leads.fit))
    reach_sql = reach_mql & (rng.random(n) < 0.5)
    reach_opp = reach_sql & (rng.random(n) < 0.5)
    t = c + rng.gamma(1.5, 7.0, n) * DAY
    stage[reach_mql, 1] = t[reach_mql]
    t = t + rng.gamma(1.5, 9.0, n) * DAY
    stage[reach_sql, 2] = t[reach_sql]
    t = t + rng.gamma(1.5, 10.0, n) * DAY
    stage[reach_opp, 3] = t[reach_opp]
    last = np.nanmax(stage, axis=1)
    dq = nc & (rng.random(n) < np.where(reach_mql, 0.6, 0.35))
    disqualified = np.where(dq, last + rng.exponential(45.0, n) * DAY, np.nan)
    # engagement: converters stay active until they buy; the others fade out
    fade = rng.exponential(15.0 + 35.0 * sigmoid(leads.intent), n) * DAY
    active_nc = np.maximum(last - c, 0) + fade
    active_until = np.where(conv, c + d + 2 * DAY, c + active_nc)
    active_until = np.where(dq, np.minimum(active_until, disqualified), active_until)
    return Journeys(stage_ts=stage, disqualified_ts=disqualified, active_until_ts=active_until)
