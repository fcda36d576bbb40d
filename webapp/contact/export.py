"""Submissions written out as CSV (safe to open in a spreadsheet) or JSON: `flask submissions
export` and the staff inbox's export both write through here."""

import csv
import json
from typing import IO, Iterable

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Neutralise a cell a spreadsheet would run as a formula (OWASP's advice: prefix a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write(out: IO[str], fmt: str, columns: tuple[str, ...], rows: Iterable[dict]) -> int:
    """Write `rows` (only `columns`, in that order) as "csv" or "json"; returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([spreadsheet_safe(row[c]) for c in columns])
            count += 1
        return count
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps({c: row[c] for c in columns}, ensure_ascii=False, indent=2))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
