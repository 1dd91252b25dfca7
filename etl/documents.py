"""Read input files into Documents: decoded text plus what the file says about itself.

A file's bytes are decoded by detection, not assumption: a byte-order mark, else strict UTF-8,
else charset-normalizer choosing among the encodings Chinese archives are written in (GB18030,
which covers GBK and GB2312, Big5, UTF-16). HTML pages go through trafilatura, which keeps the
article text and drops navigation, scripts and page furniture, and gives the page's title and date.
A `.jsonl` file holds one article per line. Whatever cannot be read raises (or, for a line of a
`.jsonl` file, yields) a DocumentError whose message names the file and the problem.

>>> document = parse_bytes("拆除違章建築15000餘平方米".encode("big5"), "a.txt")[0]
>>> document.encoding, document.text
('big5', '拆除違章建築15000餘平方米')
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import charset_normalizer

from etl.schema import doc_id_for, stable_hash

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES
MAX_FILE_BYTES = 64 * 1024 * 1024

# The encodings charset-normalizer may choose from when a file is neither BOM-marked nor UTF-8.
CANDIDATE_ENCODINGS = ("gb18030", "big5", "utf_16_le", "utf_16_be")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Leading bytes of common binary formats, so that the message says what the file is.
_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX)"),
    (b"\x1f\x8b", "a gzip file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable"),
    (b"\xd0\xcf\x11\xe0", "an MS Office (OLE) file"),
    (b"PAR1", "a Parquet file"),
)
_ASCII = re.compile(r"[\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
META_FIELDS = ("title", "outlet", "published", "url")


class DocumentError(Exception):
    """A file (or a line of a .jsonl file) that cannot become a Document.

    >>> str(DocumentError("a.txt", "undecodable"))
    'a.txt: undecodable'
    """

    def __init__(self, source: str, problem: str):
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its text exactly as decoded, and where it came from.

    `warning` says what was repaired while reading (a truncated last character), else None.
    """

    source: str
    text: str
    encoding: str = "utf-8"
    content_hash: str = ""
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    url: str | None = None
    warning: str | None = None

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.text)

    @classmethod
    def from_text(cls, text: str, source: str = "<text>", **meta) -> Document:
        """A document made from a string (tests, notebooks, the JSONL reader).

        >>> Document.from_text("投资68亿元").text
        '投资68亿元'
        """
        meta.setdefault("content_hash", stable_hash(text))
        return cls(source=source, text=text, **meta)


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    warning: str | None = None


def decode(raw: bytes, source: str, *, checked: bool = True) -> Decoded:
    """Decode a file's bytes, detecting the encoding; raise DocumentError naming the problem.

    >>> decode("共排查出各类矛盾问题15882起,办结率达99.22%".encode("gb18030"), "a.txt").encoding
    'gb18030'
    >>> decode(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00", "a.txt")
    Traceback (most recent call last):
    etl.documents.DocumentError: a.txt: not text: a PNG image

    checked=False leaves the check for control characters to the caller (a .jsonl file refuses
    only its lines that hold them).
    """
    check = _checked if checked else (lambda decoded, source: decoded)
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return check(Decoded(raw.decode(codec), codec.replace("-sig", "")), source)
            except UnicodeDecodeError as error:
                raise DocumentError(
                    source, f"undecodable: starts with a {codec} byte-order mark but is not valid {codec} "
                    f"(byte {error.start}: {error.reason})"
                ) from error
    try:
        return check(Decoded(raw.decode("utf-8"), "utf-8"), source)
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.end == len(raw) and len(raw) - error.start < 4:
            warning = f"truncated: an incomplete UTF-8 character at the end (byte {error.start}) was dropped"
            return check(Decoded(raw[: error.start].decode("utf-8"), "utf-8", warning), source)
        utf8_error = error
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise DocumentError(source, f"not text: {what}")
    best = charset_normalizer.from_bytes(raw, cp_isolation=list(CANDIDATE_ENCODINGS)).best()
    if best is None:
        if b"\x00" in raw[:65536]:
            raise DocumentError(source, "not text: binary content (NUL bytes, and no text encoding fits)")
        raise DocumentError(
            source,
            f"undecodable: not UTF-8 (byte {utf8_error.start}), nor GB18030/GBK, Big5 or UTF-16",
        )
    return check(Decoded(str(best), best.encoding.replace("_", "-")), source)


def _checked(decoded: Decoded, source: str) -> Decoded:
    """Refuse decoded text that is mostly control characters: a binary file that happened to decode.

    Any even number of bytes decodes as UTF-16, pairs of ASCII letters as CJK characters: UTF-16
    text is accepted only when it holds some ASCII (line breaks, digits), as real articles do.
    """
    sample = decoded.text[:65536]
    if decoded.encoding.startswith("utf-16") and len(_ASCII.findall(sample)) < max(1, len(sample) // 1000):
        raise DocumentError(source, f"undecodable: reads as {decoded.encoding} only as characters with no line break, digit or ASCII")
    controls = len(_CONTROL.findall(sample))
    if "\x00" in sample or controls > 0.01 * len(sample):
        raise DocumentError(source, f"not text: binary content ({controls} control characters in {len(sample)})")
    return decoded


def parse_date(value: object) -> dt.date | None:
    """A date from metadata: ISO, 2013/4/28, 2013.04.28, 2013年4月28日; None when there is none.

    >>> parse_date("2013年4月28日"), parse_date("2013-04-28T08:00:00+08:00"), parse_date("")
    (datetime.date(2013, 4, 28), datetime.date(2013, 4, 28), None)
    """
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = str(value).strip()
    if not text:
        return None
    match = _DATE.search(text)
    if not match:
        raise ValueError(f"published {text!r} is not a date")
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError as error:
        raise ValueError(f"published {text!r} is not a date ({error})") from None


def _html_document(raw: bytes, source: str, content_hash: str) -> Document:
    import trafilatura

    decoded = decode(raw, source)
    page = trafilatura.bare_extraction(
        decoded.text, with_metadata=True, include_comments=False, include_tables=True, deduplicate=False,
        favor_precision=True,  # figures in navigation links and teasers are not the article's facts
    )
    text = (page.text if page is not None else "") or ""
    published = None
    if page is not None and page.date:
        try:
            published = parse_date(page.date)
        except ValueError:
            published = None
    return Document(
        source=source,
        text=text,
        encoding=decoded.encoding,
        content_hash=content_hash,
        title=(page.title if page is not None else None) or None,
        url=(page.url if page is not None else None) or None,
        published=published,
        warning=decoded.warning if text else (decoded.warning or "no article text found in the page"),
    )


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSONL text: split on line feeds only (JSON strings may hold U+2028, U+2029
    or U+0085, which str.splitlines would cut at), a carriage return before it dropped.

    >>> jsonl_lines('{"text": "a\\u2028b"}\\r\\n{}\\n')
    ['{"text": "a\\u2028b"}', '{}', '']
    """
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _jsonl_documents(raw: bytes, source: str, content_hash: str) -> list[Document | DocumentError]:
    decoded = decode(raw, source, checked=False)
    lines = jsonl_lines(decoded.text)
    # The file as a whole is refused only when it is not text; a NUL in one line refuses that line.
    clean = "\n".join(line for line in lines if "\x00" not in line)
    if not clean.strip():
        raise DocumentError(source, "not text: binary content (NUL bytes in every line)")
    _checked(dataclasses.replace(decoded, text=clean), source)
    documents: list[Document | DocumentError] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        line_source = f"{source}:{number}"
        if "\x00" in line:
            documents.append(DocumentError(line_source, "not text: a NUL byte in this line"))
            continue
        try:
            article = json.loads(line)
        except json.JSONDecodeError as error:
            documents.append(DocumentError(line_source, f"not JSON: {error.msg} at column {error.colno}"))
            continue
        if not isinstance(article, dict) or not isinstance(article.get("text"), str):
            documents.append(DocumentError(line_source, 'no "text" field holding a string'))
            continue
        warnings = [decoded.warning] if decoded.warning else []
        try:
            published = parse_date(article.get("published"))
        except ValueError as error:  # the article is still read, undated, as --meta does
            published = None
            warnings.append(f"{error}: ignored")
        documents.append(
            Document(
                source=line_source,
                text=article["text"],
                encoding=decoded.encoding,
                content_hash=content_hash,
                title=_text_or_none(article.get("title")),
                outlet=_text_or_none(article.get("outlet")),
                published=published,
                url=_text_or_none(article.get("url")),
                warning="; ".join(warnings) or None,
            )
        )
    return documents


def _text_or_none(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def parse_bytes(raw: bytes, source: str, content_hash: str | None = None) -> list[Document | DocumentError]:
    """The documents in one file's bytes, by the file's suffix: one for .txt/.md/.html (and any
    other file named explicitly), one per line for .jsonl. Problems come back as DocumentError
    values, so that one bad line does not hide the good ones."""
    content_hash = content_hash or content_hash_of(raw)
    suffix = PurePosixPath(source).suffix.lower()
    try:
        if len(raw) > MAX_FILE_BYTES:
            raise DocumentError(source, f"too large: {len(raw):,} bytes (the limit is {MAX_FILE_BYTES:,})")
        if suffix in HTML_SUFFIXES:
            return [_html_document(raw, source, content_hash)]
        if suffix in JSONL_SUFFIXES:
            return _jsonl_documents(raw, source, content_hash) if raw.strip() else [
                Document(source=source, text="", encoding="utf-8", content_hash=content_hash)
            ]
        if not raw:
            return [Document(source=source, text="", encoding="utf-8", content_hash=content_hash)]
        decoded = decode(raw, source)
        return [Document(source, decoded.text, decoded.encoding, content_hash, warning=decoded.warning)]
    except DocumentError as error:
        return [error]


def sections(text: str, max_chars: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of `text`, none longer than max_chars, cut at the last
    line break before the limit, else after the last sentence end, else the last comma, else
    at the limit: a document too long to extract at once is extracted a section at a time.

    >>> sections("ab\\ncd\\nef", 6)
    [(0, 6), (6, 8)]
    >>> sections("一二三。四五六", 5), sections("abcdefg", 3)
    ([(0, 4), (4, 7)], [(0, 3), (3, 6), (6, 7)])
    """
    pieces, start = [], 0
    while len(text) - start > max_chars:
        limit = start + max_chars
        cut = -1
        for breaks in ("\n", "。！？!?", "，,；;"):
            cut = max(text.rfind(mark, start + 1, limit) for mark in breaks)
            if cut > start:
                break
        end = cut + 1 if cut > start else limit
        pieces.append((start, end))
        start = end
    pieces.append((start, len(text)))
    return pieces


def content_hash_of(raw: bytes) -> str:
    """The hash that tells whether a file changed between runs.

    >>> content_hash_of(b"")
    'e3b0c44298fc1c149afbf4c8996fb924'
    """
    return hashlib.sha256(raw).hexdigest()[:32]


def read_document(path: Path, source: str | None = None) -> Document:
    """Read one single-article file into a Document; raise DocumentError when that is impossible."""
    source = source or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DocumentError(source, f"unreadable: {error.strerror or error}") from error
    result = parse_bytes(raw, source, content_hash_of(raw))[0]
    if isinstance(result, DocumentError):
        raise result
    return result


@dataclass(frozen=True, slots=True)
class Metadata:
    """What an archive's metadata file says about one document; None where it says nothing."""

    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    url: str | None = None

    def apply(self, document: Document) -> Document:
        """The document with every field this metadata gives replacing the guessed one."""
        given = {name: getattr(self, name) for name in META_FIELDS if getattr(self, name) is not None}
        return dataclasses.replace(document, **given) if given else document


class MetadataTable:
    """Metadata by source, from a CSV or JSONL file with a `source` column.

    A row's `source` may name a file as given on the command line, relative to the folder given,
    or by its bare name when that is unique; `archive.jsonl:7` names line 7 of a .jsonl file.
    """

    def __init__(self, rows: dict[str, Metadata], problems: list[str] | None = None, fingerprint: str = ""):
        self.rows = rows
        self.problems = problems or []
        self.fingerprint = fingerprint
        self.used: set[str] = set()
        by_name: dict[str, list[str]] = {}
        for key in rows:
            by_name.setdefault(PurePosixPath(key).name, []).append(key)
        self._unique_names = {name: keys[0] for name, keys in by_name.items() if len(keys) == 1}

    @classmethod
    def load(cls, path: Path) -> MetadataTable:
        """Read a metadata file; raise ValueError naming the file when it cannot be used at all."""
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise ValueError(f"{path}: unreadable: {error.strerror or error}") from error
        try:
            text = decode(raw, str(path)).text
        except DocumentError as error:
            raise ValueError(str(error)) from error
        if path.suffix.lower() in JSONL_SUFFIXES:
            records = []
            for number, line in enumerate(jsonl_lines(text), start=1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as error:
                        raise ValueError(f"{path}:{number}: not JSON: {error.msg}") from error
                    if not isinstance(record, dict):
                        raise ValueError(f"{path}:{number}: not a JSON object (a {type(record).__name__})")
                    records.append((number, record))
        else:
            reader = csv.DictReader(io.StringIO(text))
            records = list(enumerate(reader, start=2))
        if records and "source" not in records[0][1]:
            raise ValueError(f"{path}: no `source` column (columns: {', '.join(records[0][1])})")
        rows, problems, first_line = {}, [], {}
        for number, record in records:
            source = _normalized(str(record.get("source") or ""))
            if not source:
                problems.append(f"{path}:{number}: empty source")
                continue
            if source in rows:
                problems.append(f"{path}:{number}: source {source!r} again (line {first_line[source]}): this line wins")
            first_line.setdefault(source, number)
            try:
                published = parse_date(record.get("published"))
            except ValueError as error:
                problems.append(f"{path}:{number}: {error}")
                published = None
            rows[source] = Metadata(
                title=_text_or_none(record.get("title")),
                outlet=_text_or_none(record.get("outlet")),
                published=published,
                url=_text_or_none(record.get("url")),
            )
        return cls(rows, problems, fingerprint=content_hash_of(raw))

    def lookup(self, source: str, relative: str | None = None) -> Metadata | None:
        """The metadata of a document given as `source` (and `relative` to its input folder)."""
        key = self.key_of(source, relative)
        return None if key is None else self.rows[key]

    def key_of(self, source: str, relative: str | None = None) -> str | None:
        """The `source` of the row that describes this document, else None."""
        base, line = _split_line(source)
        relative_base = _split_line(relative)[0] if relative else None
        for candidate in (base, relative_base):
            if candidate is None:
                continue
            key = _normalized(candidate) + line
            if key in self.rows:
                return key
        name_key = self._unique_names.get(PurePosixPath(_normalized(base)).name + line)
        return name_key if name_key in self.rows else None

    def mark_used(self, source: str, relative: str | None = None) -> None:
        """Note that the row describing this document (if any) was used."""
        key = self.key_of(source, relative)
        if key is not None:
            self.used.add(key)

    def unused(self) -> list[str]:
        """The sources of the rows that matched no document marked used, in file order."""
        return [key for key in self.rows if key not in self.used]


def _normalized(source: str) -> str:
    posix = source.replace("\\", "/").strip()
    while posix.startswith("./"):
        posix = posix[2:]
    return posix


def _split_line(source: str) -> tuple[str, str]:
    """('archive.jsonl', ':7') for a line of a .jsonl file, else (source, '')."""
    base, colon, number = source.rpartition(":")
    if colon and number.isdigit() and base.lower().endswith(JSONL_SUFFIXES):
        return base, ":" + number
    return source, ""
