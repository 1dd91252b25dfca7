"""Every metric the extractor can emit has a Chinese and an English label and a one-line definition
in each (etl/data/metric_labels.toml): a rule added to etl/data/metrics.toml without them fails here."""

from __future__ import annotations

import re

import pytest

from dashboard.labels import labels_for
from etl.metric_catalog import LABEL_FIELDS, emittable_metrics, metric_labels

CHINESE = re.compile(r"[\u4e00-\u9fff]")
EMITTABLE = sorted(emittable_metrics())


@pytest.mark.parametrize("metric", EMITTABLE)
def test_every_metric_the_rules_can_emit_is_labelled_and_defined(metric):
    entry = metric_labels().get(metric)
    assert entry is not None, f"{metric}: add it to etl/data/metric_labels.toml"
    assert all(entry[field].strip() for field in LABEL_FIELDS), metric
    assert CHINESE.search(entry["zh"]) and CHINESE.search(entry["zh_def"]), f"{metric}: zh label in Chinese"
    assert not CHINESE.search(entry["en"]) and not CHINESE.search(entry["en_def"]), f"{metric}: en label in English"
    assert "\n" not in entry["zh_def"] + entry["en_def"], f"{metric}: a definition is one line"
    assert labels_for("zh").metric(metric) == entry["zh"] and labels_for("en").metric(metric) == entry["en"]


def test_the_labels_name_no_metric_twice():
    labels = metric_labels()
    for language in ("zh", "en"):
        names = [entry[language] for entry in labels.values()]
        doubled = sorted({name for name in names if names.count(name) > 1})
        assert doubled == [], (language, doubled)


def test_a_malformed_labels_file_names_the_file_and_the_metric(tmp_path):
    broken = tmp_path / "metric_labels.toml"
    broken.write_text('area = { zh = "面积", en = "area" }\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"metric_labels\.toml: metric 'area' needs"):
        metric_labels(broken)
