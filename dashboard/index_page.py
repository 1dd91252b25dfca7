"""The page a browser loads first (Streamlit's index.html), told where the server is.

Opened at a page's own address (`/compare?subs=…`, a shared link or a new tab), Streamlit's page
script guesses the server's base from the address: it first asks `/compare/_stcore/health`, gets a
404, waits 100 ms and asks `/_stcore/health`. Measured in Chromium on Compare, that is 0.1 s before
the page's session can start. A script in the page names the base before Streamlit's script runs
(`window.__streamlit.BACKEND_BASE_URL`, which Streamlit reads for hosts that embed it): the address
without its last segment when that segment is one of our pages. It holds no data, only the page
names below, so it stays the same for every visitor.

`serve_with_base_url()` makes Streamlit serve that page: a folder of this process (0700) that links
to every file of Streamlit's own static folder but index.html, which is ours.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

PAGE_PATHS = tuple(sorted(path.stem for path in (Path(__file__).parent / "app_pages").glob("*.py")))
MARKER = "<script"  # ours goes before Streamlit's first script

log = logging.getLogger(__name__)


def base_url_script(pages: tuple[str, ...] = PAGE_PATHS) -> str:
    """The script that names the server's base URL from the page's address.

    >>> "window.__streamlit" in base_url_script(("compare",)) and '["compare"]' in base_url_script(("compare",))
    True
    """
    return (
        "<script>\n"
        "  // The server's base URL, so that a page opened at its own address does not probe\n"
        "  // <page>/_stcore/health first (dashboard/index_page.py).\n"
        "  (() => {\n"
        f"    const pages = {json.dumps(list(pages))};\n"
        '    const parts = window.location.pathname.replace(/\\/+$/, "").split("/");\n'
        "    if (pages.includes(parts[parts.length - 1])) parts.pop();\n"
        '    window.__streamlit = {BACKEND_BASE_URL: window.location.origin + parts.join("/") + "/"};\n'
        "  })();\n"
        "</script>\n    "
    )


def index_html(original: str, pages: tuple[str, ...] = PAGE_PATHS) -> str:
    """Streamlit's index.html with the base URL script before its first script.

    >>> index_html("<head><script src=a.js></script></head>", ("compare",)).count("<script")
    2
    >>> index_html("<head></head>")
    Traceback (most recent call last):
    ValueError: Streamlit's index.html has no <script: its page has changed, served as it is
    """
    at = original.find(MARKER)
    if at < 0:
        raise ValueError("Streamlit's index.html has no <script: its page has changed, served as it is")
    return original[:at] + base_url_script(pages) + original[at:]


def static_folder(streamlit_static: Path, into: Path, pages: tuple[str, ...] = PAGE_PATHS) -> Path:
    """`into` filled with links to every entry of Streamlit's static folder, and our index.html."""
    for entry in streamlit_static.iterdir():
        if entry.name != "index.html":
            (into / entry.name).symlink_to(entry)
    html = index_html((streamlit_static / "index.html").read_text(encoding="utf-8"), pages)
    (into / "index.html").write_text(html, encoding="utf-8")
    return into


def serve_with_base_url() -> None:
    """Make this process's Streamlit server serve our index.html (call before the server starts).
    If Streamlit's page is not as expected, its own is served and the reason logged."""
    from streamlit import file_util

    original = Path(file_util.get_static_dir())
    folder = Path(tempfile.mkdtemp(prefix="govstats-static-"))  # 0700, this process's own
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    try:
        static_folder(original, folder)
    except (OSError, ValueError) as problem:
        log.warning("%s: %s", original / "index.html", problem)
        return
    os.chmod(folder, 0o700)
    file_util.get_static_dir = lambda: str(folder)
