"""Turning an untrusted file's bytes into text: encodings (mixed ones refused), line endings, NUL and control bytes."""
from __future__ import annotations

import codecs
import csv
import re
import struct

import pyarrow as pa

from csq.errors import InputRefused
from csq.ingest.limits import column_name, column_ref, refuse

DELIMITERS = (",", "\t", ";", "|")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A run of UTF-8-encoded CJK characters: in GBK bytes such a run is all but impossible by chance.
_UTF8_CJK_RUN = re.compile(rb"(?:[\xe3-\xe9][\x80-\xbf]{2}){4,}")
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f]")
_GBK_PAIR = re.compile(rb"[\x81-\xfe](?:([\x30-\xa0])|[\xa1-\xfe])")  # group 1: a second byte below A1
_SAMPLE_BYTES = 1 << 20
_UTF8_LEAD_BYTES = 16  # extra bytes of multi-byte UTF-8 characters before a bad byte that make the file UTF-8
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_ONE_ENCODING = "Save the whole file again in one encoding (in Excel: Save As → CSV UTF-8), then import it."


def guess_delimiter(line: str) -> str:
    """Return the delimiter that occurs most often in one line (to place a character in a column)."""
    return max(DELIMITERS, key=line.count)


def locate(text: str, pos: int, delim: str | None = None) -> tuple[int, int]:
    """Return (row, 0-based column) of the character at pos: its line, and the field of that line it is in."""
    row = text.count("\n", 0, pos) + 1
    start = text.rfind("\n", 0, pos) + 1
    prefix = text[start:pos]
    if delim is None:
        first = text.find("\n")
        delim = guess_delimiter(text[:first if 0 <= first < 65536 else 65536])
    col = len(next(csv.reader([prefix], delimiter=delim), [""])) - 1 if prefix else 0
    return row, max(col, 0)


def _bytes_at(data: bytes, pos: int, encoding: str) -> tuple[int, int, str]:
    """Return (row, 0-based column, the bytes in hex) of a bad byte at pos, the file read as `encoding` up to it."""
    before = data[:pos].decode(encoding, errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    row, col = locate(before + "\n", len(before))
    return row, col, data[pos:pos + 4].hex(" ").upper()


def _refuse_at(data: bytes, name: str, pos: int, encoding: str, message: str, fix: str) -> InputRefused:
    """Return the refusal of the bad bytes at pos, naming their row, column and the bytes themselves."""
    row, col, shown = _bytes_at(data, pos, encoding)
    return refuse(name, f"row {row}, {column_name(col)}: {message} (bytes {shown}).", fix, row=row,
                  column=column_ref(col), reason=f"{message} (bytes {shown})")


def _utf16_without_bom(head: bytes) -> str | None:
    """Return 'utf-16-le'/'utf-16-be' when the bytes look like UTF-16 text without a byte-order mark."""
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _strict(data: bytes, name: str, encoding: str, message: str, fix: str, start: int = 0) -> str:
    """Return the bytes decoded strictly, or refuse naming the row and column of the first bad byte."""
    try:
        return data[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        raise _refuse_at(data, name, start + exc.start, encoding, message, fix) from None
    except LookupError:
        raise refuse(name, f"names an unknown encoding {encoding!r}.",
                     "Give utf-8, gbk or gb18030 as the encoding, or leave it out to detect it.") from None


def _mixed_utf8(data: bytes, name: str) -> None:
    """Refuse a GB18030 reading of bytes that hold lines of UTF-8 Chinese text too (two encodings in one file).

    Each line is checked at most once, so a crafted file cannot make this quadratic.
    """
    pos = 0
    while m := _UTF8_CJK_RUN.search(data, pos):
        start = data.rfind(b"\n", 0, m.start()) + 1
        end = data.find(b"\n", m.end())
        end = len(data) if end < 0 else end
        try:
            is_utf8 = len(_CJK.findall(data[start:end].decode("utf-8"))) >= 2
        except UnicodeDecodeError:
            is_utf8 = False  # a GBK line whose bytes only happen to look like UTF-8 here
        if is_utf8:
            raise _refuse_at(data, name, m.start(), "gb18030", "this text is UTF-8, but the file before it is "
                             "GBK/GB18030: the file mixes two encodings", _ONE_ENCODING)
        pos = end + 1


def _detect(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding) of bytes without a byte-order mark: UTF-8, else GB18030 (covers GBK, GB2312)."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    # Bytes minus characters of the valid start = its multi-byte characters' extra bytes (no Python loop).
    if bad - len(data[:bad].decode("utf-8")) >= _UTF8_LEAD_BYTES:
        raise _refuse_at(data, name, bad, "utf-8", "the file is UTF-8 up to here, but these bytes are not UTF-8 "
                         "(GBK?): the file mixes two encodings", _ONE_ENCODING)
    text = _strict(data, name, "gb18030", "these bytes are neither UTF-8 nor GBK/GB18030 text",
                   "Save the file as CSV UTF-8, or give its encoding in the mapping (\"encoding\": \"gb18030\").")
    _mixed_utf8(data, name)
    _not_chinese(data, name)
    return text, "gb18030"


def _not_chinese(data: bytes, name: str) -> None:
    """Refuse bytes that only decode as GBK by accident: a Western (Windows-1252) or Big5/Shift-JIS file.

    Chinese text in GBK is nearly all GB2312 characters, whose second byte is A1–FE; an accented letter
    followed by an ASCII letter (é + s) decodes as a rare GBK character whose second byte is below A1.
    """
    sample = data[:_SAMPLE_BYTES]
    seconds = _GBK_PAIR.findall(sample)
    low = [m for m in seconds if m]
    if len(low) >= 5 and len(low) >= 0.3 * len(seconds):
        pos = next(m.start() for m in _GBK_PAIR.finditer(sample) if m.group(1))
        raise _refuse_at(data, name, pos, "gb18030", "the file is neither UTF-8 nor Chinese GBK text; it looks "
                         "like a Western (Windows-1252, Latin-1) or another Asian encoding",
                         "Save the file as CSV UTF-8 (in Excel: Save As → CSV UTF-8), then import it.")


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Return (text without a byte-order mark, encoding): the given one, else by BOM, else UTF-8, else GB18030.

    Refuses, naming the row and column, bytes that do not fit the encoding and files that mix encodings.
    """
    text, used = _decode(data, name, encoding)
    return text.removeprefix("\ufeff"), used


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Return (text, encoding) as decode does, the text perhaps still starting with a byte-order mark."""
    if encoding:
        return _strict(data, name, encoding, f"these bytes cannot be read as {encoding}",
                       "Check the encoding in the mapping (utf-8, gbk, gb18030) or leave it out to detect it."), encoding
    for bom, enc in _BOMS:
        if data.startswith(bom):
            declared = {"utf-8-sig": "UTF-8"}.get(enc, enc.upper())
            text = _strict(data, name, enc.replace("-sig", ""), f"the file starts with a {declared} byte-order "
                           f"mark, but these bytes are not {declared}: the file mixes two encodings",
                           _ONE_ENCODING, start=len(bom) if enc == "utf-8-sig" else 0)
            return text, enc
    wide = _utf16_without_bom(data[:4096])
    if wide:
        return _strict(data, name, wide, f"these bytes are not {wide.upper()} text", _ONE_ENCODING), wide
    return _detect(data, name)


def _valid_utf8(data: bytes) -> bool:
    """Return True when the bytes are valid UTF-8, checked by Arrow in place (no str of the file is built)."""
    offsets = pa.py_buffer(struct.pack("<qq", 0, len(data)))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _codec(encoding: str) -> str | None:
    """Return the codec name of an encoding given in a mapping (utf8 → utf-8), None when Python has no such codec."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def utf8_text(data: bytes, name: str, encoding: str | None = None) -> tuple[bytes, int, str]:
    """Return (UTF-8 bytes, where the text starts in them, encoding) of the text decode would return as str.

    A UTF-8 file, the common case, is checked in place and returned as it is, its byte-order mark skipped:
    no str of the whole file and no second copy of it. Any other encoding, and a file that is not valid
    UTF-8, goes through decode (which refuses bad bytes naming their row and column), re-encoded as UTF-8.
    """
    bom = b"\xef\xbb\xbf"
    marks = 0  # how many byte-order marks decode would drop: one by the codec or the detection, one more after
    if encoding is not None:
        codec = _codec(encoding)
        marks = 2 if codec == "utf-8-sig" else 1 if codec == "utf-8" else 0
        used = encoding
    elif data.startswith(bom):
        marks, used = 2, "utf-8-sig"
    elif not any(data.startswith(b) for b, _ in _BOMS) and not _utf16_without_bom(data[:4096]):
        marks, used = 1, "utf-8"
    if marks and _valid_utf8(data):
        start = 0
        for _ in range(marks):
            start += len(bom) if data.startswith(bom, start) else 0
        return data, start, used
    text, used = decode(data, name, encoding)
    return text.encode("utf-8"), 0, used


def normalise_newline_bytes(data: bytes) -> bytes:
    """Return UTF-8 bytes with line endings made LF, as normalise_newlines does to text (the same object if none)."""
    if b"\r" not in data:
        return data
    data = data.replace(b"\r\r\n", b"\n").replace(b"\r\n", b"\n")
    return data if b"\n" in data else data.replace(b"\r", b"\n")


def normalise_newlines(text: str) -> str:
    """Return the text with CRLF and CR-only line endings turned into LF.

    A lone CR is a line ending only in a file without LF (old Mac exports); in any other file it is part of
    a value and stays, so a cell reading "\r=1" is stored as written.
    """
    if "\r" not in text:
        return text
    # CR CR LF is CRLF written once more through a text-mode stream: one line break, not two.
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n")
    return text if "\n" in text else text.replace("\r", "\n")


def check_characters(text: str, name: str, delim: str | None) -> None:
    """Refuse text holding a NUL anywhere, or control characters near the top (binary data), naming where."""
    pos = text.find("\x00")
    if pos >= 0:
        row, col = locate(text, pos, delim)
        raise refuse(name, f"row {row}, {column_name(col)} holds a NUL byte: this is binary data or a damaged "
                           "export, not text.",
                     "Export the data again as CSV or Excel (.xlsx); if the value is real, remove the NUL character.",
                     row=row, column=column_ref(col), reason="holds a NUL byte (binary data or a damaged export)")
    m = _CONTROL.search(text, 0, 65536)
    if m:
        row, col = locate(text, m.start(), delim)
        raise refuse(name, f"is not a table: row {row}, {column_name(col)} holds the control character "
                           f"U+{ord(m.group()):04X}, as binary files do.",
                     "Export the data as CSV or Excel (.xlsx) and import that file.", row=row, column=column_ref(col),
                     reason=f"holds the control character U+{ord(m.group()):04X}")
