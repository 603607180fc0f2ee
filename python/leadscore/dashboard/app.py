"""The dashboard page (run by `python -m leadscore.dashboard`, which starts Streamlit).

Reads only the published BI copy, read-only, through the functions in `data`; the
connection is opened per page view and closed at once, so a new publish (an atomic
file swap) shows on the next refresh and nothing holds the file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from leadscore.dashboard import data
from leadscore.reporting.report import OTHER_TIER_COLORS, TIER_COLORS

NA = "\u2013"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--project-dir", help="where seeds/ is (readers' names of features)")
    return parser.parse_known_args(sys.argv[1:])[0]


def _project(arg: str | None) -> Path:
    for candidate in (arg, Path.cwd(), Path(__file__).resolve().parents[3]):
        if candidate and (Path(candidate) / "seeds").is_dir():
            return Path(candidate)
    return Path.cwd()


def tier_color(tier: str, rank: int) -> str:
    return TIER_COLORS.get(tier, OTHER_TIER_COLORS[(rank - 1) % len(OTHER_TIER_COLORS)])


def _layout(fig: go.Figure, height: int = 320, **kw) -> go.Figure:
    layout = dict(
        height=height, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white", showlegend=False
    )
    fig.update_layout(**{**layout, **kw})
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#e5e8eb")
    return fig


def _table(frame: pl.DataFrame) -> None:
    """A small formatted table (HTML, so its numbers are readable text)."""
    st.table(frame.to_pandas().set_index(frame.columns[0]))


def header(con, h: dict) -> None:
    st.title("Lead scoring")
    built = h["built_at"].strftime("%d %b %Y %H:%M UTC") if h["built_at"] else "unknown"
    st.caption(
        f"Build of {built} · model {h['model_id'] or 'none (points table)'} · "
        f"{data.count(h['scored_leads'])} open leads scored · read from the published copy "
        f"`{DB.name}` (refreshed by `make build`)"
    )
    tiers_name = " + ".join(t.capitalize() for t in h["top_tiers"]) or "Queue tiers"
    top_name, top_n = h["queue_by_tier"][0] if h["queue_by_tier"] else ("hot", None)
    cols = st.columns(5)
    cols[0].metric(
        "Leads to work now",
        data.count(h["queue_leads"]),
        help="Open leads sales does not own yet in the outreach tiers (marts.sales_queue).",
    )
    cols[1].metric(
        f"{top_name.capitalize()} leads: call today",
        data.count(top_n),
        help="Leads of the best tier in the queue.",
    )
    cols[2].metric(
        f"{tiers_name} share of conversions",
        data.percent(h["top_tiers_share"]),
        help="Of the leads that became customers in the latest out-of-time "
        "holdout, the share these tiers held (marts.tier_performance).",
    )
    auc = h["holdout_auc"]
    delta = None if auc is None or h["rules_auc"] is None else auc - h["rules_auc"]
    cols[3].metric(
        "Model AUC, latest holdout",
        NA if auc is None else f"{auc:.3f}",
        delta=None if delta is None else f"{delta:+.3f} vs points table",
        help="Chance the model ranks a lead that converted above one that did "
        "not, on the newest matured leads (marts.model_health). 0.5 = "
        "guessing.",
    )
    cols[4].metric(
        "Open alerts",
        data.count(h["alerts"]),
        help="Drift, accuracy, calibration and sales-feedback alerts of the "
        "latest build (marts.model_health).",
    )
    if h["top_tiers_share"] is not None and h["top_tiers_lead_share"]:
        names = " and ".join(t for t in h["top_tiers"])
        st.markdown(
            f"In the latest out-of-time holdout, **{names}** leads were "
            f"**{data.percent(h['top_tiers_lead_share'])}** of all leads and brought "
            f"**{data.percent(h['top_tiers_share'])}** of the customers: they converted "
            f"**{h['top_tiers_share'] / h['top_tiers_lead_share']:.0f}x** as often as the "
            "average lead."
        )


def queue_section(con, h: dict) -> None:
    st.header("Sales queue: who to call, in order")
    frame = data.sales_queue(con)
    if not frame.height:
        st.info("No open lead is in an outreach tier today.")
        return
    split = ", ".join(f"{data.count(n)} {t}" for t, n in h["queue_by_tier"])
    st.caption(
        f"{data.count(frame.height)} leads ({split}), best tier then highest score "
        "first. Follow up before the due time."
    )
    order = [
        "queue_rank",
        "tier",
        "score",
        "company_name",
        "job_title",
        "owner_id",
        "recommended_action",
        "follow_up_due_at",
        "reasons",
        "concerns",
        "channel_name",
        "lifecycle_stage_name",
        "last_activity",
        "last_activity_at",
    ]
    st.dataframe(
        frame.select(order)
        .with_columns(pl.col(pl.String).fill_null(NA))
        .with_columns(pl.col("tier").str.to_titlecase())
        .to_pandas(),
        hide_index=True,
        height=min(38 + 35 * frame.height, 420),
        column_config={
            "queue_rank": st.column_config.NumberColumn("#", format="%d", width="small"),
            "tier": st.column_config.TextColumn("Tier", width="small"),
            "score": st.column_config.ProgressColumn(
                "Score", min_value=0, max_value=100, format="%d"
            ),
            "company_name": "Company",
            "job_title": "Title",
            "owner_id": st.column_config.TextColumn("Owner", width="small"),
            "channel_name": "Came from",
            "lifecycle_stage_name": "Stage",
            "recommended_action": "Next step",
            "follow_up_due_at": st.column_config.DatetimeColumn(
                "Follow up by (UTC)", format="D MMM, HH:mm"
            ),
            "last_activity": "Last activity",
            "last_activity_at": st.column_config.DatetimeColumn("Last active", format="D MMM YYYY"),
            "reasons": st.column_config.TextColumn("Why the score is high", width="large"),
            "concerns": st.column_config.TextColumn("What holds it back", width="large"),
        },
    )


def tiers_section(con, model: str | None, stages: dict[str, str]) -> None:
    st.header("Tiers: how often each tier's leads became customers")
    frame = data.tiers(con, model)
    if not frame.height:
        st.info(
            "No matured holdout leads yet: realised conversion per tier appears once "
            "the first holdout's horizon has passed."
        )
        return
    st.caption(
        "Leads of the latest out-of-time holdout, tiered the way today's leads are, "
        "and whether they became customers within the prediction horizon."
    )
    left, right = st.columns([3, 2])
    with left:
        _table(
            pl.DataFrame(
                {
                    "Tier": [t.capitalize() for t in frame["tier"]],
                    "Leads": [data.count(v) for v in frame["leads"]],
                    "Share of leads": [data.percent(v) for v in frame["share_of_leads"]],
                    "Became customers": [data.count(v) for v in frame["conversions"]],
                    "Conversion rate": [data.percent(v) for v in frame["conversion_rate"]],
                    "Predicted rate": [
                        data.percent(v) for v in frame["mean_predicted_probability"]
                    ],
                    "Lift vs average": [NA if v is None else f"{v:.1f}x" for v in frame["lift"]],
                    "Share of conversions": [
                        data.percent(v) for v in frame["share_of_conversions"]
                    ],
                    "Won revenue": [NA if v is None else f"{v:,.0f}" for v in frame["won_revenue"]],
                }
            ),
        )
    with right:
        colors = [tier_color(t, r) for t, r in frame.select("tier", "tier_rank").iter_rows()]
        fig = go.Figure(
            go.Bar(
                x=[t.capitalize() for t in frame["tier"]],
                y=frame["conversion_rate"],
                marker_color=colors,
                text=[data.percent(v) for v in frame["conversion_rate"]],
                textposition="outside",
                hovertemplate="%{x}: %{y:.1%}<extra></extra>",
            )
        )
        _layout(fig, title="Conversion rate by tier")
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
        st.plotly_chart(fig, use_container_width=True)
    reach = data.funnel_by_tier(con, model)
    if reach.height:
        fig = go.Figure()
        for (tier, rank), part in reach.group_by(["tier", "tier_rank"], maintain_order=True):
            fig.add_bar(
                name=tier.capitalize(),
                x=[stages.get(s, s) for s in part["stage"]],
                y=part["reach_rate"],
                marker_color=tier_color(tier, rank),
                hovertemplate=f"{tier.capitalize()}: " + "%{y:.1%} reached %{x}<extra></extra>",
            )
        _layout(
            fig,
            title="How far each tier's leads got (share reaching the stage)",
            showlegend=True,
            barmode="group",
            legend=dict(orientation="h", y=-0.2, title_text="Tier"),
        )
        fig.update_yaxes(tickformat=".0%", range=[0, 1])
        st.plotly_chart(fig, use_container_width=True)


def funnel_section(con, stages: dict[str, str]) -> None:
    st.header("Funnel: how many leads move on from each stage")
    options = ["All channels", *data.channels(con)]
    choice = st.selectbox("Channel", options, index=0)
    frame = data.funnel(con, None if choice == "All channels" else choice)
    if not frame.height:
        st.info("No funnel data in this build.")
        return
    names = [stages.get(s, s) for s in frame["stage"]]
    left, right = st.columns([2, 3])
    with left:
        _table(
            pl.DataFrame(
                {
                    "Stage": names,
                    "Entered": [data.count(v) for v in frame["entered"]],
                    "Moved on": [data.count(v) for v in frame["advanced"]],
                    "Rate": [data.percent(v) for v in frame["conversion_rate"]],
                }
            ),
        )
    with right:
        fig = go.Figure(
            go.Bar(
                x=names,
                y=frame["conversion_rate"],
                marker_color="#1f6feb",
                text=[data.percent(v) for v in frame["conversion_rate"]],
                textposition="outside",
                hovertemplate="%{x}: %{y:.1%} moved on<extra></extra>",
            )
        )
        _layout(fig, title="Share that moved on to a later stage")
        fig.update_yaxes(tickformat=".0%", range=[0, 1.1])
        st.plotly_chart(fig, use_container_width=True)
    st.caption(
        "Summed over monthly cohorts (marts.funnel_conversion). Recent cohorts "
        "are still moving, so their rates rise over time."
    )


ALERTS = {
    "is_accuracy_alert": "accuracy fell below the registry's holdout AUC",
    "is_tier_calibration_alert": "a tier converts off its predicted rate",
    "is_useless_model_alert": "no model beats guessing credibly",
    "is_feedback_alert": "reps reject many hot leads",
}


def health_section(con, model: str | None) -> None:
    st.header("Model health over builds")
    history = data.model_history(con)
    if not history.height:
        st.info("No build has recorded model health yet.")
        return
    last = history.row(-1, named=True)
    raised = [text for col, text in ALERTS.items() if last.get(col)]
    if last.get("drift_alerts"):
        raised.append(f"{last['drift_alerts']} drifting feature(s)")
    if raised:
        st.warning(
            "Latest build raised: "
            + "; ".join(raised)
            + (". The next build retrains." if last.get("retrain_alert") else ".")
        )
    else:
        st.success("Latest build: no alerts.")
    if history.height > 1:
        fig = go.Figure()
        for col, name, color in (
            ("current_holdout_auc", "AUC on the latest holdout", "#1f6feb"),
            ("registry_holdout_auc", "AUC when trained", "#9aa4ae"),
        ):
            fig.add_scatter(
                x=history["built_at"],
                y=history[col],
                name=name,
                mode="lines+markers",
                line=dict(color=color),
            )
        _layout(
            fig, title="Model AUC per build", showlegend=True, legend=dict(orientation="h", y=-0.25)
        )
        fig.update_yaxes(tickformat=".2f")
        st.plotly_chart(fig, use_container_width=True)
    else:
        st.caption("One build so far: the AUC chart over builds starts with the second build.")
    _table(
        pl.DataFrame(
            {
                "Build": [b.strftime("%Y-%m-%d %H:%M") for b in history["built_at"]][::-1],
                "Model": [m or NA for m in history["model_id"]][::-1],
                "AUC now": [
                    NA if v is None else f"{v:.3f}" for v in history["current_holdout_auc"]
                ][::-1],
                "AUC when trained": [
                    NA if v is None else f"{v:.3f}" for v in history["registry_holdout_auc"]
                ][::-1],
                "Largest feature PSI": [
                    NA if v is None else f"{v:.3f}" for v in history["max_feature_psi"]
                ][::-1],
                "Score PSI": [NA if v is None else f"{v:.3f}" for v in history["score_psi"]][::-1],
                "Alerts": [data.count(v) for v in history["alert_count"]][::-1],
            }
        ).head(20),
    )
    perf = data.performance(con, model)
    if perf.height:
        st.subheader("Model vs points table on the same holdout")
        _table(
            pl.DataFrame(
                {
                    "Scorer": [
                        "Model" if s == "model" else "Points table (rules)" for s in perf["scorer"]
                    ],
                    "Holdout leads": [data.count(v) for v in perf["examples"]],
                    "Converted": [data.count(v) for v in perf["positives"]],
                    "AUC": [NA if v is None else f"{v:.3f}" for v in perf["auc"]],
                    "PR-AUC": [NA if v is None else f"{v:.3f}" for v in perf["pr_auc"]],
                    "Top-10% lift": [
                        NA if v is None else f"{v:.1f}x" for v in perf["top_decile_lift"]
                    ],
                }
            ),
        )


def drift_section(con, names: dict[str, str]) -> None:
    st.header("Drift: are today's leads like the ones the model learned from?")
    frame = data.drift(con, names)
    if not frame.height:
        st.info("No drift measured in this build.")
        return
    band_colors = {"stable": "#2e7d32", "moderate": "#e67e22", "significant": "#c0392b"}
    shown = frame.sort("psi")
    fig = go.Figure(
        go.Bar(
            x=shown["psi"],
            y=shown["name"],
            orientation="h",
            marker_color=[band_colors.get(b, "#9aa4ae") for b in shown["drift_band"]],
            hovertemplate="%{y}: PSI %{x:.3f}<extra></extra>",
        )
    )
    for x, label in ((0.1, "moderate"), (0.25, "significant")):
        fig.add_vline(
            x=x,
            line_dash="dot",
            line_color="#9aa4ae",
            annotation_text=label,
            annotation_position="top",
        )
    top = max(0.3, 1.1 * max(frame["psi"].fill_null(0).to_list()))
    _layout(fig, height=40 + 26 * frame.height, title="Population stability index (PSI)")
    fig.update_xaxes(range=[0, top], tickformat=".2f", showgrid=True, gridcolor="#e5e8eb")
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(fig, use_container_width=True)
    with right:
        _table(
            pl.DataFrame(
                {
                    "Feature": frame["name"],
                    "PSI": [f"{v:.3f}" for v in frame["psi"]],
                    "Band": frame["drift_band"].str.to_titlecase(),
                }
            ),
        )
    st.caption(
        "PSI compares today's open leads with the training data: below 0.1 stable, "
        "0.1-0.25 moderate, above 0.25 significant (marts.feature_drift)."
    )


ARGS = _args()
DB = data.resolve_db(ARGS.db)
st.set_page_config(page_title="Lead scoring", layout="wide")
try:
    connection = data.connect(DB)
except data.CopyMissing as e:
    st.error(str(e))
    st.stop()
try:
    have = data.tables(connection)
    lookup = data.labels(connection, _project(ARGS.project_dir))
    stage_names = lookup["lifecycle_stages"]
    headline = data.headline(connection)
    model_id = data.current_model(connection)
    header(connection, headline)
    if "sales_queue" in have:
        queue_section(connection, headline)
    if "tier_performance" in have:
        tiers_section(connection, model_id, stage_names)
    if "funnel_conversion" in have:
        funnel_section(connection, stage_names)
    if "model_health" in have:
        health_section(connection, model_id)
    if "feature_drift" in have:
        drift_section(connection, lookup["feature_dictionary"])
finally:
    connection.close()
