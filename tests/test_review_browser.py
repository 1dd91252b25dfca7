"""One correction end to end in headless Chromium: open a fact on the Review page, move it to another
subdistrict with the form, save, and see the Overview's investment chart change. With
GOVSTATS_SCREENSHOTS=docs/screenshots the Review page's picture for the README is written there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq

from tests.test_browser import chromium_page, dashboard_server, pytestmark, wait_for_app  # noqa: F401
from tests.test_dashboard_table import write_tables


def investment_bars(page, base: str) -> dict[str, float]:
    """Subdistrict → height of its bar in the Overview's chart of project investment (CNY)."""
    page.goto(f"{base}/?metric=project_investment:CNY&chart=interactive")  # the Plotly chart, whose data it reads
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot")
    traces = page.evaluate(
        "JSON.stringify(Array.from(document.querySelectorAll('.js-plotly-plot')[0]._fullData)"
        ".map(t => ({x: Array.from(t.x || []), y: Array.from(t.y || [])})))"  # _fullData: y decoded from base64
    )
    bars: dict[str, float] = {}
    for trace in json.loads(traces):
        for name, value in zip(trace["x"], trace["y"]):
            bars[name] = bars.get(name, 0.0) + float(value or 0)
    return bars


def test_a_correction_in_the_browser_moves_a_figure_between_bars(tmp_path):
    data = write_tables(tmp_path / "data")
    facts = pq.read_table(data / "facts.parquet").to_pylist()
    fact = next(row for row in facts if row["raw_text"] == "68亿元")  # 林山寨街道's largest investment
    shots = Path(os.environ.get("GOVSTATS_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with (
        dashboard_server(data, tmp_path / "streamlit.log") as base,
        chromium_page(tmp_path / "profile") as page,
    ):
        before = investment_bars(page, base)
        page.goto(f"{base}/review?fact={fact['fact_id']}&reviewer=ana")
        wait_for_app(page)
        page.locator(".govstats-sentence mark").wait_for()
        box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text="街道/乡镇")  # not the sidebar's
        box.locator("input").click()
        box.locator("input").fill("桐柏路街道")
        page.get_by_role("option", name="桐柏路街道").first.click()
        page.screenshot(path=str(shots / "review.png"), full_page=True)
        page.get_by_role("button", name="保存更正").click()
        page.wait_for_function("document.body.innerText.includes('已更正')", timeout=30_000)
        after = investment_bars(page, base)
    corrected = next(
        row for row in pq.read_table(data / "facts.parquet").to_pylist() if row["fact_id"] == fact["fact_id"]
    )
    assert (corrected["review"], corrected["subdistrict"], corrected["auto_subdistrict"]) == (
        "corrected",
        "桐柏路街道",
        "林山寨街道",
    )
    assert after["林山寨街道"] < before["林山寨街道"] and after["桐柏路街道"] > before.get("桐柏路街道", 0)
    assert (shots / "review.png").stat().st_size > 10_000
