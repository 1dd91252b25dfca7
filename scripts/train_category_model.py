"""Train the category model (etl/category_model.py) on the gold sets, choose how it joins the
rules by cross-validation by document, and write etl/data/category_model.json.

    .venv/bin/python scripts/train_category_model.py [--check] [--out FILE]

Training documents: the seeds, tests/data/unseen and the real articles of tests/data/real
except the held-out quarter (the 12 whose number is a multiple of 4), which is scored only with
the chosen settings, at the end, for the ablation table (rules alone, model alone, both).
Everything is deterministic: folds by document (GroupKFold, drawn with three fixed seeds), lbfgs. `--check`
retrains with the settings recorded in the committed file and fails when the result differs
(tests/test_category_model.py runs it).

Needs scikit-learn (`pip install .[train]`); the model it writes is read without it.
"""

from __future__ import annotations

import argparse
import json
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.category_model import MODEL_PATH, CategoryModel, FigureContext  # noqa: E402
from etl.documents import MetadataTable  # noqa: E402
from etl.evaluate import gold_documents, match  # noqa: E402
from etl.facts import extract_facts  # noqa: E402

DATA = ROOT / "tests" / "data"
GOLD_SETS = [  # (name, gold, documents, metadata)
    ("seeds", DATA / "seeds_gold.jsonl", ROOT / "seeds", None),
    ("unseen", DATA / "unseen_gold.jsonl", DATA / "unseen", None),
    ("real", DATA / "real" / "gold.jsonl", DATA / "real" / "docs", DATA / "real" / "meta.csv"),
]
SEED = 20261207
FOLDS = 5
REPEATS = 3
MAX_PAIRS = 1000  # chosen by cross-validation among 300, 1000 and all (about 5,500)
MIN_DOCUMENTS = 2  # a feature seen in one article only names that article, not a kind of text
C_GRID = (0.1, 0.3, 1.0)
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
KEPT_LEVELS = {"none": (), "noun": ("noun",), "noun, clause": ("noun", "clause")}


def held_out(name: str, document: str) -> bool:
    """The issue's held-out quarter: real articles whose number is a multiple of 4."""
    return name == "real" and int(document.split(".")[0]) % 4 == 0


@dataclass(frozen=True)
class Sample:
    group: str  # set/document: folds never split an article
    context: FigureContext
    gold: str
    held_out: bool


def samples() -> list[Sample]:
    found: list[Sample] = []
    for set_name, gold_path, docs, meta in GOLD_SETS:
        metadata = MetadataTable.load(meta) if meta is not None else None
        for name, document, gold in gold_documents(gold_path, docs, metadata):
            contexts: list[FigureContext] = []
            facts = extract_facts(document, category_model=None, contexts=contexts)
            pairs, _ = match(facts, gold)
            for record, index in pairs:
                if index is not None:
                    found.append(
                        Sample(
                            f"{set_name}/{name}",
                            contexts[index],
                            record.get("category", "other"),
                            held_out(set_name, name),
                        )
                    )
    return found


def vocabulary(rows: list[set[str]], groups: list[str]) -> dict[str, int]:
    seen_in: dict[str, set[str]] = {}
    for features, group in zip(rows, groups):
        for feature in features:
            seen_in.setdefault(feature, set()).add(group)
    kept = sorted(f for f, where in seen_in.items() if len(where) >= MIN_DOCUMENTS)
    return {feature: index for index, feature in enumerate(kept)}


def matrix(rows: list[set[str]], index: dict[str, int]) -> sparse.csr_matrix:
    data, columns, pointers = [], [], [0]
    for features in rows:
        present = sorted(index[f] for f in features if f in index)
        columns.extend(present)
        data.extend([1.0] * len(present))
        pointers.append(len(columns))
    return sparse.csr_matrix((data, columns, pointers), shape=(len(rows), len(index)))


def features_of(sample: Sample, with_rules: bool) -> set[str]:
    features = sample.context.features()
    if not with_rules:
        features = {f for f in features if not f.startswith(("r:", "l:"))}
    return features


def fit(train: list[Sample], c: float, with_rules: bool) -> tuple[LogisticRegression, dict[str, int]]:
    """Fit on every feature seen in MIN_DOCUMENTS articles, then again on the MAX_PAIRS pairs of
    characters that weigh most (the fewer pairs, the fewer matches to sum per text when reading)."""
    rows = [features_of(s, with_rules) for s in train]
    labels = [s.gold for s in train]
    index = vocabulary(rows, [s.group for s in train])
    classifier = LogisticRegression(C=c, max_iter=5000, random_state=SEED)
    classifier.fit(matrix(rows, index), labels)
    strength = np.abs(classifier.coef_).max(axis=0)
    pairs = sorted((f for f in index if f[0] in "spht" and f[1] == ":"), key=lambda f: (-strength[index[f]], f))
    kept = set(pairs[:MAX_PAIRS]) | {f for f in index if not (f[0] in "spht" and f[1] == ":")}
    index = {feature: i for i, feature in enumerate(sorted(kept))}
    classifier = LogisticRegression(C=c, max_iter=5000, random_state=SEED)
    classifier.fit(matrix(rows, index), labels)
    return classifier, index


def decide(sample: Sample, probabilities: np.ndarray, classes: list[str], threshold: float, kept: tuple) -> str:
    """The category the attributor would give: CategoryModel.overrides, on a probability row."""
    best = int(np.argmax(probabilities))
    rule = sample.context.rule_category
    if sample.context.rule_level in kept or classes[best] == rule or probabilities[best] < threshold:
        return rule
    return classes[best]


def predictions(train: list[Sample], test: list[Sample], c: float, with_rules: bool) -> tuple[np.ndarray, list[str]]:
    classifier, index = fit(train, c, with_rules)
    probabilities = classifier.predict_proba(matrix([features_of(s, with_rules) for s in test], index))
    return probabilities, list(classifier.classes_)


def accuracy(test: list[Sample], chosen: list[str]) -> float:
    return sum(s.gold == c for s, c in zip(test, chosen)) / len(test)


def cross_validate(train: list[Sample]) -> dict[tuple, float]:
    """Accuracy of every setting over the folds: (variant, C, threshold, kept levels) → accuracy."""
    groups = [s.group for s in train]
    # folds drawn with several seeds: with 36 real articles, one draw's accuracy moves by a point
    folds = [
        fold
        for seed in range(SEED, SEED + REPEATS)
        for fold in GroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed).split(train, groups=groups)
    ]
    results: dict[tuple, list[str]] = {}
    ordered: list[Sample] = []
    for _, test_index in folds:
        ordered.extend(train[i] for i in test_index)
    for c, with_rules in itertools.product(C_GRID, (False, True)):
        by_setting: dict[tuple, list[str]] = {}
        for train_index, test_index in folds:
            fold_train = [train[i] for i in train_index]
            fold_test = [train[i] for i in test_index]
            probabilities, classes = predictions(fold_train, fold_test, c, with_rules)
            variant = "both" if with_rules else "model alone"
            by_setting.setdefault((variant, c, 0.0, "none"), []).extend(
                classes[int(np.argmax(row))] for row in probabilities
            )
            for threshold, (kept_name, kept) in itertools.product(THRESHOLDS, KEPT_LEVELS.items()):
                by_setting.setdefault((f"{variant}, gated", c, threshold, kept_name), []).extend(
                    decide(s, row, classes, threshold, kept) for s, row in zip(fold_test, probabilities)
                )
        results.update(by_setting)
    results[("rules alone", None, None, None)] = [s.context.rule_category for s in ordered]
    # chosen on the real articles: the kind of text the tool is for (the seeds and our own
    # articles train the model, but their rules were written on them)
    real = [i for i, s in enumerate(ordered) if s.group.startswith("real/")]
    return {
        setting: accuracy([ordered[i] for i in real], [chosen[i] for i in real])
        for setting, chosen in results.items()
    }


def export(
    classifier: LogisticRegression, index: dict[str, int], threshold: float, kept: tuple, variant: str, c: float
) -> CategoryModel:
    coefficients = classifier.coef_
    weights = {}
    for feature, column in index.items():
        row = [round(float(w), 4) for w in coefficients[:, column]]
        if max(abs(w) for w in row) >= 0.005:
            weights[feature] = row
    bias = [round(float(b), 4) for b in classifier.intercept_]
    kept_name = next(name for name, levels in KEPT_LEVELS.items() if levels == kept)
    settings = {"variant": variant, "C": c, "threshold": threshold, "kept": kept_name, "seed": SEED}
    return CategoryModel(list(classifier.classes_), bias, weights, threshold, kept, settings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--check",
        action="store_true",
        help="retrain with the settings recorded in --out (no search) and fail if the model differs",
    )
    args = parser.parse_args()

    everything = samples()
    train = [s for s in everything if not s.held_out]
    held = [s for s in everything if s.held_out]
    if args.check:
        return check(train, args.out)
    print(
        f"{len(train)} training figures from {len({s.group for s in train})} articles; "
        f"{len(held)} held-out figures from {len({s.group for s in held})} articles"
    )
    scores = cross_validate(train)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    print(f"\ncross-validated by document ({FOLDS} folds, {REPEATS} draws), category accuracy of the real articles' figures:")
    for (variant, c, threshold, kept), score in ranked[:8]:
        print(f"  {score:.3f}  {variant:20s} C={c} threshold={threshold} kept={kept}")
    best_of: dict[str, tuple[tuple, float]] = {}
    for setting, score in ranked:
        best_of.setdefault(setting[0], (setting, score))
    (variant, c, threshold, kept_name), _ = ranked[0]
    print(f"\nchosen: {variant}, C={c}, threshold={threshold}, kept levels: {kept_name}")

    print("\nablation (category accuracy of matched figures; each variant with its best settings by cross-validation):")
    print("| | real training articles, cross-validated | held-out quarter |\n|---|---|---|")
    for name, (setting, cv_score) in best_of.items():
        print(f"| {name} | {cv_score:.3f} | {accuracy(held, held_out_choices(train, held, setting)):.3f} |")

    model = final_model(train, variant, c, threshold, kept_name)
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}: {len(model.weights)} features, {args.out.stat().st_size / 1024:.0f} KB")
    return 0


def held_out_choices(train: list[Sample], held: list[Sample], setting: tuple) -> list[str]:
    variant, c, threshold, kept_name = setting
    if variant == "rules alone":
        return [s.context.rule_category for s in held]
    probabilities, classes = predictions(train, held, c, variant.startswith("both"))
    if variant.endswith("gated"):
        return [decide(s, row, classes, threshold, KEPT_LEVELS[kept_name]) for s, row in zip(held, probabilities)]
    return [classes[int(np.argmax(row))] for row in probabilities]


def final_model(train: list[Sample], variant: str, c: float, threshold: float, kept_name: str) -> CategoryModel:
    """Trained on every training article with the chosen settings (recorded in the file)."""
    classifier, index = fit(train, c, variant.startswith("both"))
    gated = variant.endswith("gated")
    return export(classifier, index, threshold if gated else 0.0, KEPT_LEVELS[kept_name] if gated else (), variant, c)


def check(train: list[Sample], path: Path) -> int:
    recorded = json.loads(path.read_text(encoding="utf-8"))["settings"]
    model = final_model(train, recorded["variant"], recorded["C"], recorded["threshold"], recorded["kept"])
    if path.read_text(encoding="utf-8") != model.to_json() + "\n":
        print(f"{path} is not what training gives: run scripts/train_category_model.py and commit it", file=sys.stderr)
        return 1
    print(f"{path} is what training gives")
    return 0


if __name__ == "__main__":
    sys.exit(main())
