"""Limits on reading an untrusted file, and how a refusal names the file, row and column it is about."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from csq.errors import InputRefused, RowError

MAX_CELL_CHARS = 32_767  # Excel's own limit on the text in one cell
MAX_COLUMNS = 500
HEADER_SCAN_LINES = 200  # the header row is looked for in this many lines at the top of a file
MAX_FILE_BYTES = 512 << 20  # some four million tickets; larger exports are split (by month, say)
MAX_SHEET_ROWS = 1_048_576  # Excel's own row limit
MAX_SHEET_CELLS = 30_000_000  # rows x columns that one sheet may span (the reader allocates the whole box)
MAX_UNZIPPED_BYTES = 2 << 30  # all members of an .xlsx together, uncompressed
MAX_ZIP_RATIO = 250  # uncompressed / compressed size of a member; a zip bomb is thousands
ZIP_RATIO_FROM_BYTES = 8 << 20  # small members may compress better than that without harm
MAX_ZIP_MEMBERS = 10_000
READ_SECONDS = 50  # wall time of one read; a whole import must stay well under a minute
READ_CPU_SECONDS = 50
READ_MEMORY_BYTES = 6 << 30  # address space of the reading process, on top of ...
READ_MEMORY_PER_BYTE = 12  # ... this many bytes per byte of the file


@dataclass(frozen=True)
class ReadLimits:
    """The limits one read of an untrusted file runs under (defaults: the constants above)."""

    max_cell_chars: int = MAX_CELL_CHARS
    max_columns: int = MAX_COLUMNS
    header_scan_lines: int = HEADER_SCAN_LINES
    max_file_bytes: int = MAX_FILE_BYTES
    max_sheet_rows: int = MAX_SHEET_ROWS
    max_sheet_cells: int = MAX_SHEET_CELLS
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
    max_zip_ratio: int = MAX_ZIP_RATIO
    max_zip_members: int = MAX_ZIP_MEMBERS
    seconds: float = READ_SECONDS
    cpu_seconds: int = READ_CPU_SECONDS
    memory_bytes: int = READ_MEMORY_BYTES
    memory_per_byte: int = READ_MEMORY_PER_BYTE

    def memory_for(self, size: int) -> int:
        """Return the address-space limit (bytes) of the process reading a file of `size` bytes."""
        return self.memory_bytes + self.memory_per_byte * size

    def as_dict(self) -> dict[str, float]:
        """Return the limits as a JSON object (what the reading process is told)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> ReadLimits:
        """Return the limits a JSON object describes (unknown keys ignored)."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})  # type: ignore[arg-type]


DEFAULT_LIMITS = ReadLimits()


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Return the 0-based column index of spreadsheet letters (A → 0, XFD → 16383)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_ref(index: int, header: str | None = None) -> str:
    """Return the column of a RowError: its header when known, else its letter (as the import report names it)."""
    return header or column_letter(index)


def column_name(index: int, header: str | None = None) -> str:
    """Return how a message names a column: 'column C (3)', with its header when known."""
    text = f"column {column_letter(index)} ({index + 1})"
    return f"{text} '{header}'" if header else text


def refuse(name: str, message: str, fix: str, *, row: int | None = None, column: str | None = None,
           reason: str | None = None) -> InputRefused:
    """Return the refusal of a whole file: what is wrong and where (the message names it), and what to do.

    With a row or column the refusal also carries them, and the reason without them, as a RowError: the
    row and column of the import report (SPEC §6).
    """
    errors = [RowError(row, column, reason or message)] if row or column else []
    return InputRefused(f"{name}: {message}", fix, errors=errors, file=name)
