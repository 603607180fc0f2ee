"""The words of the reasons: display names and score scales read from the seeds."""

from __future__ import annotations

import polars as pl

from leadscore.core.explain import Wording


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def icp_fit_max(
    criteria: pl.DataFrame, technologies: pl.DataFrame, points_per_technology: float
) -> float:
    """The best ideal-customer fit a lead can reach (model int_lead_icp_fit): the best
    positive points of each dimension of seed icp_criteria (a lead has one value per
    dimension) plus points_per_technology times the weight of every technology."""
    best = (
        criteria.group_by("dimension")
        .agg(pl.col("points").cast(pl.Float64).max().clip(lower_bound=0))
        .get_column("points")
        .sum()
    )
    weights = technologies.get_column("weight").cast(pl.Float64).clip(lower_bound=0).sum()
    return float(best) + points_per_technology * float(weights)


def reason_wording(
    channels: pl.DataFrame,
    stages: pl.DataFrame,
    criteria: pl.DataFrame,
    technologies: pl.DataFrame,
    points_per_technology: float,
) -> Wording:
    """Channel names (seed channels), stage names as sales says them (seed
    lifecycle_stages.display_name) and the scale of the ICP fit ({icp_fit_max})."""
    return Wording(
        labels={
            "channel": dict(zip(channels["channel"], channels["display_name"], strict=True)),
            "current_stage": dict(zip(stages["stage"], stages["display_name"], strict=True)),
        },
        placeholders={
            "icp_fit_max": _number(icp_fit_max(criteria, technologies, points_per_technology))
        },
    )
