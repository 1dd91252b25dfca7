"""The category model (etl/category_model.py): the committed file is what the training script
gives, the document-at-once reading agrees with the features as training reads them, a broken
model file is refused by name, and a figure the model decides says which words of its context
weighed most."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from etl.category_model import MODEL_PATH, CategoryModel, FigureContext, committed_model
from etl.documents import Document, MetadataTable, read_document
from etl.facts import extract_facts

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real"


@functools.cache
def real_documents() -> list[Document]:
    table = MetadataTable.load(REAL / "meta.csv")
    documents = []
    for path in sorted((REAL / "docs").iterdir()):
        document = read_document(path, source=path.name)
        found = table.lookup(path.name)
        documents.append(found.apply(document) if found is not None else document)
    return documents


def expected_category(model: CategoryModel, context: FigureContext) -> str:
    """What the model decides for one figure, from its features as training reads them."""
    probabilities = model.probabilities(context)
    best = max(probabilities, key=probabilities.get)
    overrides = (
        context.rule_level not in model.kept_levels
        and best != context.rule_category
        and probabilities[best] >= model.threshold
    )
    return best if overrides else context.rule_category


def test_reading_a_document_at_once_agrees_with_the_features_training_reads():
    model = committed_model()
    compared = overridden = 0
    for document in real_documents():
        contexts: list[FigureContext] = []
        extract_facts(document, category_model=None, contexts=contexts)
        facts = extract_facts(document)
        assert len(facts) == len(contexts), document.source
        for fact, context in zip(facts, contexts):
            assert fact.category == expected_category(model, context), (document.source, fact.raw_text)
            compared += 1
            overridden += fact.category != context.rule_category
    assert compared > 600 and overridden > 10  # the comparison covers figures the model changed


def test_a_figure_the_model_decides_names_a_pair_of_characters_of_its_context():
    decided = []
    for document in real_documents():
        contexts: list[FigureContext] = []
        extract_facts(document, category_model=None, contexts=contexts)
        for fact, context in zip(extract_facts(document), contexts):
            if (fact.category_evidence or "").startswith("model:"):
                decided.append((fact, context))
    assert decided
    for fact, context in decided:
        pair = fact.category_evidence.removeprefix("model:")
        assert len(pair) == 2 and any(pair in text for text in context.texts()), fact.category_evidence


def test_without_the_model_the_rules_decide_alone():
    document = real_documents()[0]
    rules = extract_facts(document, category_model=None)
    assert not any((f.category_evidence or "").startswith("model:") for f in rules)
    assert [f.raw_text for f in rules] == [f.raw_text for f in extract_facts(document)]


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda data: data.pop("classes"), "not a category model"),
        (lambda data: data["bias"].pop(), "needs"),
        (lambda data: next(iter(data["weights"].values())).append(1.0), "needs"),
        (lambda data: data.update(threshold="high"), "not a category model"),
    ],
    ids=["no classes", "short bias", "long row", "threshold not a number"],
)
def test_a_broken_model_file_is_refused_with_its_name(tmp_path, change, problem):
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as error:
        CategoryModel.load(path)
    assert str(path) in str(error.value)


def test_the_committed_model_is_what_the_training_script_gives():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_category_model.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
