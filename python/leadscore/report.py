"""The model report: one self-contained HTML page (inline SVG, no external files).

    leadscore report --db data/leadscore.duckdb --out data/report.html

Charts: ROC and precision-recall curves and cumulative gains (model vs the rules
baseline on the same holdout leads), calibration, score distribution by tier,
funnel, feature importance, drift, and the model-health alerts.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from sklearn.metrics import precision_recall_curve, roc_curve

W, H, PAD = 460, 300, 48
COLORS = {"model": "#1f6feb", "rules": "#d9822b", "random": "#9aa4ae"}
TIER_COLORS = ["#c0392b", "#e67e22", "#3498db", "#95a5a6", "#7f8c8d", "#34495e"]
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


def _x(v: float) -> float:
    return PAD + v * (W - 2 * PAD)


def _y(v: float) -> float:
    return H - PAD - v * (H - 2 * PAD)


def _axes(x_label: str, y_label: str, x_max: str = "1", y_max: str = "1") -> str:
    return (
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#333"/>'
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>'
        f'<text x="{W / 2}" y="{H - 12}" text-anchor="middle">{html.escape(x_label)}</text>'
        f'<text x="14" y="{H / 2}" transform="rotate(-90 14 {H / 2})" text-anchor="middle">'
        f"{html.escape(y_label)}</text>"
        f'<text x="{PAD}" y="{H - PAD + 16}" text-anchor="middle">0</text>'
        f'<text x="{W - PAD}" y="{H - PAD + 16}" text-anchor="middle">{x_max}</text>'
        f'<text x="{PAD - 6}" y="{PAD + 4}" text-anchor="end">{y_max}</text>'
    )


def _polyline(xs: np.ndarray, ys: np.ndarray, color: str, dash: str = "") -> str:
    points = " ".join(f"{_x(a):.1f},{_y(b):.1f}" for a, b in zip(xs, ys, strict=True))
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"{extra}/>'


def _legend(items: list[tuple[str, str]]) -> str:
    out = []
    for i, (label, color) in enumerate(items):
        y = PAD + 4 + i * 16
        out.append(
            f'<rect x="{W - PAD - 120}" y="{y - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{W - PAD - 105}" y="{y}">{html.escape(label)}</text>'
        )
    return "".join(out)


def _svg(body: str) -> str:
    return (
        f'<svg viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        f'font-size="11" font-family="sans-serif">{body}</svg>'
    )


def _figure(name: str, title: str, body: str, caption: str) -> str:
    return (
        f'<figure class="chart" data-chart="{name}"><h3>{html.escape(title)}</h3>'
        f"{body}<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _thin(xs: np.ndarray, ys: np.ndarray, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    if len(xs) <= n:
        return xs, ys
    idx = np.unique(np.linspace(0, len(xs) - 1, n).astype(int))
    return xs[idx], ys[idx]


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


def _line_chart(series: dict[str, tuple[np.ndarray, np.ndarray]], x_label: str, y_label: str,
                diagonal: bool) -> str:  # fmt: skip
    body = _axes(x_label, y_label)
    if diagonal:
        body += _polyline(np.array([0, 1]), np.array([0, 1]), COLORS["random"], "4 4")
    for name, (xs, ys) in series.items():
        xs, ys = _thin(xs, ys)
        body += _polyline(xs, ys, COLORS.get(name, "#333"))
    body += _legend([(n, COLORS.get(n, "#333")) for n in series])
    return _svg(body)


def _bars(labels: list[str], values: list[float], x_label: str, colors: list[str] | None = None,
          marks: tuple[float, ...] = ()) -> str:  # fmt: skip
    """Horizontal bars, one per label, scaled to the largest value (and the marks)."""
    top = max([*values, *marks, 1e-12])
    row = (H - 2 * PAD) / max(len(labels), 1)
    left = PAD + 120
    width = W - left - PAD
    body = f'<text x="{(left + W - PAD) / 2}" y="{H - 12}" text-anchor="middle">'
    body += f"{html.escape(x_label)}</text>"
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = PAD + i * row
        w = width * value / top
        color = (colors or ["#1f6feb"] * len(labels))[i]
        text_y = y + row * 0.7
        body += (
            f'<text x="{left - 6}" y="{text_y}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{max(row - 4, 1):.1f}" '
            f'fill="{color}"><title>{html.escape(label)}: {value:,.4g}</title></rect>'
            f'<text x="{left + w + 4:.1f}" y="{y + row * 0.7}">{_number(value)}</text>'
        )
    for mark in marks:
        x = left + width * mark / top
        body += (
            f'<line x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{H - PAD}" stroke="#c0392b" '
            f'stroke-dasharray="3 3"/><text x="{x:.1f}" y="{PAD - 4}" text-anchor="middle">'
            f"{mark}</text>"
        )
    return _svg(body)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _table(frame: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.iter_rows():
        cells = "".join(
            f"<td>{v:.4f}</td>" if isinstance(v, float) else f"<td>{html.escape(str(v))}</td>"
            for v in row
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def build_report(db: Path, out: Path) -> Path:
    """Write the report for the database's champion; return its path."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        perf = con.sql("select * from marts.model_performance order by scorer").pl()
        holdout = con.sql(
            # ROC / PR curves rank by the model's own probability (calibration keeps it)
            "select h.label, h.uncalibrated_probability as probability, "
            "r.* exclude (lead_id, as_of) "
            "from ml.ml_holdout_predictions h join ml.ml_baseline_scores r using (lead_id, as_of)"
        ).pl()
        deciles = con.sql("select * from marts.calibration_deciles order by decile").pl()
        scores = con.sql("select score, tier, tier_rank from marts.lead_scores").pl()
        tiers = con.sql("select * from marts.tier_performance order by tier_rank").pl()
        funnel = con.sql(
            "select stage, stage_order, sum(entered) as entered, sum(advanced) as advanced "
            "from marts.funnel_conversion group by stage, stage_order order by stage_order"
        ).pl()
        importance = con.sql(
            "select feature, importance from marts.feature_importance "
            "where model_id = (select model_id from marts.model_health "
            "order by built_at desc limit 1) order by importance_rank limit 15"
        ).pl()
        drift = con.sql("select feature, psi from marts.feature_drift order by psi desc").pl()
        health = con.sql("select * from marts.model_health order by built_at desc limit 1").pl()
    finally:
        con.close()
    figures = []
    if holdout.height:
        y = holdout["label"].cast(pl.Int8).to_numpy()
        model = curves(y, holdout["probability"].to_numpy())
        # flat mode's baseline (logistic regression) ranks by its probability
        ranking = "baseline_ranking" if "baseline_ranking" in holdout.columns else "rules_score"
        rules = curves(y, holdout[ranking].cast(pl.Float64).to_numpy())
        auc = dict(zip(perf["scorer"], perf["auc"], strict=True))
        figures.append(_figure(
            "roc", "ROC curve (out-of-time holdout)",
            _line_chart({"model": model["roc"], "rules": rules["roc"]},
                        "false positive rate", "true positive rate", True),
            f"AUC: model {auc.get('model', float('nan')):.3f}, "
            f"rules {auc.get('rules', float('nan')):.3f}",
        ))  # fmt: skip
        figures.append(_figure(
            "precision_recall", "Precision-recall curve",
            _line_chart({"model": model["pr"], "rules": rules["pr"]}, "recall", "precision",
                        False),
            f"Base rate {y.mean():.3f}: a random ranking sits there.",
        ))  # fmt: skip
        figures.append(_figure(
            "cumulative_gains", "Cumulative gains",
            _line_chart({"model": model["gains"], "rules": rules["gains"]},
                        "share of leads contacted (best first)", "share of conversions",
                        True),
            "How many conversions sales reaches by calling the top-scored leads first.",
        ))  # fmt: skip
    if deciles.height:
        series = {"model": (deciles["mean_predicted_probability"].to_numpy(),
                            deciles["actual_conversion_rate"].to_numpy())}  # fmt: skip
        figures.append(_figure(
            "calibration", "Calibration (holdout deciles)",
            _line_chart(series, "mean predicted probability", "actual conversion rate", True),
            "On the diagonal, a 30% score converts 30% of the time.",
        ))  # fmt: skip
    bins = scores.with_columns(bin=(pl.col("score") // 10 * 10).clip(0, 90))
    counts = bins.group_by("bin", "tier", "tier_rank").len().sort("bin", "tier_rank")
    labels = [f"{b}-{b + 9}" for b in range(0, 100, 10)]
    totals = [int(counts.filter(pl.col("bin") == b)["len"].sum()) for b in range(0, 100, 10)]
    tier_of_bin = []
    for b in range(0, 100, 10):
        t = counts.filter(pl.col("bin") == b).sort("len", descending=True)["tier_rank"]
        tier_of_bin.append(TIER_COLORS[(int(t[0]) - 1) % len(TIER_COLORS)] if len(t) else "#ccc")
    figures.append(_figure(
        "score_distribution", "Open leads by score (colour: tier)",
        _bars(labels, totals, "open leads", tier_of_bin),
        " / ".join(f"{t}: {n:,}" for t, n in
                   scores.group_by("tier", "tier_rank").len().sort("tier_rank")
                   .select("tier", "len").iter_rows()),
    ))  # fmt: skip
    if funnel.height:
        figures.append(_figure(
            "funnel", "Funnel: leads that entered each stage",
            _bars(funnel["stage"].to_list(), funnel["entered"].cast(pl.Float64).to_list(),
                  "leads"),
            " / ".join(f"{s}: {a / e:.0%} advanced" for s, e, a in
                       funnel.select("stage", "entered", "advanced").iter_rows() if e),
        ))  # fmt: skip
    if importance.height:
        figures.append(_figure(
            "feature_importance", "Feature importance (champion, top 15)",
            _bars(importance["feature"].to_list(), importance["importance"].to_list(),
                  "importance (sums to 100)"),
            "CatBoost PredictionValuesChange.",
        ))  # fmt: skip
    if drift.height:
        figures.append(_figure(
            "drift", "Drift: PSI of open leads vs training",
            _bars(drift["feature"].to_list(), drift["psi"].to_list(), "PSI",
                  marks=(0.1, 0.25)),
            "Below 0.1 stable, 0.1-0.25 moderate, above 0.25 significant.",
        ))  # fmt: skip
    alerts = []
    if health.height:
        h = health.row(0, named=True)
        if h["drift_alerts"]:
            alerts.append(f"{h['drift_alerts']} feature(s) drifted beyond the PSI threshold")
        if h["is_accuracy_alert"]:
            alerts.append("accuracy: current holdout AUC fell below the registry AUC")
        if h["is_tier_calibration_alert"]:
            alerts.append("tier calibration: a tier converts off its predicted rate")
    alert_html = (
        "<ul class='alerts'>" + "".join(f"<li>{html.escape(a)}</li>" for a in alerts) + "</ul>"
        if alerts
        else "<p class='ok'>No alerts in the latest build.</p>"
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lead scoring model report</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #222; }}
.grid {{ display: flex; flex-wrap: wrap; gap: 16px; }}
figure.chart {{ border: 1px solid #ddd; padding: 8px; margin: 0; }}
figure h3 {{ margin: 0 0 4px 0; font-size: 14px; }}
figcaption {{ font-size: 12px; color: #555; max-width: {W}px; }}
table {{ border-collapse: collapse; font-size: 12px; margin: 8px 0; }}
td, th {{ border: 1px solid #ccc; padding: 3px 6px; text-align: right; }}
.alerts li {{ color: #c0392b; }} .ok {{ color: #2e7d32; }}
</style></head>
<body data-expected-charts="{len(CHARTS)}">
<h1>Lead scoring model report</h1>
<p>Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from <code>{html.escape(str(db))}</code>.</p>
<h2>Model vs rules on the same holdout leads</h2>
{_table(perf.select("scorer", "examples", "positives", "auc", "pr_auc", "log_loss", "brier",
                    "ece", "top_decile_lift"))}
<h2>Tier performance (matured holdout leads)</h2>
{_table(tiers.select("tier", "leads", "conversions", "conversion_rate",
                     "mean_predicted_probability", "lift", "share_of_conversions"))}
<h2>Model health</h2>
{alert_html}
{_table(health.drop("build_id")) if health.height else ""}
<h2>Charts</h2>
<div class="grid">{"".join(figures)}</div>
<script>
window.reportErrors = [];
window.addEventListener("error", function (e) {{ window.reportErrors.push(String(e.message)); }});
document.addEventListener("DOMContentLoaded", function () {{
  var drawn = document.querySelectorAll("figure.chart svg *").length > 0
    ? document.querySelectorAll("figure.chart svg").length : 0;
  document.body.setAttribute("data-charts-rendered", String(drawn));
  document.body.setAttribute("data-script-errors", String(window.reportErrors.length));
}});
</script>
</body></html>
"""  # fmt: skip
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(f"report: {len(figures)} charts -> {out}")
    return out
