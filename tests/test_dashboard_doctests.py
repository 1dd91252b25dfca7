"""The examples in the dashboard's docstrings (pytest collects doctests only under etl/)."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["dashboard.labels", "dashboard.tables", "dashboard.figures", "dashboard.data", "dashboard.safe", "dashboard.index_page"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
