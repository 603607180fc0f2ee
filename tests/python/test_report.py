"""The model report renders in headless Chromium with every chart and no script error."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from leadscore.report import CHARTS, build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def report(built_db, tmp_path_factory):
    return build_report(built_db, tmp_path_factory.mktemp("report") / "report.html")


def test_report_has_every_chart_and_no_external_resources(report):
    page = report.read_text()
    for chart in CHARTS:
        figure = re.search(rf'data-chart="{chart}">(.*?)</figure>', page, re.S)
        assert figure, f"chart {chart} missing"
        assert len(re.findall(r"<(polyline|rect)\b", figure.group(1))) >= 2, chart
    assert not re.search(r'(src|href)="(https?:)?//', page), "the report must be self-contained"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_report_renders_in_headless_chromium(report, tmp_path):
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
           report.as_uri()]  # fmt: skip
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:2000]
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    assert attributes["data-script-errors"] == "0"
    assert (
        attributes["data-charts-rendered"] == attributes["data-expected-charts"] == str(len(CHARTS))
    )
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'p2'}",
                    "--window-size=1400,2400", f"--screenshot={shot}", report.as_uri()],
                   capture_output=True, timeout=120)  # fmt: skip
    assert shot.stat().st_size > 50_000  # a blank page is a few kB
