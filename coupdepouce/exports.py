"""Spreadsheet exports that cannot run formulas (CSV injection, OWASP).

A spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-` or `@` (and, in some
programs, a tab or a carriage return) as a formula: a backer named `=HYPERLINK("http://x")`
would put a link in a finance officer's sheet. Every CSV the project writes goes through
`safe_cell`, which prefixes such a text cell with a single quote, so it is shown as text.

- `safe_cell(value)`: one cell. Only text is changed: numbers (int, Decimal, float) are
  written as they are, so a negative amount stays a number a spreadsheet can add up.
  Exporters write money as numbers (Decimal), never as pre-formatted text.
- `writer(file, **options)`: a `csv.writer` whose rows go through `safe_cell`.
- `SafeCsvExportMixin`: for views built on Wagtail's `SpreadsheetExportMixin` (snippet and
  model listings with `list_export`, `ReportView`). Wagtail 8 already writes XLSX formula
  cells as text, but writes CSV cells as they are; this mixin applies `safe_cell` to each CSV
  cell, deciding on the value before Wagtail formats it (a number formatted "-12,50" stays a
  number).
"""

from __future__ import annotations

import csv
from decimal import Decimal

# What a spreadsheet may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_number(value) -> bool:
    """Numbers are written as numbers (True/False are not numbers here)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def safe_cell(value):
    """The value to write in a CSV cell: text that could run as a formula gets a leading `'`.

    None and numbers are returned unchanged; anything else is written as its text.
    """
    if value is None or is_number(value):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeWriter:
    """A `csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(file, **options) -> SafeWriter:
    return SafeWriter(file, **options)


class SafeCsvExportMixin:
    """Put before Wagtail's `SpreadsheetExportMixin` (or a view that has it): CSV cells are safe.

    The decision is taken on the raw value: a number stays as Wagtail formats it, any other
    value is formatted by Wagtail then passed through `safe_cell`.
    """

    def write_csv_row(self, writer, row_dict):
        cells = {}
        for field, value in row_dict.items():
            cell = self.preprocess_field_value(field, value, self.FORMAT_CSV)
            cells[field] = cell if is_number(value) else safe_cell(cell)
        return writer.writerow(cells)


__all__ = ["FORMULA_STARTS", "SafeCsvExportMixin", "SafeWriter", "is_number", "safe_cell", "writer"]
