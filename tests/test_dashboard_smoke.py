"""The dashboard loads on the seed table without an exception."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def test_dashboard_renders_seed_table(seed_tables, monkeypatch):
    monkeypatch.setenv("GOVSTATS_DATA", str(seed_tables))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value
