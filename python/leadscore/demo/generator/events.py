"""Engagement event streams whose volume, mix and timing follow each lead's latent state."""

from __future__ import annotations

import numpy as np

from leadscore.demo.generator import catalog
from leadscore.demo.generator.config import DAY, GeneratorConfig
from leadscore.demo.generator.journey import Journeys
from leadscore.demo.generator.population import Leads

EVENT_NAMES = list(catalog.EVENT_TYPES)
PAGE_NAMES = list(catalog.PAGES)
PAGE_VIEW = EVENT_NAMES.index("page_view")
PRICING = PAGE_NAMES.index("/pricing")
INTEGRATIONS = PAGE_NAMES.index("/integrations")
EMAIL_OPEN = EVENT_NAMES.index("email_open")
EMAIL_LIKE = {"email_open", "email_click", "email_reply", "webinar_attend", "content_download"}
EMAIL_LIKE_CODES = np.array([name in EMAIL_LIKE for name in EVENT_NAMES])


STAGE_RATE = np.array([1.0, 1.3, 1.6, 1.8], dtype=np.float32)  # events per engaged day


def event_rate_scale(cfg: GeneratorConfig, leads: Leads, journeys: Journeys) -> float:
    """Events per engaged lead-day that makes the mean event count `events_per_lead`."""
    exposure = (
        np.exp(0.4 * leads.intent[journeys.engaged_lead]) * STAGE_RATE[journeys.engaged_stage]
    )
    return cfg.events_per_lead * leads.n / max(float(exposure.sum()), 1e-9)


def make_events_chunk(
    cfg: GeneratorConfig,
    leads: Leads,
    journeys: Journeys,
    lo: int,
    hi: int,
    scale: float,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Events of leads[lo:hi] that happened before the export, as clean coded columns:
    lead index, time (s), event type (index into EVENT_NAMES), page (index into
    PAGE_NAMES, -1 = not a page view), campaign (0 = none), device (index into
    catalog.DEVICES) and duration (s, NaN = none). Not sorted."""
    lead, ts, stage = _engaged_day_events(cfg, leads, journeys, lo, hi, scale, rng)
    etype = _event_types(lead, stage.astype(np.int64), leads.intent, rng)
    page = np.full(len(lead), -1, dtype=np.int8)
    views = np.flatnonzero(etype == PAGE_VIEW)
    page[views] = _pages(lead[views], leads, rng)
    extra_lead, extra_ts, extra_page = _planted_page_views(leads, lo, hi, rng)
    # newsletters reach every lead every two weeks for its whole life; some open them
    news_lead, news_ts = _newsletter_opens(cfg, leads, lo, hi, rng)
    lead = np.concatenate([lead, extra_lead, news_lead])
    ts = np.concatenate([ts, extra_ts, news_ts])
    etype = np.concatenate(
        [
            etype,
            np.full(len(extra_lead), PAGE_VIEW, dtype=etype.dtype),
            np.full(len(news_ts), EMAIL_OPEN, dtype=etype.dtype),
        ]
    )
    page = np.concatenate([page, extra_page, np.full(len(news_ts), -1, dtype=np.int8)])
    keep = ts < cfg.export_ts
    lead, ts, etype, page = lead[keep], ts[keep].astype(np.int64), etype[keep], page[keep]
    return {
        "lead": lead.astype(np.int64),
        "ts": ts,
        "etype": etype,
        "page": page,
        **_event_details(etype, rng),
    }


def _engaged_day_events(
    cfg: GeneratorConfig,
    leads: Leads,
    journeys: Journeys,
    lo: int,
    hi: int,
    scale: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lead, time, stage) of the events of engaged lead-days: a Poisson number per day
    whose rate rises with intent and stage, at uniform times within the day."""
    a, b = np.searchsorted(journeys.engaged_lead, [lo, hi])  # sorted by lead
    day_lead = journeys.engaged_lead[a:b]
    day_index = journeys.engaged_day[a:b]
    day_stage = journeys.engaged_stage[a:b]
    rate = scale * np.exp(0.4 * leads.intent[day_lead]) * STAGE_RATE[day_stage]
    day_start = cfg.start_ts + day_index.astype(np.int64) * DAY
    # on the creation day only the hours after creation count
    begin = np.maximum(day_start, leads.created_ts[day_lead])
    span = day_start + DAY - begin
    counts = rng.poisson(rate * span / DAY)
    ts = np.repeat(begin, counts) + (rng.random(int(counts.sum())) * np.repeat(span, counts))
    return np.repeat(day_lead, counts), ts, np.repeat(day_stage, counts)


def _event_types(
    lead: np.ndarray, stage: np.ndarray, intent: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The type of each event: base mix, shifted by intent, and late stages shift it
    towards sales calls, demos and replies. The mix of each (lead, stage) is computed
    once, then looked up per event."""
    base = np.array([v[0] for v in catalog.EVENT_TYPES.values()], dtype=np.float32)
    sens = np.array([v[1] for v in catalog.EVENT_TYPES.values()], dtype=np.float32)
    boost = np.array([v[2] for v in catalog.EVENT_TYPES.values()], dtype=np.float32)
    if len(lead) == 0:
        return np.zeros(0, dtype=np.int8)
    first = int(lead.min())
    leads_here = intent[first : int(lead.max()) + 1].astype(np.float32)
    stages = np.arange(len(STAGE_RATE), dtype=np.float32)
    logw = (
        np.log(base)[None, None, :]
        + sens[None, None, :] * leads_here[:, None, None]
        + np.log(boost)[None, None, :] * (stages[None, :, None] / 3.0)
    )
    mix = np.exp(logw).reshape(-1, len(base))  # row (lead - first) * 4 + stage
    return _sample(mix, (lead - first) * len(STAGE_RATE) + stage, rng)


def _pages(lead: np.ndarray, leads: Leads, rng: np.random.Generator) -> np.ndarray:
    """The page of each page view; only pricing visitors ever see /pricing."""
    page_base = np.array([v[0] for v in catalog.PAGES.values()], dtype=np.float32)
    page_sens = np.array([v[1] for v in catalog.PAGES.values()], dtype=np.float32)
    if len(lead) == 0:
        return np.zeros(0, dtype=np.int8)
    first = int(lead.min())
    here = slice(first, int(lead.max()) + 1)
    intent = leads.intent[here].astype(np.float32)
    pw = np.exp(np.log(page_base)[None, :] + page_sens[None, :] * intent[:, None])
    pw[~leads.visits_pricing[here], PRICING] = 0.0
    return _sample(pw, lead - first, rng)


def _planted_page_views(
    leads: Leads, lo: int, hi: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Planted sequences: integrations within 48 h of creation, then pricing within 7
    days; and every pricing visitor views the pricing page at least once in its first
    month. Returns (lead, time, page)."""
    idx = np.arange(lo, hi)
    seq_leads = idx[leads.early_sequence[idx]]
    s_int = leads.created_ts[seq_leads] + rng.uniform(0.5, 47.5, len(seq_leads)) * 3600
    s_pri = s_int + rng.uniform(1.0, 7 * 24 - 1, len(seq_leads)) * 3600
    pv_leads = idx[leads.visits_pricing[idx] & ~leads.early_sequence[idx]]
    pv_ts = leads.created_ts[pv_leads] + rng.random(len(pv_leads)) * 30 * DAY
    page = np.concatenate(
        [np.full(len(seq_leads), INTEGRATIONS), np.full(len(seq_leads) + len(pv_leads), PRICING)]
    ).astype(np.int8)
    return (
        np.concatenate([seq_leads, seq_leads, pv_leads]),
        np.concatenate([s_int, s_pri, pv_ts]),
        page,
    )


def _event_details(etype: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Duration (page views, webinars, sales calls), campaign (e-mail-like events) and
    device of each event."""
    n = len(etype)
    duration = np.full(n, np.nan)
    views = np.flatnonzero(etype == PAGE_VIEW)
    duration[views] = np.round(rng.lognormal(np.log(45), 1.0, len(views)))
    for name, lo_s, hi_s in (("webinar_attend", 900, 3600), ("sales_call", 300, 2700)):
        rows = np.flatnonzero(etype == EVENT_NAMES.index(name))
        duration[rows] = rng.integers(lo_s, hi_s, len(rows))
    campaign = rng.integers(1, catalog.N_CAMPAIGNS + 1, n).astype(np.int16)
    campaign[~EMAIL_LIKE_CODES[etype]] = 0
    device = rng.choice(len(catalog.DEVICES), n, p=[0.68, 0.28, 0.04]).astype(np.int8)
    return {"campaign": campaign, "device": device, "duration": duration}


def _newsletter_opens(
    cfg: GeneratorConfig, leads: Leads, lo: int, hi: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Opens of the fortnightly newsletter: (lead index, time) of each open."""
    idx = np.arange(lo, hi)
    sends = ((cfg.export_ts - leads.created_ts[idx]) // (14 * DAY)).astype(np.int64)
    lead = np.repeat(idx, sends)
    k = np.arange(len(lead)) - np.repeat(np.cumsum(sends) - sends, sends)
    ts = leads.created_ts[lead] + (k + 1) * 14 * DAY + rng.integers(0, DAY, len(lead))
    p_open = 0.12 + 0.12 / (1.0 + np.exp(-leads.intent[lead]))
    opened = rng.random(len(lead)) < p_open
    return lead[opened], ts[opened]


def _sample(weights: np.ndarray, row: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per draw, with probability proportional to the weights of the
    draw's row (`row` indexes `weights`)."""
    cum = np.cumsum(weights, axis=1, dtype=np.float32)
    r = rng.random(len(row), dtype=np.float32) * cum[row, -1]
    chosen = (cum[row] < r[:, None]).sum(axis=1)
    return np.minimum(chosen, weights.shape[1] - 1).astype(np.int8)
