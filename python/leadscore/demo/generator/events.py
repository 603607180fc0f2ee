"""Engagement event streams whose volume, mix and timing follow each lead's latent state."""

from __future__ import annotations

import numpy as np
import polars as pl

from leadscore.demo.generator import catalog
from leadscore.demo.generator.config import DAY, GeneratorConfig
from leadscore.demo.generator.journey import Journeys
from leadscore.demo.generator.population import Leads

EVENT_NAMES = list(catalog.EVENT_TYPES)
PAGE_NAMES = list(catalog.PAGES)
PAGE_VIEW = EVENT_NAMES.index("page_view")
PRICING = PAGE_NAMES.index("/pricing")
INTEGRATIONS = PAGE_NAMES.index("/integrations")
EMAIL_LIKE = {"email_open", "email_click", "email_reply", "webinar_attend", "content_download"}


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
) -> pl.DataFrame:
    """Events of leads[lo:hi] that happened before the export, as clean typed columns."""
    in_chunk = (journeys.engaged_lead >= lo) & (journeys.engaged_lead < hi)
    day_lead = journeys.engaged_lead[in_chunk]
    day_index = journeys.engaged_day[in_chunk]
    day_stage = journeys.engaged_stage[in_chunk]
    rate = scale * np.exp(0.4 * leads.intent[day_lead]) * STAGE_RATE[day_stage]
    day_start = cfg.start_ts + day_index.astype(np.int64) * DAY
    # on the creation day only the hours after creation count
    begin = np.maximum(day_start, leads.created_ts[day_lead])
    counts = rng.poisson(rate * (day_start + DAY - begin) / DAY)
    row_lead = np.repeat(day_lead, counts)
    row_stage = np.repeat(day_stage, counts)
    row_begin = np.repeat(begin, counts)
    row_span = np.repeat(day_start + DAY - begin, counts)
    ts = row_begin + rng.random(len(row_lead)) * row_span
    intent = leads.intent[row_lead].astype(np.float32)

    base = np.array([v[0] for v in catalog.EVENT_TYPES.values()], dtype=np.float32)
    sens = np.array([v[1] for v in catalog.EVENT_TYPES.values()], dtype=np.float32)
    boost = np.array([v[2] for v in catalog.EVENT_TYPES.values()], dtype=np.float32)
    # later stages shift the mix towards sales calls, demos and replies
    logw = (
        np.log(base)[None, :]
        + sens[None, :] * intent[:, None]
        + np.log(boost)[None, :] * (row_stage[:, None].astype(np.float32) / 3.0)
    )
    etype = _sample(np.exp(logw), rng)

    page_base = np.array([v[0] for v in catalog.PAGES.values()], dtype=np.float32)
    page_sens = np.array([v[1] for v in catalog.PAGES.values()], dtype=np.float32)
    pw = np.exp(np.log(page_base)[None, :] + page_sens[None, :] * intent[:, None])
    pw[~leads.visits_pricing[row_lead], PRICING] = 0.0
    page = _sample(pw, rng)

    # planted sequences: integrations within 48 h of creation, then pricing within 7 days
    idx = np.arange(lo, hi)
    seq_leads = idx[leads.early_sequence[idx]]
    s_int = leads.created_ts[seq_leads] + rng.uniform(0.5, 47.5, len(seq_leads)) * 3600
    s_pri = s_int + rng.uniform(1.0, 7 * 24 - 1, len(seq_leads)) * 3600
    # every pricing visitor views the pricing page at least once in its first month
    pv_leads = idx[leads.visits_pricing[idx] & ~leads.early_sequence[idx]]
    pv_ts = leads.created_ts[pv_leads] + rng.random(len(pv_leads)) * 30 * DAY
    extra_lead = np.concatenate([seq_leads, seq_leads, pv_leads])
    extra_ts = np.concatenate([s_int, s_pri, pv_ts])
    extra_page = np.concatenate(
        [np.full(len(seq_leads), INTEGRATIONS), np.full(len(seq_leads) + len(pv_leads), PRICING)]
    )
    # newsletters reach every lead every two weeks for its whole life; some open them
    news_lead, news_ts = _newsletter_opens(cfg, leads, lo, hi, rng)
    row_lead = np.concatenate([row_lead, extra_lead, news_lead])
    ts = np.concatenate([ts, extra_ts, news_ts])
    etype = np.concatenate(
        [
            etype,
            np.full(len(extra_lead), PAGE_VIEW),
            np.full(len(news_ts), EVENT_NAMES.index("email_open")),
        ]
    )
    page = np.concatenate([page, extra_page, np.zeros(len(news_ts), dtype=page.dtype)])

    keep = ts < cfg.export_ts
    row_lead, ts, etype, page = row_lead[keep], ts[keep], etype[keep], page[keep]
    order = np.lexsort((ts, row_lead))
    row_lead, ts, etype, page = row_lead[order], ts[order], etype[order], page[order]
    n = len(ts)

    names = np.array(EVENT_NAMES)[etype]
    is_page = etype == PAGE_VIEW
    duration = np.full(n, np.nan)
    duration[is_page] = np.round(rng.lognormal(np.log(45), 1.0, is_page.sum()))
    for name, lo_s, hi_s in (("webinar_attend", 900, 3600), ("sales_call", 300, 2700)):
        m = names == name
        duration[m] = rng.integers(lo_s, hi_s, m.sum())
    campaign = rng.integers(1, catalog.N_CAMPAIGNS + 1, n)
    has_campaign = np.isin(names, list(EMAIL_LIKE))
    device = rng.choice(len(catalog.DEVICES), n, p=[0.68, 0.28, 0.04])
    return pl.DataFrame(
        {
            "lead_idx": row_lead.astype(np.int64),
            "occurred_ts": ts.astype(np.int64),
            "event_type": names,
            "page_path": np.array(PAGE_NAMES)[page],
            "is_page": is_page,
            "campaign_id": np.char.add("CMP-", campaign.astype(str)),
            "has_campaign": has_campaign,
            "device_type": np.array(catalog.DEVICES)[device],
            "duration_seconds": duration,
        }
    ).select(
        "lead_idx",
        "occurred_ts",
        "event_type",
        pl.when("is_page").then("page_path").alias("page_path"),
        pl.when("has_campaign").then("campaign_id").alias("campaign_id"),
        "device_type",
        pl.col("duration_seconds").fill_nan(None).cast(pl.Int64),
    )


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
    return lead[opened], ts[opened].astype(float)


def _sample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per row, with probability proportional to that row's weights."""
    cum = np.cumsum(weights, axis=1)
    r = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((cum < r[:, None]).sum(axis=1), weights.shape[1] - 1)
