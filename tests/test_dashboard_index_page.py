"""The index.html the server sends: Streamlit's own, with the script that names the server's base
URL before Streamlit's first script (dashboard/index_page.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import index_page


def test_every_page_of_the_app_is_named():
    app = (Path(index_page.__file__).parent / "app.py").read_text(encoding="utf-8")
    named = {part.split('"')[1] for part in app.split("url_path=")[1:]}
    assert named == set(index_page.PAGE_PATHS)


@pytest.mark.parametrize(
    "original",
    [
        '<head><script>window.prerenderReady = false</script><script type="module" src="./static/js/index.js"></script></head>',
        '<head><link rel="preload" href="./font.woff2"><SCRIPT src="x.js"></SCRIPT><script src="y.js"></script></head>',
    ],
)
def test_the_base_url_script_comes_before_streamlits_first(original):
    served = index_page.index_html(original, ("compare",))
    ours = served.find("window.__streamlit")
    assert 0 < ours < served.find("prerenderReady" if "prerender" in original else "y.js")
    assert served.replace(index_page.base_url_script(("compare",)), "") == original


def test_streamlit_page_without_a_script_is_refused():
    with pytest.raises(ValueError, match="has no <script"):
        index_page.index_html("<html><head></head></html>")


def test_the_static_folder_links_streamlits_files_and_holds_our_index(tmp_path):
    streamlit_static = tmp_path / "streamlit"
    (streamlit_static / "static" / "js").mkdir(parents=True)
    (streamlit_static / "static" / "js" / "index.js").write_text("code")
    (streamlit_static / "favicon.png").write_bytes(b"png")
    (streamlit_static / "index.html").write_text("<head><script src=./static/js/index.js></script></head>")
    (tmp_path / "served").mkdir()
    served = index_page.static_folder(streamlit_static, tmp_path / "served")
    assert (served / "static" / "js" / "index.js").read_text() == "code"
    assert (served / "favicon.png").is_symlink() and not (served / "index.html").is_symlink()
    assert "window.__streamlit" in (served / "index.html").read_text()
    assert "window.__streamlit" not in (streamlit_static / "index.html").read_text()
