"""The `govstats` command line: one verb per stage a user runs.

Each verb lives in its own module, which provides `add_arguments(parser)` and `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

VERBS = {
    "etl": ("etl.pipeline", "extract facts from articles into Parquet tables"),
    "eval": ("etl.evaluate", "score the extractor against hand-annotated facts (precision, recall, attributes)"),
    "dashboard": ("etl.serve", "explore the facts in the browser (Streamlit)"),
    "review": ("etl.review_cli", "correct, confirm or reject facts from a spreadsheet; list orphaned decisions; export reviewed facts as gold"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govstats",
        description="Extract reported figures from Chinese local-governance news into a tidy table, and explore it.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    for name, (module_name, summary) in VERBS.items():
        module = importlib.import_module(module_name)
        verb = verbs.add_parser(name, help=summary, description=(module.__doc__ or summary).strip())
        module.add_arguments(verb)
        verb.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
