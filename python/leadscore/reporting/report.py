"""The model report: one self-contained HTML page (plotly charts, plotly.js embedded once).

    leadscore report --db data/leadscore.duckdb --out data/report.html

At the top, a summary for sales: how many leads to call, what share of the
holdout's conversions the hot and warm tiers held, and what the points table
reaches calling the same number of leads. Charts: ROC and precision-recall
curves and cumulative gains (model vs the rules baseline on the same holdout
leads, scikit-learn's curves with ties collapsed), calibration, score
distribution by tier, funnel, feature importance, drift; then the tables.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import plotly.graph_objects as go
import polars as pl
from sklearn.metrics import precision_recall_curve, roc_curve

COLORS = {"model": "#1f6feb", "rules": "#d9822b", "random": "#9aa4ae"}
TIER_COLORS = {"hot": "#c0392b", "warm": "#e67e22", "cool": "#3498db", "cold": "#95a5a6"}
OTHER_TIER_COLORS = ["#7f8c8d", "#34495e", "#8e44ad", "#16a085"]
CHARTS = (
    "roc",
    "precision_recall",
    "cumulative_gains",
    "calibration",
    "score_distribution",
    "funnel",
    "feature_importance",
    "drift",
)
# column -> (display name, format): pct = 83.9%, int = 1,234, num = 0.812
COLUMNS = {
    "scorer": ("Scorer", "str"),
    "examples": ("Holdout leads", "int"),
    "positives": ("Conversions", "int"),
    "auc": ("ROC AUC", "num"),
    "pr_auc": ("PR AUC", "num"),
    "log_loss": ("Log loss", "num"),
    "brier": ("Brier score", "num"),
    "ece": ("Calibration error (ECE)", "pct"),
    "top_decile_lift": ("Lift in the top 10%", "lift"),
    "tier": ("Tier", "str"),
    "leads": ("Leads", "int"),
    "conversions": ("Conversions", "int"),
    "conversion_rate": ("Conversion rate", "pct"),
    "mean_predicted_probability": ("Predicted rate", "pct"),
    "lift": ("Lift vs average", "lift"),
    "share_of_conversions": ("Share of conversions", "pct"),
    "share_of_leads": ("Share of leads", "pct"),
    "built_at": ("Built at (UTC)", "str"),
    "model_id": ("Model", "str"),
    "registry_holdout_auc": ("AUC when registered", "num"),
    "current_holdout_auc": ("AUC on the current holdout", "num"),
    "max_feature_psi": ("Largest feature drift (PSI)", "num"),
    "score_psi": ("Score drift (PSI)", "num"),
    "max_tier_calibration_gap": ("Largest tier calibration gap", "pct"),
    "drift_alerts": ("Drifted features", "int"),
    "is_accuracy_alert": ("Accuracy alert", "bool"),
    "is_tier_calibration_alert": ("Tier calibration alert", "bool"),
    "alert_count": ("Alerts", "int"),
    "retrain_alert": ("Retrain recommended", "bool"),
    "is_useless_model_alert": ("Model no better than chance", "bool"),
}
MISSING = "\u2013"  # an en dash where a value does not apply (e.g. ECE of the points table)
_LAYOUT = {
    "width": 520,
    "height": 380,
    "margin": {"l": 70, "r": 20, "t": 20, "b": 90},
    "font": {"size": 12},
    "separators": ".,",
    "template": "plotly_white",
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0},
}


def _fmt(value: object, kind: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return MISSING
    if isinstance(value, Decimal):
        value = float(value)
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "lift":
        return f"{value:,.1f}\u00d7"
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "num" and isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _table(frame: pl.DataFrame, names: dict[str, str] | None = None) -> str:
    """An HTML table with display names and formatted cells (83.9%, 1,234, no None)."""
    cols = [c for c in frame.columns if c in COLUMNS]
    label = {**{c: COLUMNS[c][0] for c in cols}, **(names or {})}
    head = "".join(f"<th>{html.escape(label[c])}</th>" for c in cols)
    rows = []
    for row in frame.select(cols).iter_rows():
        cells = "".join(
            f"<td>{html.escape(_fmt(v, COLUMNS[c][1]))}</td>"
            for c, v in zip(cols, row, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _vertical_table(row: dict) -> str:
    """One record as label / value rows (model health)."""
    cells = "".join(
        f"<tr><th>{html.escape(COLUMNS[k][0])}</th>"
        f"<td>{html.escape(_fmt(v, COLUMNS[k][1]))}</td></tr>"
        for k, v in row.items()
        if k in COLUMNS
    )
    return f"<table class='vertical'><tbody>{cells}</tbody></table>"


def display_name(feature: str, dictionary: dict[str, str]) -> str:
    """A reader's name for a feature, from the description in seed feature_dictionary."""
    text = dictionary.get(feature)
    if not text:
        return feature.replace("_", " ").capitalize()
    text = re.sub(r"\s*\([^)]*\b(seeds?|vars?)\b[^)]*\)?", "", text)
    text = re.sub(r"\s+(that are )?in seeds? \w+$", "", text)
    text = re.sub(r"\s+(before|at) as_of\b", "", text)
    text = re.sub(r"\s*[;,]?[^;,]*\{\w+\}.*$", "", text)  # '; {icp_fit_max} is ...'
    text = re.sub(r"\bin the (\d+) days\b", r"in the last \1 days", text)
    return text.strip() or feature.replace("_", " ").capitalize()


def curves(y: np.ndarray, score: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """ROC (fpr, tpr), precision-recall (recall, precision), gains (share, captured).

    scikit-learn's curves: leads tied at one score are one point (all of them are
    called or none), so the row order inside a tie cannot draw a better curve than
    the ranking has. The gains curve has one point per distinct score too.
    """
    y = np.asarray(y).astype(int)
    score = np.asarray(score, dtype=float)
    fpr, tpr, _ = roc_curve(y, score)
    precision, recall, _ = precision_recall_curve(y, score)
    # tp and fp at every distinct threshold, highest score first
    all_fpr, all_tpr, _ = roc_curve(y, score, drop_intermediate=False)
    pos, neg = max(int(y.sum()), 1), max(int(len(y) - y.sum()), 1)
    called = (all_tpr * pos + all_fpr * neg) / max(len(y), 1)
    return {
        "roc": (fpr, tpr),
        "pr": (recall, precision),
        "gains": (called, all_tpr),
    }


def _percent_axes(
    fig: go.Figure, x_title: str, y_title: str, x_pct: bool = True, y_pct: bool = True
) -> go.Figure:
    fig.update_xaxes(
        title=x_title,
        showline=True,
        linecolor="#444",
        ticks="outside",
        tickformat=".0%" if x_pct else ",",
        rangemode="tozero",
    )
    fig.update_yaxes(
        title=y_title,
        showline=True,
        linecolor="#444",
        ticks="outside",
        tickformat=".0%" if y_pct else ",",
        rangemode="tozero",
    )
    if x_pct:
        fig.update_xaxes(range=[0, 1.001], dtick=0.2)
    if y_pct:
        fig.update_yaxes(range=[0, 1.02], dtick=0.2)
    return fig.update_layout(**_LAYOUT)


def _curve_figure(
    series: dict[str, tuple[np.ndarray, np.ndarray, str]],
    x_title: str,
    y_title: str,
    hover: str,
    diagonal: bool,
) -> go.Figure:
    fig = go.Figure()
    if diagonal:
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name="random order",
                line=dict(color=COLORS["random"], dash="dash"),
                hoverinfo="skip",
            )
        )
    for key, (xs, ys, label) in series.items():
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=label,
                line=dict(color=COLORS[key], width=2.5),
                hovertemplate=hover + f"<extra>{label}</extra>",
            )
        )
    return _percent_axes(fig, x_title, y_title)


def _hbar_figure(
    labels: list[str], values: list[float], x_title: str, color: str | list[str], text: list[str]
) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=color,
            text=text,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title=x_title, showline=True, linecolor="#444", ticks="outside")
    height = max(380, 60 + 24 * len(labels))
    return fig.update_layout(
        **{**_LAYOUT, "height": height, "width": 760, "margin": dict(l=20, r=60, t=20, b=60)}
    )


def _tier_color(tier: str, rank: int) -> str:
    return TIER_COLORS.get(tier, OTHER_TIER_COLORS[(rank - 1) % len(OTHER_TIER_COLORS)])


def _at_same_leads(gains: tuple[np.ndarray, np.ndarray], share: float) -> float:
    """Share of conversions the ranking reaches calling `share` of the leads, best first;
    inside a tie the expected value (the linear piece of the tie-collapsed gains curve)."""
    return float(np.interp(share, gains[0], gains[1]))


@dataclass(frozen=True)
class _Marts:
    """What the report reads from a built database."""

    perf: pl.DataFrame
    holdout: pl.DataFrame
    deciles: pl.DataFrame
    scores: pl.DataFrame
    tiers: pl.DataFrame
    funnel: pl.DataFrame
    importance: pl.DataFrame
    drift: pl.DataFrame
    health: pl.DataFrame
    dictionary: dict[str, str]


QUERIES = {
    "perf": "select * from marts.model_performance order by scorer",
    # ROC / PR curves rank by the model's own probability (calibration keeps it)
    "holdout": "select h.label, h.uncalibrated_probability as probability, "
    "r.* exclude (lead_id, as_of) "
    "from ml.ml_holdout_predictions h join ml.ml_baseline_scores r using (lead_id, as_of)",
    "deciles": "select * from marts.calibration_deciles order by decile",
    "scores": "select score, tier, tier_rank from marts.lead_scores where status = 'scored'",
    "tiers": "select * from marts.tier_performance order by tier_rank",
    "funnel": "select stage, stage_order, sum(entered) as entered, sum(advanced) as advanced "
    "from marts.funnel_conversion group by stage, stage_order order by stage_order",
    "importance": "select feature, importance from marts.feature_importance "
    "where model_id = (select model_id from marts.model_health "
    "order by built_at desc limit 1) order by importance_rank limit 15",
    "drift": "select feature, psi from marts.feature_drift order by psi desc",
    "health": "select * from marts.model_health order by built_at desc limit 1",
}


def _read_marts(db: Path) -> _Marts:
    con = duckdb.connect(str(db), read_only=True)
    try:
        frames = {name: con.sql(query).pl() for name, query in QUERIES.items()}
        where = con.sql(
            "select table_schema from information_schema.tables "
            "where table_name = 'feature_dictionary' limit 1"
        ).fetchall()
        dictionary: dict[str, str] = (
            dict(
                con.sql(
                    f'select feature, description from "{where[0][0]}".feature_dictionary'
                ).fetchall()
            )
            if where
            else {}
        )
    finally:
        con.close()
    return _Marts(**frames, dictionary=dictionary)


Chart = tuple[go.Figure, str]  # a figure and its caption


def _holdout_charts(marts: _Marts, summary: dict) -> dict[str, Chart]:
    """ROC, precision-recall and cumulative gains of the model and the rules baseline on
    the holdout leads; the hot + warm tiers' share of conversions into `summary`."""
    holdout = marts.holdout
    y = holdout["label"].cast(pl.Int8).to_numpy() if holdout.height else np.array([])
    if not (holdout.height and 0 < y.sum() < len(y)):
        return {}
    model = curves(y, holdout["probability"].to_numpy())
    # flat mode's baseline (logistic regression) ranks by its probability
    flat = "baseline_ranking" in holdout.columns
    rules_label = "baseline (logistic regression)" if flat else "points table (rules)"
    rules = curves(
        y, holdout["baseline_ranking" if flat else "rules_score"].cast(pl.Float64).to_numpy()
    )
    auc = dict(zip(marts.perf["scorer"], marts.perf["auc"], strict=True))
    names = {"model": "model", "rules": rules_label}

    def traces(kind: str) -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
        return {k: (*c[kind], names[k]) for k, c in (("model", model), ("rules", rules))}

    roc = _curve_figure(
        traces("roc"),
        "false positive rate",
        "true positive rate",
        "FPR %{x:.1%}, TPR %{y:.1%}",
        True,
    )
    rules_auc = next((v for k, v in auc.items() if k != "model"), float("nan"))
    roc_caption = (
        f"Area under the curve: model {auc.get('model', float('nan')):.3f}, "
        f"{rules_label} {rules_auc:.3f}. Leads tied at one score form one straight segment."
    )
    pr = _curve_figure(
        traces("pr"),
        "recall (share of conversions found)",
        "precision (share of called leads that convert)",
        "recall %{x:.1%}, precision %{y:.1%}",
        False,
    )
    pr.add_hline(
        y=float(y.mean()),
        line=dict(color=COLORS["random"], dash="dash"),
        annotation_text=f"base rate {y.mean():.1%}",
        annotation_position="top right",
    )
    gains = _curve_figure(
        traces("gains"),
        "share of holdout leads called (best first)",
        "share of conversions reached",
        "%{x:.1%} of leads called, %{y:.1%} of conversions",
        True,
    )
    gains_caption = "How many conversions sales reaches by calling the top-scored leads first."
    gains_caption += _mark_hot_and_warm(gains, marts.tiers, y, rules, rules_label, auc, summary)
    return {
        "roc": (roc, roc_caption),
        "precision_recall": (pr, f"A random order sits at the base rate, {y.mean():.1%}."),
        "cumulative_gains": (gains, gains_caption),
    }


def _mark_hot_and_warm(
    gains: go.Figure,
    tiers: pl.DataFrame,
    y: np.ndarray,
    rules: dict[str, tuple[np.ndarray, np.ndarray]],
    rules_label: str,
    auc: dict,
    summary: dict,
) -> str:
    """The hot + warm tiers as dots on the gains chart (the model's and the rules' share
    of conversions at the same number of leads), their numbers into `summary`; the
    caption's sentence about them."""
    hw = tiers.filter(pl.col("tier_rank") <= 2)
    if not (tiers.height and hw.height):
        return ""
    k = int(hw["leads"].sum())
    conv = float(hw["conversions"].cast(pl.Float64).sum())
    share_leads = k / len(y)
    summary.update(
        holdout_leads=len(y),
        holdout_conversions=int(y.sum()),
        hot_warm_leads=k,
        hot_warm_conversions=conv,
        hot_warm_share=conv / y.sum(),
        rules_share=_at_same_leads(rules["gains"], share_leads),
        rules_label=rules_label,
        model_auc=auc.get("model"),
    )
    gains.add_trace(
        go.Scatter(
            x=[share_leads, share_leads],
            y=[summary["hot_warm_share"], summary["rules_share"]],
            mode="markers",
            marker=dict(
                size=10,
                color=[COLORS["model"], COLORS["rules"]],
                line=dict(color="#222", width=1),
            ),
            name="hot + warm tiers",
            showlegend=False,
            hovertemplate="%{y:.1%} of conversions at %{x:.1%} of leads<extra></extra>",
        )
    )
    return f" Dots: the hot and warm tiers ({share_leads:.1%} of the leads)."


def _calibration_chart(marts: _Marts) -> Chart | None:
    deciles = marts.deciles
    if not deciles.height:
        return None
    name = "model (holdout deciles)"
    fig = _curve_figure(
        {
            "model": (
                deciles["mean_predicted_probability"].to_numpy(),
                deciles["actual_conversion_rate"].to_numpy(),
                name,
            )
        },
        "predicted conversion probability",
        "actual conversion rate",
        "predicted %{x:.1%}, actual %{y:.1%}",
        True,
    )
    fig.update_traces(mode="lines+markers", selector=dict(name=name))
    return fig, "On the diagonal, a 30% score converts 30% of the time."


def _score_distribution_chart(marts: _Marts) -> Chart | None:
    if not marts.scores.height:
        return None
    fig = go.Figure()
    binned = marts.scores.with_columns(bin=(pl.col("score") // 5 * 5).clip(0, 95).cast(pl.Int64))
    for (tier, rank), part in binned.sort("tier_rank").group_by(
        ["tier", "tier_rank"], maintain_order=True
    ):
        counts = part.group_by("bin").len().sort("bin")
        fig.add_trace(
            go.Bar(
                x=counts["bin"] + 2.5,
                y=counts["len"],
                width=4.6,
                name=f"{tier} ({part.height:,})",
                marker_color=_tier_color(str(tier), int(rank)),
                customdata=[f"{b}-{b + 4}" for b in counts["bin"]],
                hovertemplate=f"{tier}: %{{y:,}} leads scored %{{customdata}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    axis = dict(showline=True, linecolor="#444", ticks="outside")
    fig.update_xaxes(title="score (0-100, bins of 5)", range=[0, 100], dtick=10, **axis)
    fig.update_yaxes(title="open leads (log scale)", type="log", tickformat=",", **axis)
    return fig.update_layout(**_LAYOUT), (
        "Open leads per score band, coloured by tier; the log scale keeps the few hot "
        "leads visible next to the many cold ones."
    )


def _funnel_chart(marts: _Marts) -> Chart | None:
    funnel = marts.funnel
    if not funnel.height:
        return None
    fig = go.Figure(
        go.Funnel(
            y=[str(s).replace("_", " ") for s in funnel["stage"]],
            x=funnel["entered"].cast(pl.Float64).to_list(),
            textinfo="value+percent initial",
            texttemplate="%{value:,} (%{percentInitial:.1%})",
            marker_color=COLORS["model"],
        )
    )
    fig.update_layout(**{**_LAYOUT, "margin": dict(l=20, r=20, t=20, b=40)})
    fig.update_yaxes(automargin=True)
    caption = " / ".join(
        f"{str(s).replace('_', ' ')}: {a / e:.1%} advanced"
        for s, e, a in funnel.select("stage", "entered", "advanced").iter_rows()
        if e
    )
    return fig, caption


def _importance_chart(marts: _Marts) -> Chart | None:
    importance = marts.importance
    if not importance.height:
        return None
    labels = [display_name(f, marts.dictionary) for f in importance["feature"]]
    vals = importance["importance"].to_list()
    fig = _hbar_figure(
        labels,
        vals,
        "share of the model's importance (%)",
        COLORS["model"],
        [f"{v:.1f}%" for v in vals],
    )
    return fig, "CatBoost PredictionValuesChange; sums to 100% over all features."


def _drift_chart(marts: _Marts) -> Chart | None:
    drift = marts.drift
    if not drift.height:
        return None
    labels = [display_name(f, marts.dictionary) for f in drift["feature"]]
    vals = drift["psi"].to_list()
    colors = ["#c0392b" if v > 0.25 else "#e67e22" if v > 0.1 else "#2e7d32" for v in vals]
    fig = _hbar_figure(
        labels, vals, "population stability index (PSI)", colors, [f"{v:.3f}" for v in vals]
    )
    for mark in (0.1, 0.25):
        fig.add_vline(x=mark, line=dict(color="#c0392b", dash="dot"))
    fig.update_xaxes(range=[0, max([*vals, 0.3]) * 1.15])
    return fig, (
        "Open leads vs training. Dotted lines at 0.1 and 0.25: below 0.1 stable (green), "
        "0.1-0.25 moderate (orange), above 0.25 significant (red)."
    )


def _figures(marts: _Marts) -> tuple[dict[str, go.Figure], dict[str, str], dict]:
    summary: dict = {"open_by_tier": dict(marts.scores.group_by("tier").len().iter_rows())}
    charts = _holdout_charts(marts, summary)
    for name, chart in (
        ("calibration", _calibration_chart),
        ("score_distribution", _score_distribution_chart),
        ("funnel", _funnel_chart),
        ("feature_importance", _importance_chart),
        ("drift", _drift_chart),
    ):
        drawn = chart(marts)
        if drawn is not None:
            charts[name] = drawn
    summary["health"] = marts.health.row(0, named=True) if marts.health.height else None
    figs = {name: fig for name, (fig, _) in charts.items()}
    caps = {name: caption for name, (_, caption) in charts.items()}
    return figs, caps, summary


def report_figures(db: Path) -> tuple[dict[str, go.Figure], dict[str, str], dict]:
    """The report's plotly figures, their captions, and the summary numbers."""
    return _figures(_read_marts(db))


def _summary_html(summary: dict) -> str:
    open_ = summary["open_by_tier"]
    hot, warm = open_.get("hot", 0), open_.get("warm", 0)
    lines = [
        f"<p class='big'><b>{hot:,}</b> hot leads to call now"
        f" (and <b>{warm:,}</b> warm leads to follow up)"
        f" out of {sum(open_.values()):,} open leads.</p>"
    ]
    if "hot_warm_share" in summary:
        s = summary
        lines.append(
            f"<p>On the out-of-time holdout, the hot and warm tiers were <b>{s['hot_warm_leads']:,}"
            f"</b> of {s['holdout_leads']:,} leads ({s['hot_warm_leads'] / s['holdout_leads']:.1%})"
            f" and held <b>{s['hot_warm_share']:.1%}</b> of the conversions "
            f"({s['hot_warm_conversions']:,.0f} of {s['holdout_conversions']:,}).</p>"
        )
        ratio = (
            f": the model's leads hold <b>{s['hot_warm_share'] / s['rules_share']:.1f}\u00d7</b>"
            " as many conversions"
            if s["rules_share"] > 0
            else ""
        )
        lines.append(
            f"<p>The {html.escape(s['rules_label'])}, calling its top {s['hot_warm_leads']:,} "
            f"leads, reaches <b>{s['rules_share']:.1%}</b>{ratio}.</p>"
        )
    return "<section class='summary'>" + "".join(lines) + "</section>"


TITLES = {
    "roc": "ROC curve (out-of-time holdout)",
    "precision_recall": "Precision-recall curve",
    "cumulative_gains": "Cumulative gains",
    "calibration": "Calibration (holdout deciles)",
    "score_distribution": "Open leads by score and tier",
    "funnel": "Funnel: leads that entered each stage",
    "feature_importance": "What the model looks at (champion, top 15)",
    "drift": "Drift: open leads vs training",
}
PERFORMANCE_COLUMNS = (
    "scorer",
    "examples",
    "positives",
    "auc",
    "pr_auc",
    "log_loss",
    "brier",
    "ece",
    "top_decile_lift",
)
TIER_COLUMNS = (
    "tier",
    "leads",
    "conversions",
    "conversion_rate",
    "mean_predicted_probability",
    "lift",
    "share_of_conversions",
)
STYLE = """
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1700px; }
.summary { background: #f4f7fb; border-left: 6px solid MODEL_COLOR; padding: 8px 16px;
  font-size: 16px; max-width: 900px; }
.summary .big { font-size: 22px; }
.grid { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { border: 1px solid #ddd; padding: 8px; margin: 0; }
figure h3 { margin: 0 0 4px 0; font-size: 15px; }
figcaption { font-size: 12px; color: #555; max-width: 600px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f0f0f0; } table.vertical th { text-align: left; }
.alerts li { color: #c0392b; } .ok { color: #2e7d32; }
""".replace("MODEL_COLOR", COLORS["model"])
# the rendering test reads these attributes: charts drawn by plotly, script errors
SCRIPT = """
window.reportErrors = [];
window.addEventListener("error", function (e) { window.reportErrors.push(String(e.message)); });
window.addEventListener("load", function () {
  // a chart counts as drawn when plotly put at least one trace into its SVG
  var drawn = Array.prototype.filter.call(document.querySelectorAll("figure.chart"),
    function (f) {
      return f.querySelector(".js-plotly-plot .main-svg g.trace") !== null;
    }).length;
  document.body.setAttribute("data-charts-rendered", String(drawn));
  document.body.setAttribute("data-script-errors", String(window.reportErrors.length));
});
"""


def _figures_html(figs: dict[str, go.Figure], caps: dict[str, str]) -> list[str]:
    """Each chart as a <figure>, in CHARTS order; plotly.js embedded in the first only."""
    figures: list[str] = []
    for name in (name for name in CHARTS if name in figs):
        div = figs[name].to_html(
            full_html=False,
            include_plotlyjs=not figures,
            div_id=f"chart-{name}",
            config={"displayModeBar": False, "responsive": False},
        )
        figures.append(
            f'<figure class="chart" data-chart="{name}"><h3>{html.escape(TITLES[name])}</h3>'
            f"{div}<figcaption>{html.escape(caps.get(name, ''))}</figcaption></figure>"
        )
    return figures


def _alerts_html(health: dict | None) -> str:
    alerts = []
    if health:
        if health.get("drift_alerts"):
            alerts.append(f"{health['drift_alerts']} feature(s) drifted beyond the PSI threshold")
        if health.get("is_accuracy_alert"):
            alerts.append("accuracy: current holdout AUC fell below the registry AUC")
        if health.get("is_tier_calibration_alert"):
            alerts.append("tier calibration: a tier converts off its predicted rate")
    if not alerts:
        return "<p class='ok'>No alerts in the latest build.</p>"
    return "<ul class='alerts'>" + "".join(f"<li>{html.escape(a)}</li>" for a in alerts) + "</ul>"


def _page(db: Path, marts: _Marts, figures: list[str], summary: dict) -> str:
    rules_label = summary.get("rules_label", "rules")
    perf = marts.perf.with_columns(pl.col("scorer").replace({"rules": rules_label}))
    health = summary["health"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lead scoring model report</title>
<style>{STYLE}</style></head>
<body data-expected-charts="{len(figures)}">
<h1>Lead scoring model report</h1>
<p>Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from <code>{html.escape(str(db))}</code>.</p>
{_summary_html(summary)}
<h2>Charts</h2>
<div class="grid">{"".join(figures)}</div>
<h2>Model vs {html.escape(rules_label)} on the same holdout leads</h2>
{_table(perf.select(PERFORMANCE_COLUMNS))}
<h2>Tier performance (matured holdout leads)</h2>
{_table(marts.tiers.select(TIER_COLUMNS))}
<h2>Model health</h2>
{_alerts_html(health)}
{_vertical_table(health) if health else ""}
<script>{SCRIPT}</script>
</body></html>
"""


def build_report(db: Path, out: Path) -> Path:
    """Write the report for the database's champion; return its path."""
    marts = _read_marts(db)
    figs, caps, summary = _figures(marts)
    figures = _figures_html(figs, caps)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_page(db, marts, figures, summary), encoding="utf-8")
    print(f"report: {len(figures)} charts -> {out}")
    return out
