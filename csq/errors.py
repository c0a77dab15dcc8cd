"""Typed errors: each says what is wrong, where, and what to do about it."""
from __future__ import annotations

from dataclasses import dataclass


class CsqError(Exception):
    """Base of every error csq raises on purpose; carries a fix for the user."""

    exit_code = 1

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} {self.fix}".strip() if self.fix else self.message


@dataclass(frozen=True)
class RowError:
    """One validation problem: source row (1-based, header is row 1 of the table), column, reason."""

    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        """Return the error as the JSON object of SPEC §6."""
        return {"row": self.row, "column": self.column, "message": self.message}


class InputRefused(CsqError):
    """The input was refused as a whole; nothing was written (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str, fix: str = "", errors: list[RowError] | None = None,
                 file: str | None = None) -> None:
        super().__init__(message, fix)
        self.errors: list[RowError] = list(errors or [])
        self.file = file


class StoreBusy(CsqError):
    """Another process holds the store's write lock; nothing was written (exit code 3)."""

    exit_code = 3


class NotAllowed(CsqError):
    """The user's role may not do this."""

    exit_code = 2


class NotFound(CsqError):
    """A named thing (batch, preset, action) does not exist."""

    exit_code = 2



class NotSent(CsqError):
    """A message was not delivered: the mail server or webhook refused it or could not be reached (exit 1)."""

    exit_code = 1
