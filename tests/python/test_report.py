"""The model report renders in headless Chromium with every chart and no script error;
its drawn curves are scikit-learn's and its summary numbers are the marts'."""

from __future__ import annotations

import re
import shutil
import subprocess

import duckdb
import numpy as np
import pytest
from sklearn.metrics import precision_recall_curve, roc_curve

from leadscore.reporting.report import CHARTS, build_report, report_figures

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report(built_db, tmp_path_factory):
    return build_report(built_db, tmp_path_factory.mktemp("report") / "report.html")


def test_report_has_every_chart_and_no_external_resources(report):
    page = report.read_text()
    for chart in CHARTS:
        figure = re.search(rf'data-chart="{chart}">(.*?)</figure>', page, re.S)
        assert figure, f"chart {chart} missing"
        assert f'id="chart-{chart}"' in figure.group(1) and "Plotly.newPlot" in figure.group(1)
    assert page.count("window.PlotlyConfig") == 1, "plotly.js is embedded exactly once"
    external = r'<(script|link|img|iframe)\b[^>]*\b(src|href)="(https?:)?//'
    assert not re.search(external, page), "the report must be self-contained"
    # tables: display names and formatted values, never a raw None or a 0.8390-style rate
    tables = page[page.index("<table") :]
    assert ">None<" not in tables and "conversion_rate" not in tables
    assert re.search(r"<td>\d{1,3}\.\d%</td>", tables)
    assert re.search(r"<th>Share of conversions</th>", tables)


def test_drawn_curves_are_scikit_learns_and_summary_numbers_are_the_marts(built_db):
    figs, _, summary = report_figures(built_db)
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        holdout = con.sql(
            "select h.label::int as y, h.uncalibrated_probability as p, r.rules_score "
            "from ml.ml_holdout_predictions h join ml.ml_baseline_scores r using (lead_id, as_of)"
        ).pl()
        hot = con.execute("select count(*) from marts.lead_scores where tier = 'hot'").fetchone()[0]
        share = con.execute(
            "select sum(share_of_conversions) from marts.tier_performance where tier_rank <= 2"
        ).fetchone()[0]
    finally:
        con.close()
    y, rules = holdout["y"].to_numpy(), holdout["rules_score"].cast(float).to_numpy()
    traces = {t.name: t for t in figs["precision_recall"].data}
    precision, recall, _ = precision_recall_curve(y, rules)
    np.testing.assert_allclose(traces["points table (rules)"].x, recall)
    np.testing.assert_allclose(traces["points table (rules)"].y, precision)
    fpr, tpr, _ = roc_curve(y, holdout["p"].to_numpy())
    traces = {t.name: t for t in figs["roc"].data}
    np.testing.assert_allclose(traces["model"].x, fpr)
    np.testing.assert_allclose(traces["model"].y, tpr)
    assert summary["open_by_tier"]["hot"] == hot
    assert summary["hot_warm_share"] == pytest.approx(share)
    assert 0 <= summary["rules_share"] <= 1


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_report_renders_in_headless_chromium(report, tmp_path):
    cmd = [
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        report.as_uri(),
    ]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:2000]
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    assert attributes["data-script-errors"] == "0"
    assert (
        attributes["data-charts-rendered"] == attributes["data-expected-charts"] == str(len(CHARTS))
    )
    # plotly drew real axes with percent ticks
    assert re.search(r'class="xtick"[^>]*>.*?>20%<', dom, re.S)
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'p2'}",
            "--window-size=1400,2400",
            f"--screenshot={shot}",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 50_000  # a blank page is a few kB
