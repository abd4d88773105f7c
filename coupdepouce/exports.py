"""Spreadsheet exports a French office can open, and that cannot run formulas.

The format rules, written once; every CSV and XLSX export of the project uses them.

Exporters give typed values (text, numbers, `euros_cell(cents)`, datetimes, dates, booleans,
lists); the writers format them:

- CSV (`FrenchCsvWriter`, `csv_text`, `csv_text_document`): `;` between columns and a decimal comma (what French
  Excel and LibreOffice expect), euros with two decimals (`25,50`), times in the site's time
  zone (Europe/Paris) as `06/12/2026 21:30`, dates as `06/12/2026`, booleans as Oui / Non,
  UTF-8 with a byte order mark so Excel reads accents right.
- XLSX (`xlsx_cell`, `xlsx_bytes`): numbers stay numbers (euros with a euro number format), datetimes are
  dates in the site's time zone (a spreadsheet has no time zones), dates are dates.
- Formula cells (CSV injection, OWASP): a spreadsheet opening a CSV runs a cell that starts
  with `=`, `+`, `-` or `@` (and, in some programs, a tab or a carriage return) as a formula:
  a backer named `=HYPERLINK("http://x")` would put a link in a finance officer's sheet.
  `safe_cell` prefixes such a text cell with a single quote, so it is shown as text. Only
  text is changed: numbers are written as numbers, so a negative amount stays a number.
  (Wagtail 8 already writes XLSX cells that look like formulas as text; `xlsx_cell` keeps that.)
- `FrenchSpreadsheetMixin`: for views built on Wagtail's `SpreadsheetExportMixin` (snippet
  and model listings with `list_export`, `ReportView`): both formats above, headings from
  `export_headings` (translated), rows from `to_row_dict` (typed values, formatted here).
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from wagtail.admin.views.mixins import Echo

# What a spreadsheet may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_DELIMITER = ";"
BOM = "\ufeff"  # UTF-8 byte order mark: Excel then reads the file as UTF-8
CSV_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
CSV_DATE_FORMAT = "%d/%m/%Y"
XLSX_EUROS_FORMAT = '#,##0.00 "€"'
XLSX_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
XLSX_DATE_FORMAT = "dd/mm/yyyy"


class Euros(Decimal):
    """An amount in euros (a number): two decimals in CSV, the euro number format in XLSX."""

    __slots__ = ()


def euros_cell(cents) -> Euros | None:
    """Integer cents as an exact euro amount: 2550 → Euros("25.50"); None stays None."""
    if cents is None:
        return None
    return Euros(Decimal(int(cents)).scaleb(-2))


def local_datetime_cell(value: datetime.datetime | None) -> datetime.datetime | None:
    """An aware datetime as the naive wall-clock time of the site's time zone (Europe/Paris)."""
    if value is None:
        return None
    if timezone.is_aware(value):
        return timezone.make_naive(value, timezone.get_default_timezone())
    return value


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


def _decimal_comma(value) -> str:
    """2 decimals and a decimal comma, no thousands separator: "-1234,50" (read as a number)."""
    return f"{value:.2f}".replace(".", ",")


def _yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def _join(values) -> str:
    return ", ".join(str(value) for value in values)


def csv_text(value) -> str:
    """One CSV cell, in French format; text that could run as a formula is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (Decimal, float)):
        return _decimal_comma(value)
    if isinstance(value, datetime.datetime):
        return local_datetime_cell(value).strftime(CSV_DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.strftime(CSV_DATE_FORMAT)
    if isinstance(value, (list, tuple)):
        value = _join(value)
    return safe_cell(value)


def xlsx_value(value) -> tuple[object, str | None]:
    """(cell value, number format or None) of one XLSX cell: numbers and dates keep their type."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return _yes_no(value), None
    if isinstance(value, Euros):
        return Decimal(value), XLSX_EUROS_FORMAT
    if is_number(value):
        return value, None
    if isinstance(value, datetime.datetime):
        return local_datetime_cell(value), XLSX_DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return value, XLSX_DATE_FORMAT
    if isinstance(value, (list, tuple)):
        return _join(value), None
    return str(value), None


def xlsx_cell(worksheet, value) -> WriteOnlyCell:
    """A write-only openpyxl cell for `value`; text is never a formula."""
    cell_value, number_format = xlsx_value(value)
    cell = WriteOnlyCell(worksheet, cell_value)
    if cell.data_type == "f":
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def xlsx_bytes(rows, *, title="Sheet1") -> bytes:
    """An XLSX workbook of one sheet: `rows` (the first is the heading row), cells by `xlsx_cell`."""
    workbook = Workbook(write_only=True, iso_dates=True)
    sheet = workbook.create_sheet(title=title)
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_text_document(rows) -> str:
    """A French CSV document (BOM first) of `rows` (the first is the heading row)."""
    out = io.StringIO()
    writer = FrenchCsvWriter(out)
    writer.write_bom()
    writer.writerows(rows)
    return out.getvalue()


class FrenchCsvWriter:
    """A `csv.writer` in French format: `;`, every cell through `csv_text`.

    `write_bom()` first (once per file); `writerow` returns what the file's `write` returns
    (bytes with Wagtail's `Echo`, for streaming responses).
    """

    def __init__(self, file):
        self._file = file
        self._writer = csv.writer(file, delimiter=CSV_DELIMITER)

    def write_bom(self):
        return self._file.write(BOM)

    def writerow(self, row):
        return self._writer.writerow([csv_text(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class FrenchSpreadsheetMixin:
    """Put before Wagtail's `SpreadsheetExportMixin` (or a view that has it): French CSV, typed XLSX.

    `to_row_dict` gives typed values (Wagtail's default gives the attributes named in
    `list_export`); this mixin formats them (`csv_text`, `xlsx_cell`), in place of Wagtail's
    per-value preprocessing.
    """

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(list(row_dict.values()))

    def stream_csv(self, queryset):
        writer = FrenchCsvWriter(Echo())
        yield writer.write_bom()
        yield writer.writerow([self.get_heading(queryset, name) for name in self.list_export])
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))

    def write_csv_response(self, queryset):
        response = StreamingHttpResponse(self.stream_csv(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.csv"'
        return response

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for value in row_dict.values():
            yield xlsx_cell(worksheet, value)


__all__ = [
    "BOM",
    "CSV_DELIMITER",
    "FORMULA_STARTS",
    "Euros",
    "FrenchCsvWriter",
    "FrenchSpreadsheetMixin",
    "csv_text",
    "csv_text_document",
    "euros_cell",
    "is_number",
    "local_datetime_cell",
    "safe_cell",
    "xlsx_bytes",
    "xlsx_cell",
    "xlsx_value",
]
