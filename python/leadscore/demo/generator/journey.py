"""Each lead's journey as a daily Markov process, and its exact conversion probability.

State of an open lead: its funnel stage (lead, mql, sql, opportunity) and whether it
is engaged or dormant. Every day, from the state at the start of the day:

- it advances one stage with hazard ADVANCE[stage] * multiplier (x DORMANT_ADVANCE
  when dormant); from opportunity it advances to customer;
- otherwise it may be disqualified with hazard DISQUALIFY[stage] (x 2 when dormant);
- independently, an engaged lead goes dormant with hazard `dormancy * STAGE_DORMANCY
  [stage]` and a dormant one re-engages with hazard REVIVAL.

Engaged leads generate engagement events; dormant ones only open a newsletter now
and then. The lead-specific multiplier carries everything that makes a lead likely
to buy (fit, intent, answers, channel, planted patterns).

Because the process is Markov, the probability that a lead in a given state becomes
a customer within H days is computed exactly by :func:`conversion_probability`: it
is the ground truth of the benchmark (the oracle), for any (lead, as_of) example.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadscore.demo.generator.config import DAY, GeneratorConfig

N_OPEN = 4  # lead, mql, sql, opportunity
CUSTOMER, DISQUALIFIED, NOT_CREATED = 4, 5, -1
ADVANCE = np.array([0.020, 0.035, 0.045, 0.035])
DISQUALIFY = np.array([0.003, 0.006, 0.008, 0.010])
STAGE_DORMANCY = np.array([1.0, 0.6, 0.4, 0.4])
DORMANT_ADVANCE = 0.15
DORMANT_DISQUALIFY = 2.0
REVIVAL = 0.003
MAX_HAZARD = 0.6


def _p(hazard: np.ndarray) -> np.ndarray:
    return 1.0 - np.exp(-np.minimum(hazard, 5.0))


def daily_probabilities(
    stage: np.ndarray, engaged: np.ndarray, multiplier: np.ndarray, dormancy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p_advance, p_disqualify, p_engagement_flip) for open leads in the given state."""
    adv = np.minimum(ADVANCE[stage] * multiplier, MAX_HAZARD)
    adv = np.where(engaged, adv, adv * DORMANT_ADVANCE)
    dq = np.where(engaged, DISQUALIFY[stage], DISQUALIFY[stage] * DORMANT_DISQUALIFY)
    flip = np.where(engaged, dormancy * STAGE_DORMANCY[stage], REVIVAL)
    p_adv = _p(adv)
    p_dq = (1.0 - p_adv) * _p(dq)
    return p_adv, p_dq, _p(flip)


def conversion_probability(
    stage: np.ndarray,
    engaged: np.ndarray,
    multiplier: np.ndarray,
    dormancy: np.ndarray,
    horizon_days: int,
    block: int = 32_768,
) -> np.ndarray:
    """P(customer within horizon_days | state at the start of a day), exactly, per row.

    Each row's day is one step of a Markov chain over the open states (stage 0-3) x
    (dormant, engaged) plus an absorbing 'converted' state; mass that is disqualified
    leaves the chain. The probability is the converted entry of the start state's row
    of the transition matrix raised to the horizon (by repeated squaring). Rows are
    processed `block` at a time to bound memory."""
    n = len(stage)
    out = np.zeros(n)
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        matrix = _transition_matrices(
            np.asarray(multiplier[lo:hi], dtype=float), np.asarray(dormancy[lo:hi], dtype=float)
        )
        start = np.asarray(stage[lo:hi]) + N_OPEN * np.asarray(engaged[lo:hi], dtype=int)
        row = np.zeros((hi - lo, 2 * N_OPEN + 1))
        row[np.arange(hi - lo), start] = 1.0
        days = int(horizon_days)
        while days:
            if days & 1:
                row = np.einsum("ni,nij->nj", row, matrix)
            days >>= 1
            if days:
                matrix = matrix @ matrix
        out[lo:hi] = row[:, -1]
    return out


def _transition_matrices(multiplier: np.ndarray, dormancy: np.ndarray) -> np.ndarray:
    """One day's transition matrix per row: states e * 4 + stage (e = 1 engaged) and
    8 = converted (absorbing); advancing and flipping engagement are independent."""
    n = len(multiplier)
    m = np.zeros((n, 2 * N_OPEN + 1, 2 * N_OPEN + 1))
    m[:, -1, -1] = 1.0
    s = np.broadcast_to(np.arange(N_OPEN), (n, N_OPEN))
    for e in (0, 1):
        eng = np.full((n, N_OPEN), bool(e))
        p_adv, p_dq, p_flip = daily_probabilities(s, eng, multiplier[:, None], dormancy[:, None])
        stay = 1.0 - p_adv - p_dq
        here, there = e * N_OPEN, (1 - e) * N_OPEN
        for k in range(N_OPEN):
            m[:, here + k, here + k] = stay[:, k] * (1.0 - p_flip[:, k])
            m[:, here + k, there + k] = stay[:, k] * p_flip[:, k]
            if k < N_OPEN - 1:
                m[:, here + k, here + k + 1] = p_adv[:, k] * (1.0 - p_flip[:, k])
                m[:, here + k, there + k + 1] = p_adv[:, k] * p_flip[:, k]
            else:
                m[:, here + k, -1] = p_adv[:, k]
    return m


def dormancy_hazard(intent: np.ndarray) -> np.ndarray:
    """Daily hazard of going dormant: high-intent leads stay engaged longer."""
    return 1.0 / (12.0 + 40.0 / (1.0 + np.exp(-intent)))


def calibrate_intercept(
    x: np.ndarray, dormancy: np.ndarray, target: float, horizon_days: int = 90
) -> float:
    """The intercept c with mean P(customer within 90 days of creation) = target."""
    rng = np.random.default_rng(0)
    pick = rng.choice(len(x), size=min(len(x), 4000), replace=False)
    xs, ds = x[pick], dormancy[pick]
    start = np.zeros(len(xs), dtype=int)
    engaged = np.ones(len(xs), dtype=bool)
    lo, hi = -8.0, 8.0
    for _ in range(30):
        mid = (lo + hi) / 2
        p = conversion_probability(start, engaged, np.exp(xs + mid), ds, horizon_days)
        if p.mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@dataclass
class Journeys:
    """What happened to each lead up to the export (times in seconds, NaN = never)."""

    stage_ts: np.ndarray  # leads x 5 (lead, mql, sql, opportunity, customer)
    disqualified_ts: np.ndarray
    # one row per lead-day spent engaged (at the day's start), sorted by lead
    engaged_lead: np.ndarray
    engaged_day: np.ndarray  # day index since start_ts
    engaged_stage: np.ndarray
    flip_lead: np.ndarray  # engagement changes: lead, time, engaged after the change
    flip_ts: np.ndarray
    flip_to: np.ndarray


def simulate(
    cfg: GeneratorConfig,
    created_ts: np.ndarray,
    multiplier: np.ndarray,
    dormancy: np.ndarray,
    rng: np.random.Generator,
) -> Journeys:
    n = len(created_ts)
    n_days = (cfg.export_ts - cfg.start_ts) // DAY
    created_day = (created_ts - cfg.start_ts) // DAY
    stage = np.full(n, NOT_CREATED, dtype=np.int8)
    engaged = np.zeros(n, dtype=bool)
    stage_ts = np.full((n, 5), np.nan)
    stage_ts[:, 0] = created_ts
    dq_ts = np.full(n, np.nan)
    eng_lead, eng_day, eng_stage = [], [], []
    flip_lead, flip_ts, flip_to = [], [], []
    order = np.argsort(created_day, kind="stable")
    sorted_days = created_day[order]
    # each lead's daily probabilities in each of its 8 states (stage + 4 x engaged)
    state_stage = np.tile(np.arange(N_OPEN), 2)[None, :]
    state_engaged = (np.arange(2 * N_OPEN) >= N_OPEN)[None, :]
    p_adv_of, p_dq_of, p_flip_of = daily_probabilities(
        state_stage, state_engaged, multiplier[:, None], dormancy[:, None]
    )
    for day in range(n_days):
        day_start = cfg.start_ts + day * DAY
        lo, hi = np.searchsorted(sorted_days, [day, day + 1])
        # open leads created before today move first; today's new leads start engaged
        open_idx = np.flatnonzero((stage >= 0) & (stage < N_OPEN))
        if len(open_idx):
            s = stage[open_idx]
            e = engaged[open_idx]
            state = s + N_OPEN * e
            p_adv = p_adv_of[open_idx, state]
            u = rng.random(len(open_idx))
            adv = u < p_adv
            dq = ~adv & (u < p_adv + p_dq_of[open_idx, state])
            flip = rng.random(len(open_idx)) < p_flip_of[open_idx, state]
            eng_now = open_idx[e]
            eng_lead.append(eng_now.astype(np.int32))
            eng_day.append(np.full(len(eng_now), day, dtype=np.int16))
            eng_stage.append(s[e])
            # the moment within the day, for the leads whose state changes
            changed = np.flatnonzero(adv | dq | flip)
            when = np.zeros(len(open_idx), dtype=np.int64)
            when[changed] = day_start + rng.integers(0, DAY, len(changed))
            a = open_idx[adv]
            stage[a] += 1
            stage_ts[a, stage[a]] = when[adv]
            d = open_idx[dq]
            stage[d] = DISQUALIFIED
            dq_ts[d] = when[dq]
            f = flip & ~dq & ~(adv & (s == N_OPEN - 1))
            engaged[open_idx[f]] = ~engaged[open_idx[f]]
            flip_lead.append(open_idx[f])
            flip_ts.append(when[f])
            flip_to.append(engaged[open_idx[f]])
        new = order[lo:hi]
        stage[new] = 0
        engaged[new] = True
        # the creation day counts as engaged for the events it brings
        eng_lead.append(new.astype(np.int32))
        eng_day.append(np.full(len(new), day, dtype=np.int16))
        eng_stage.append(np.zeros(len(new), dtype=np.int8))
    engaged_lead = np.concatenate(eng_lead)
    by_lead = np.argsort(engaged_lead, kind="stable")
    return Journeys(
        stage_ts=stage_ts,
        disqualified_ts=dq_ts,
        engaged_lead=engaged_lead[by_lead],
        engaged_day=np.concatenate(eng_day)[by_lead],
        engaged_stage=np.concatenate(eng_stage).astype(np.int8)[by_lead],
        flip_lead=np.concatenate(flip_lead),
        flip_ts=np.concatenate(flip_ts),
        flip_to=np.concatenate(flip_to),
    )
