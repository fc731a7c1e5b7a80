"""Reading one tracker cell as the value its column holds, or saying in words why it cannot be.

Only the form of the value is checked here (a real date, one date, a number, a known code): the
rules on the value (bounds, date order, what goes with what) are the models', run by the services.
Nothing is guessed: two-digit years, several dates in one cell and unknown words are refused.
"""

from __future__ import annotations

import datetime as dt
import re

from cases.imports import columns as col

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([A-Za-z]+)\.?[\s\-,]+(\d{2,4})$")
# Something that looks like a date, to find a cell holding more than one.
DATE_LIKE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?[\s\-]+[A-Za-z]{3,9}\.?[\s\-,]+\d{2,4}"
)
LIST_SEPARATORS = re.compile(r"[;,\n]+|\s+and\s+|\s+&\s+")


class CellError(ValueError):
    """A cell's value is not of its column's kind; the message is for the uploader."""


def parse_date(text: str) -> dt.date:
    """One date written as 14/03/2021, 14-03-2021, 2021-03-14 or 14 March 2021 (UK day first)."""
    text = text.strip()
    found = DATE_LIKE.findall(text)
    if len(found) > 1:
        raise CellError(
            f"holds {len(found)} dates ({' and '.join(found)}): a cell of this column takes one date. "
            "Put the right date in the cell"
        )
    if match := ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := NUMERIC.match(text):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) != 4:
            raise CellError(f"'{text}' has a two-digit year: write the year in full (e.g. 14/03/2021)")
    elif match := WORDS.match(text):
        day, year = int(match.group(1)), int(match.group(3))
        month = MONTHS.get(match.group(2).lower())
        if month is None:
            raise CellError(f"'{text}' is not a date: write it as 14/03/2021")
        if len(match.group(3)) != 4:
            raise CellError(f"'{text}' has a two-digit year: write the year in full (e.g. 14 March 2021)")
    else:
        raise CellError(f"'{text}' is not a date: write it as 14/03/2021")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"'{text}' is not a real date") from None


def parse_dates(text: str) -> list[dt.date]:
    """A list column: each date in the cell, in the order written."""
    parts = [part for part in LIST_SEPARATORS.split(text.strip()) if part.strip()]
    return [parse_date(part) for part in parts]


def parse_bool(text: str, *, saved: dict[str, str] | None = None) -> bool | None:
    """Yes/no words ("Y", "Yes", "1", "No", ...); "Not known" is None."""
    raw = text.strip()
    if saved and raw in saved:
        raw = saved[raw]
    word = raw.lower()
    if word in col.YES:
        return True
    if word in col.NO:
        return False
    if word in col.NOT_KNOWN:
        return None
    raise CellError(f"'{text.strip()}' is not yes or no: write Yes, No or Not known")


def parse_count(text: str) -> int:
    """A whole number (a count of meetings held)."""
    raw = text.strip()
    if re.fullmatch(r"\d+(?:\.0+)?", raw):
        return int(float(raw))
    raise CellError(f"'{raw}' is not a whole number")


def parse_id(text: str) -> str:
    """An LA's reference, kept as text exactly as written (leading zeros included), trimmed."""
    return text.strip()


def parse_cell(target: col.Target, text: str, *, saved: dict[str, str] | None = None):
    """The value of one non-empty cell for ``target``, or CellError."""
    if target.kind in (col.DATE, col.HEARING):
        return parse_date(text)
    if target.kind == col.DATES:
        return parse_dates(text)
    if target.kind == col.BOOL:
        return parse_bool(text, saved=saved)
    if target.kind == col.COUNT:
        return parse_count(text)
    if target.kind == col.CODE:
        code = col.code_for(target, text, saved)
        if code is None:
            allowed = ", ".join(f"{value} ({label})" for value, label in target.choices if value)
            raise CellError(f"'{text.strip()}' is not a known code for {target.label}: map it to one of {allowed}")
        return code
    if target.kind == col.ID:
        return parse_id(text)
    return text.strip()
