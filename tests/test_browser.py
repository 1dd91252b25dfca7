"""End to end in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; no browser
is ever downloaded): start `streamlit run dashboard/app.py` on a test table, pick two subdistricts
on Compare, check the rendered table and the URL, and screenshot each page.

Screenshots go to a temporary folder; with GOVSTATS_SCREENSHOTS=docs/screenshots they are written
there (that is how the README's pictures are made).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_dashboard_table import write_tables

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

GRID = '[data-testid="stDataFrame"] table[role="grid"]'  # the data grid's accessible copy of its cells
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (scripts/ensure-chromium)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def dashboard_server(data: Path, log: Path, command: list[str] | None = None, environment: dict | None = None):
    """The app served on a free local port as `govstats dashboard` serves it (or by `command`,
    which gets the port as {port}); yields its base URL."""
    from etl.serve import server_command

    port = free_port()
    command = [part.format(port=port) for part in command] if command else server_command("127.0.0.1", port)
    environment = dict(os.environ, GOVSTATS_DATA=str(data), **(environment or {}))
    with log.open("w") as output:
        server = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                        if answer.read() == b"ok":
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)


@contextlib.contextmanager
def chromium_page(profile: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
            locale="zh-CN",
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            context.close()


def wait_for_app(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def pick(page, label: str, option: str) -> None:
    """Choose an option in the multiselect with this label, as a user does: click, type, pick."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
    box.locator("input").click()
    box.locator("input").fill(option)
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")


def test_compare_two_subdistricts_in_chromium(tmp_path):
    data = write_tables(tmp_path / "data")
    shots = Path(os.environ.get("GOVSTATS_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with dashboard_server(data, tmp_path / "streamlit.log") as base, chromium_page(tmp_path / "profile") as page:
        page.goto(base)  # the default page: Overview
        wait_for_app(page)
        page.wait_for_selector(".js-plotly-plot")
        page.screenshot(path=str(shots / "overview.png"), full_page=True)

        page.goto(f"{base}/compare")
        wait_for_app(page)
        pick(page, "选择 2 至 6 个街道", "林山寨街道")
        pick(page, "选择 2 至 6 个街道", "新城街道")
        page.wait_for_function(f"document.querySelector({GRID!r})?.textContent.includes('新城街道')")
        table = page.locator(GRID)
        headers = [text.strip() for text in table.locator("thead th").all_text_contents()]
        assert headers[-2:] == ["林山寨街道", "新城街道"]
        rows = [[cell.strip() for cell in row.locator("td").all_text_contents()] for row in table.locator("tbody tr").all()]
        project_2013 = next(row for row in rows if row[1:2] == ["项目投资"] and "2013" in row)
        assert project_2013[-2:] == ["约70亿元", "—"]
        assert "subs=" in page.url and "%E6%9E%97%E5%B1%B1%E5%AF%A8" in page.url  # 林山寨 is in the link
        page.get_by_role("tab", name="图表").click()  # the chart tab is built when opened
        page.wait_for_selector(".js-plotly-plot")
        assert "view=" in page.url
        page.screenshot(path=str(shots / "compare.png"), full_page=True)

        shared_link = page.url
        page.goto(shared_link)  # the link alone restores the comparison, as a chart
        wait_for_app(page)
        page.wait_for_selector(".js-plotly-plot")
        picked = page.locator('[data-testid="stMultiSelect"]').filter(has_text="选择 2 至 6 个街道").inner_text()
        assert "林山寨街道" in picked and "新城街道" in picked

        page.goto(f"{base}/facts?q=script")
        wait_for_app(page)
        page.wait_for_selector('[data-testid="stDataFrame"]')
        page.goto(f"{base}/facts?q=script&fact={fact_with_script(data)}")
        wait_for_app(page)
        sentence = page.locator(".govstats-sentence")
        sentence.wait_for()
        assert "<script>alert('x')</script>" in sentence.inner_text()  # shown as text, not run
        assert sentence.locator("script").count() == 0 and sentence.locator("mark").inner_text() == "6500余平方米"
        page.screenshot(path=str(shots / "facts.png"), full_page=True)
    assert all((shots / f"{name}.png").stat().st_size > 10_000 for name in ("overview", "compare", "facts"))


def fact_with_script(data: Path) -> str:
    import pyarrow.parquet as pq

    facts = pq.read_table(data / "facts.parquet", columns=["fact_id", "sentence"]).to_pylist()
    return next(row["fact_id"] for row in facts if "<script>" in row["sentence"])


def test_hostile_corpus_in_chromium(tmp_path):
    """Every field of tests/hostile.py carries links, images, tags, formatting and formulas. Served
    as `govstats dashboard --host 0.0.0.0` serves it, under a watch of the server's sockets: the
    page requests nothing outside the server, opens no dialog, and shows the data as text."""
    from urllib.parse import urlencode

    from dashboard import safe
    from tests import hostile
    from tests.test_dashboard_server import watched_environment

    data = hostile.write_hostile_tables(tmp_path / "data")
    environment, outbound = watched_environment(tmp_path / "watch")
    command = [sys.executable, "-m", "etl", "dashboard", "--data", str(data), "--host", "0.0.0.0", "--port", "{port}", "--headless"]
    log = tmp_path / "server.log"
    outside, dialogs = [], []
    with dashboard_server(data, log, command, environment) as base, chromium_page(tmp_path / "profile") as page:

        def only_the_server(route) -> None:
            if route.request.url.startswith((base, "data:", "blob:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.context.route("**/*", only_the_server)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        page.goto(base)
        wait_for_app(page)
        page.wait_for_selector(".js-plotly-plot .xtick text")
        ticks = page.locator(".js-plotly-plot .xtick text").all_text_contents()
        assert set(hostile.SUBDISTRICTS) <= set(ticks)  # names shown as their characters
        assert page.locator(".js-plotly-plot a, .js-plotly-plot image").count() == 0
        page.locator('[data-testid="stMultiSelect"]').filter(has_text="媒体").locator("input").click()
        options = page.get_by_role("listbox")
        options.wait_for()
        assert "![o](https://evil.example/o.png)" in options.inner_text()  # outlets listed as text
        assert options.locator("a, img").count() == 0
        page.keyboard.press("Escape")

        page.goto(f"{base}/compare?{urlencode({'subs': hostile.SUBDISTRICTS[:3]}, doseq=True)}")
        wait_for_app(page)
        page.wait_for_function(f"document.querySelector({GRID!r})?.textContent.includes('钓鱼街道')")
        table = page.locator(GRID)
        headers = [text.strip() for text in table.locator("thead th").all_text_contents()]
        assert headers[-3:] == hostile.SUBDISTRICTS[:3]  # a data grid shows text as text
        assert table.locator("a, img, strong, em").count() == 0

        page.goto(f"{base}/facts?fact={hostile.fact_of_article('h1')}")
        wait_for_app(page)
        page.locator(".govstats-sentence").wait_for()
        main = page.locator('[data-testid="stMain"]')
        shown = main.inner_text().replace(safe.JOINER, "")
        assert hostile.TITLE in shown and hostile.SENTENCE.split(" 投资")[0] in shown
        links = [(link.inner_text(), link.get_attribute("href")) for link in main.locator("a[href^='http']").all()]
        assert links == [("打开原文", "https://evil.example/article")]  # the one link: named by us
        assert main.locator("img, .govstats-sentence strong, .govstats-sentence em").count() == 0

        page.goto(f"{base}/facts?{urlencode({'fact': '[点此](https://evil.example/f) ![i](https://evil.example/f.png)'})}")
        wait_for_app(page)
        warning = page.locator('[data-testid="stAlert"]').filter(has_text="点此")
        assert "[点此](https://evil.example/f) ![i](https://evil.example/f.png)" in warning.inner_text().replace(safe.JOINER, "")
        assert warning.locator("a, img").count() == 0
    assert outside == [] and dialogs == []
    assert outbound.read_text() == ""
    assert "has no login" in log.read_text()
