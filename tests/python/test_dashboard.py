"""The dashboard: started as `python -m leadscore.dashboard` on a published BI copy of
the small demo build, opened in headless Chromium; the numbers it shows are the marts'
(queried here straight from the build database), and its screenshot is not blank."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml

from conftest import PROJECT
from leadscore.dashboard import data

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WAIT_S = 120  # each wait; a loaded 2-core machine needed up to 55 s for the charts


@pytest.fixture(scope="module")
def bi_copy(built_db, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("bi") / "leadscore_bi.duckdb"
    cli = Path(sys.executable).with_name("leadscore")
    done = subprocess.run(
        [str(cli), "publish", "--db", str(built_db), "--to", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(bi_copy, tmp_path_factory):
    """The dashboard on a free loopback port; killed (its whole process group) at the end."""
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "streamlit.log"
    env = {**os.environ, "HOME": str(log.parent), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "leadscore.dashboard",
                "--db",
                str(bi_copy),
                "--port",
                str(port),
            ],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _marts(db: Path) -> dict:
    """The key numbers, straight from the marts of the build database."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        one = lambda sql: con.execute(sql).fetchone()  # noqa: E731
        health = one(
            "select model_id, current_holdout_auc, alert_count from marts.model_health "
            "order by built_at desc limit 1"
        )
        tiers = dict(
            con.execute(
                "select tier, conversion_rate from marts.tier_performance where model_id = ?",
                [health[0]],
            ).fetchall()
        )
        return {
            "queue": one("select count(*) from marts.sales_queue")[0],
            "queue_hot": one("select count(*) from marts.sales_queue where tier = 'hot'")[0],
            # the best tier in the queue and its leads (hot, unless no open lead is hot)
            "queue_best": one(
                "select q.tier, count(*) from marts.sales_queue as q inner join (select tier, "
                "min(tier_rank) as r from marts.lead_scores group by tier) as t using (tier) "
                "group by q.tier, t.r order by t.r limit 1"
            ),
            # the holdout tiers as good as the queue's (hot and warm by default; a small
            # holdout may have no hot lead at all)
            "top_tiers": [
                r[0]
                for r in con.execute(
                    "select tier from marts.tier_performance where model_id = ? and tier_rank "
                    "<= (select max(tier_rank) from marts.lead_scores where tier in "
                    "(select tier from marts.sales_queue)) order by tier_rank",
                    [health[0]],
                ).fetchall()
            ],
            "hot_warm_share": one(
                "select sum(share_of_conversions) from marts.tier_performance "
                f"where tier in ('hot', 'warm') and model_id = '{health[0]}'"
            )[0],
            "auc": health[1],
            "alerts": health[2],
            "tiers": tiers,
            "top_psi": one("select max(psi) from marts.feature_drift")[0],
        }
    finally:
        con.close()


def _number(text: str) -> float:
    """'1,234' -> 1234, '63.2%' -> 0.632, '0.937' -> 0.937 (as shown on the page)."""
    value = text.strip().replace(",", "")
    return float(value[:-1]) / 100 if value.endswith("%") else float(value)


def test_data_functions_are_the_marts(bi_copy, built_db):
    """The page's query layer alone (no browser): its headline numbers are the marts'."""
    want = _marts(built_db)
    con = data.connect(bi_copy)
    try:
        h = data.headline(con)
        tiers = data.tiers(con, data.current_model(con))
        drift = data.drift(con, data.labels(con, PROJECT)["feature_dictionary"])
    finally:
        con.close()
    assert h["queue_leads"] == want["queue"]
    assert h["queue_by_tier"][0] == tuple(want["queue_best"])
    assert want["queue_best"][0] == "hot" or want["queue_hot"] == 0
    assert h["top_tiers"] == want["top_tiers"] and set(want["top_tiers"]) <= {"hot", "warm"}
    assert h["top_tiers_share"] == pytest.approx(want["hot_warm_share"])
    assert h["holdout_auc"] == pytest.approx(want["auc"])
    assert dict(tiers.select("tier", "conversion_rate").iter_rows()) == pytest.approx(want["tiers"])
    assert drift["psi"][0] == pytest.approx(want["top_psi"])
    # readers' names from seed feature_dictionary, never the raw snake_case column name
    assert not any("_" in name for name in drift["name"])


def test_exposure_points_at_the_dashboard_and_its_marts():
    exposures = yaml.safe_load((PROJECT / "models/marts/_exposures.yml").read_text())
    dashboard = next(e for e in exposures["exposures"] if e["name"] == "lead_scoring_dashboard")
    assert dashboard["url"] == f"http://localhost:{data.DEFAULT_PORT}"
    refs = {re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in dashboard["depends_on"]}
    assert set(data.MARTS) <= refs, set(data.MARTS) - refs
    # and the page reads no mart outside that list
    app = (Path(data.__file__).parent / "app.py").read_text() + Path(data.__file__).read_text()
    assert set(re.findall(r"marts\.(\w+)", app)) <= set(data.MARTS)


def test_missing_copy_is_one_clear_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "leadscore.dashboard", "--db", str(tmp_path / "none.duckdb")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "make demo" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_dashboard_shows_the_marts_numbers_in_chromium(dashboard, built_db, tmp_path):
    from PIL import Image
    from playwright.sync_api import sync_playwright

    want = _marts(built_db)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(WAIT_S * 1000)
            page.goto(dashboard, wait_until="domcontentloaded")
            # rendered (or failed): the last section's table and every chart's plotly svg
            failure = page.locator(
                '[data-testid="stException"], [data-testid="stAlertContentError"]'
            )
            page.get_by_text("Drift: are today's leads").or_(failure).first.wait_for()
            assert not failure.count(), failure.all_inner_texts()
            page.locator('[data-testid="stTable"]').last.wait_for()
            page.wait_for_function(
                "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4"
            )
            metrics = {
                m.locator('[data-testid="stMetricLabel"]').inner_text().strip(): m.locator(
                    '[data-testid="stMetricValue"]'
                )
                .inner_text()
                .strip()
                for m in page.locator('[data-testid="stMetric"]').all()
            }
            tables = [
                {
                    "head": [c.inner_text().strip() for c in t.locator("thead th").all()],
                    "rows": [
                        [c.inner_text().strip() for c in r.locator("th, td").all()]
                        for r in t.locator("tbody tr").all()
                    ],
                }
                for t in page.locator('[data-testid="stTable"] table').all()
            ]
            # Streamlit scrolls an inner container, so a full-page shot is one screen:
            # make the window as tall as the content
            height = page.evaluate(
                "Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
                "[data-testid=stMainBlockContainer]')].map(e => e.scrollHeight))"
            )
            page.set_viewport_size({"width": 1500, "height": min(int(height), 8000)})
            page.wait_for_timeout(1500)
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert _number(metrics["Leads to work now"]) == want["queue"]
    best_tier, best_leads = want["queue_best"]
    assert _number(metrics[f"{best_tier.capitalize()} leads: call today"]) == best_leads
    share_label = " + ".join(t.capitalize() for t in want["top_tiers"]) + " share of conversions"
    assert _number(metrics[share_label]) == pytest.approx(want["hot_warm_share"], abs=0.0005)
    assert _number(metrics["Model AUC, latest holdout"]) == pytest.approx(want["auc"], abs=0.0005)
    assert _number(metrics["Open alerts"]) == want["alerts"]

    def table(first: str) -> list[dict]:
        found = [t for t in tables if t["head"] and t["head"][0] == first]
        assert found, f"no table starting with {first!r}: {[t['head'] for t in tables]}"
        return [dict(zip(found[0]["head"], row, strict=True)) for row in found[0]["rows"]]

    # a missing value shows as a dash, never as Python's None
    assert not [cell for t in tables for row in t["rows"] for cell in row if cell == "None"]
    shown = {row["Tier"].lower(): _number(row["Conversion rate"]) for row in table("Tier")}
    assert shown.keys() == want["tiers"].keys()
    for tier, rate in want["tiers"].items():
        assert shown[tier] == pytest.approx(rate, abs=0.0005), tier
    drift = table("Feature")
    assert _number(drift[0]["PSI"]) == pytest.approx(want["top_psi"], abs=0.0005)
    assert not any(re.search(r"\w_\w", row["Feature"]) for row in drift)

    image = Image.open(shot).convert("RGB")
    width, height = image.size
    assert width >= 1000 and height >= 2000, image.size  # every section, not the top only
    pixels = np.asarray(image.resize((width // 4, height // 4))).reshape(-1, 3)
    colours = len(np.unique(pixels, axis=0))
    ink = float((pixels.min(axis=1) < 235).mean())  # share of pixels that are not near-white
    assert colours > 200 and ink > 0.03, (colours, ink)
    if os.environ.get("LEADSCORE_SCREENSHOT_DIR"):  # keep the screenshot (e.g. as a CI artifact)
        shutil.copy(shot, Path(os.environ["LEADSCORE_SCREENSHOT_DIR"]) / "dashboard.png")
