"""End to end in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; no browser
is ever downloaded): start `streamlit run dashboard/app.py` on a test table, pick two subdistricts
on Compare, check the rendered table and the URL; walk from a bar of the Overview to its facts, a
fact's article and its subdistrict's page; reload a permalink in both languages; screenshot each page.

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


def full_screenshot(page, path: Path) -> None:
    """The whole page, however long: Streamlit scrolls inside its main block, so the window is made
    as tall as that block for the picture and then restored."""
    size = page.viewport_size
    height = page.evaluate(
        """Math.max(...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebarContent"]')]
           .map(element => element.scrollHeight), 0)"""
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height) + 40)})
    page.wait_for_timeout(500)  # the charts redraw at the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def wait_for_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([selector, text]) => [...document.querySelectorAll(selector)].some(e => e.innerText.includes(text))",
        arg=[selector, text],
    )


def test_compare_two_subdistricts_in_chromium(tmp_path):
    data = write_tables(tmp_path / "data")
    shots = Path(os.environ.get("GOVSTATS_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with dashboard_server(data, tmp_path / "streamlit.log") as base, chromium_page(tmp_path / "profile") as page:
        page.goto(f"{base}/compare")
        wait_for_app(page)
        pick(page, "选择 2 至 6 个街道", "林山寨街道")
        pick(page, "选择 2 至 6 个街道", "新城街道")
        table = page.locator('table.govstats-table')
        table.wait_for()
        wait_for_text(page, 'table.govstats-table', "新城街道")
        headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
        assert headers[-2:] == ["林山寨街道", "新城街道"]
        rows = [[cell.strip() for cell in row.locator("th, td").all_inner_texts()] for row in table.locator("tbody tr").all()]
        project = next(row for row in rows if "项目投资" in row)
        assert project[-2:] == ["约70亿元（2013）", "43.1亿元（2019）"]  # one row, whatever their years
        assert "subs=" in page.url and "%E6%9E%97%E5%B1%B1%E5%AF%A8" in page.url  # 林山寨 is in the link
        page.get_by_role("tab", name="图表").click()  # the chart tab is built when opened
        page.wait_for_selector(".js-plotly-plot")
        assert "view=chart" in page.url
        full_screenshot(page, shots / "compare.png")

        page.goto(f"{base}/facts?q=script&fact={fact_with_script(data)}")
        wait_for_app(page)
        sentence = page.locator(".govstats-sentence")
        sentence.wait_for()
        assert "<script>alert('x')</script>" in sentence.inner_text()  # shown as text, not run
        assert sentence.locator("script").count() == 0 and sentence.locator("mark").inner_text() == "6500余平方米"


def test_from_a_bar_to_its_facts_article_and_subdistrict_in_chromium(tmp_path):
    data = write_tables(tmp_path / "data")
    shots = Path(os.environ.get("GOVSTATS_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with dashboard_server(data, tmp_path / "streamlit.log") as base, chromium_page(tmp_path / "profile") as page:
        page.goto(base)  # Overview: 排查矛盾 by subdistrict, 林山寨街道 first, drawn as SVG bars
        wait_for_app(page)
        page.wait_for_selector("svg.govstats-bars a.bar rect")
        full_screenshot(page, shots / "overview.png")
        assert page.locator(".js-plotly-plot").count() == 0  # no Plotly on the first paint
        with page.context.expect_page() as opened:
            page.locator("svg.govstats-bars a.bar").first.click()  # a bar's facts, in a new tab
        facts = opened.value
        facts.set_default_timeout(30_000)
        wait_for_app(facts)
        wait_for_text(facts, '[data-testid="stAlert"]', "林山寨街道")
        assert "sub=" in facts.url and "m=disputes_found" in facts.url
        facts.close()

        page.get_by_role("tab", name="交互图表").click()  # the same bars in Plotly: a click opens them here
        page.wait_for_selector(".js-plotly-plot .bars path")
        assert "chart=interactive" in page.url
        bar = page.locator(".js-plotly-plot .bars .point path").first.bounding_box()  # 林山寨街道
        page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)  # as a user clicks (plotly's drag layer takes it)
        page.wait_for_url("**/facts?**")
        wait_for_app(page)
        wait_for_text(page, '[data-testid="stAlert"]', "林山寨街道")
        assert "sub=" in page.url and "m=disputes_found" in page.url

        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 18)  # the first row's selection box
        article = page.locator(".govstats-article")
        article.wait_for()
        assert article.locator("mark").inner_text() in ("15882起", "15900起")
        assert "fact=" in page.url

        page.get_by_text("查看 林山寨街道 详情").first.click()
        page.wait_for_url("**/subdistrict?**")
        wait_for_app(page)
        wait_for_text(page, "h1", "林山寨街道")
        wait_for_text(page, '[data-testid="stMetric"]', "中原区")
        page.wait_for_selector('[data-testid="stDataFrame"]')
        full_screenshot(page, shots / "subdistrict.png")

        page.goto(f"{base}/trends?metric=disputes_found:case")
        wait_for_app(page)
        page.wait_for_selector(".js-plotly-plot .scatterlayer .points path")
        full_screenshot(page, shots / "trends.png")

        page.goto(f"{base}/dictionary")
        wait_for_app(page)
        page.wait_for_selector('[data-testid="stDataFrame"]')
        full_screenshot(page, shots / "dictionary.png")
    for name in ("overview", "subdistrict", "trends", "dictionary"):
        assert (shots / f"{name}.png").stat().st_size > 10_000, name


def test_a_permalink_reloads_the_same_view_in_both_languages_in_chromium(tmp_path):
    data = write_tables(tmp_path / "data")
    with dashboard_server(data, tmp_path / "streamlit.log") as base, chromium_page(tmp_path / "profile") as page:
        page.goto(f"{base}/compare?subs=林山寨街道&subs=新城街道")
        wait_for_app(page)
        page.locator('[data-testid="stButtonGroup"] button').filter(has_text="人均").click()  # per capita
        wait_for_text(page, 'table.govstats-table', "元/人")
        assert "scale=per_capita" in page.url  # a code, not 人均
        for language, per_person in (("en", "CNY/people"), ("zh", "元/人")):
            link = page.url.split("&lang=")[0] + f"&lang={language}"
            page.goto(link)
            wait_for_app(page)
            wait_for_text(page, 'table.govstats-table', per_person)
            wait_for_text(page, 'table.govstats-table', "林山寨街道")
            assert "scale=per_capita" in page.url
            page.reload()  # and again after a reload
            wait_for_app(page)
            wait_for_text(page, 'table.govstats-table', per_person)


def test_a_fact_opens_its_whole_article_with_the_figure_marked_in_chromium(seed_tables, tmp_path):
    """On the seeds as the ETL writes them: the article is read again from its file."""
    import pyarrow.parquet as pq

    shots = Path(os.environ.get("GOVSTATS_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    facts = pq.read_table(seed_tables / "facts.parquet").to_pylist()
    fact = next(row for row in facts if row["raw_text"] == "15882起")
    with dashboard_server(seed_tables, tmp_path / "streamlit.log") as base, chromium_page(tmp_path / "profile") as page:
        page.goto(f"{base}/facts?fact={fact['fact_id']}&m=disputes_found")
        wait_for_app(page)
        article = page.locator(".govstats-article")
        article.wait_for()
        assert article.locator("mark").inner_text() == "15882起"
        assert len(article.inner_text()) > 2000  # the whole article, not its sentence
        page.get_by_text("跳到文中该数字").click()  # the figure where it stands, scrolled into view
        page.wait_for_function(
            """() => { const box = document.querySelector('.govstats-article').getBoundingClientRect();
                       const mark = document.querySelector('#govstats-figure').getBoundingClientRect();
                       return mark.top >= box.top && mark.bottom <= box.bottom; }"""
        )
        full_screenshot(page, shots / "facts.png")
    assert (shots / "facts.png").stat().st_size > 10_000


def reruns_asked(page) -> list[str]:
    """What the page asks the server to rerun, as it asks: "page" for the whole page, "fragment"
    for one fragment (Streamlit's BackMsg.rerun_script, read off the websocket)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    asked: list[str] = []

    def read(payload) -> None:
        if isinstance(payload, bytes):
            message = BackMsg.FromString(payload)
            if message.WhichOneof("type") == "rerun_script":
                asked.append("fragment" if message.rerun_script.fragment_id else "page")

    page.on("websocket", lambda socket: socket.on("framesent", read))
    return asked


def test_picking_a_fact_reruns_its_fragment_not_the_page_in_chromium(tmp_path):
    data = write_tables(tmp_path / "data")
    with dashboard_server(data, tmp_path / "streamlit.log") as base, chromium_page(tmp_path / "profile") as page:
        asked = reruns_asked(page)
        page.goto(f"{base}/facts")
        wait_for_app(page)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for()
        before = len(asked)
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 18)  # the first row's selection box
        page.locator(".govstats-sentence").wait_for()
        assert asked[before:] == ["fragment"] and "fact=" in page.url
        wait_for_app(page)
        before = len(asked)
        pick(page, "类别", "投资")  # a filter changes what the whole page counts
        page.wait_for_url("**category=investment**")
        assert asked[before:] == ["page"]


def fact_with_script(data: Path) -> str:
    import pyarrow.parquet as pq

    facts = pq.read_table(data / "facts.parquet", columns=["fact_id", "sentence"]).to_pylist()
    return next(row["fact_id"] for row in facts if "<script>" in row["sentence"])


@pytest.mark.parametrize("path", ["", "compare?subs=林山寨街道&subs=新城街道", "trends", "subdistrict", "facts", "review", "dictionary", "overview"])
def test_a_page_opened_at_its_own_address_asks_the_server_at_its_base(tmp_path, path):
    """Streamlit alone first asks <page>/_stcore/health (a 404, then 100 ms of back-off); our
    index.html names the base, so the only health check is the server's own and the page draws."""
    data = write_tables(tmp_path / "data")
    with dashboard_server(data, tmp_path / "streamlit.log") as base, chromium_page(tmp_path / "profile") as page:
        asked = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(f"{base}/{path}")
        wait_for_app(page)
        page.locator('[data-testid="stMain"] h1').first.wait_for()
        checks = [url for url in asked if "/_stcore/" in url and not url.endswith("/_stcore/stream")]
        assert checks and all(url.startswith((f"{base}/_stcore/health", f"{base}/_stcore/host-config")) for url in checks), checks


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
        page.wait_for_selector("svg.govstats-bars text.xtick")
        ticks = [text.replace(safe.JOINER, "") for text in page.locator("svg.govstats-bars text.xtick").all_text_contents()]
        assert set(hostile.SUBDISTRICTS) <= set(ticks)  # names shown as their characters
        links = page.locator("svg.govstats-bars a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert links and all(link.startswith("facts?") for link in links)  # ours: a bar's facts
        assert page.locator("svg.govstats-bars image, svg.govstats-bars foreignObject").count() == 0
        page.goto(f"{base}/?chart=interactive")
        wait_for_app(page)
        page.wait_for_selector(".js-plotly-plot .xtick text")
        ticks = page.locator(".js-plotly-plot .xtick text").all_text_contents()
        assert set(hostile.SUBDISTRICTS) <= set(ticks)
        assert page.locator(".js-plotly-plot a, .js-plotly-plot image").count() == 0
        page.locator('[data-testid="stMultiSelect"]').filter(has_text="媒体").locator("input").click()
        options = page.get_by_role("listbox")
        options.wait_for()
        assert "![o](https://evil.example/o.png)" in options.inner_text()  # outlets listed as text
        assert options.locator("a, img").count() == 0
        page.keyboard.press("Escape")

        page.goto(f"{base}/compare?{urlencode({'subs': hostile.SUBDISTRICTS[:3]}, doseq=True)}")
        wait_for_app(page)
        compare_table = 'table.govstats-table'  # HTML cells, every mark escaped
        page.wait_for_function(f"document.querySelector({compare_table!r})?.textContent.includes('钓鱼街道')")
        table = page.locator(compare_table)
        headers = [text.strip().replace(safe.JOINER, "") for text in table.locator("thead th").all_text_contents()]
        assert headers[-3:] == hostile.SUBDISTRICTS[:3]  # shown as text
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
