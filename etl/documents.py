"""Read one input file into a Document: decoded text plus what the file says about itself.

This first reader handles UTF-8 text; encodings, HTML and metadata files come with the corpus
pipeline. A file that cannot be read raises DocumentError naming the file and the problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from etl.schema import doc_id_for, stable_hash

TEXT_SUFFIXES = (".txt", ".md")


class DocumentError(Exception):
    """A file that cannot be turned into a Document; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its text exactly as decoded, and where it came from."""

    source: str
    text: str
    encoding: str = "utf-8"
    content_hash: str = ""
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    url: str | None = None

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.text)

    @classmethod
    def from_text(cls, text: str, source: str = "<text>", **meta) -> Document:
        """A document made from a string (tests, notebooks, the JSONL reader).

        >>> Document.from_text("投资68亿元").text
        '投资68亿元'
        """
        return cls(source=source, text=text, content_hash=stable_hash(text), **meta)


def read_document(path: Path, source: str | None = None) -> Document:
    """Decode a text file into a Document; raise DocumentError when that is impossible."""
    source = source or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DocumentError(f"{source}: unreadable: {error.strerror or error}") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(f"{source}: undecodable as UTF-8 at byte {error.start}") from error
    return Document(source=source, text=text, encoding="utf-8", content_hash=stable_hash(raw))
