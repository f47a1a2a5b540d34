"""Staff exports as Excel workbooks (``.xlsx``) whose every cell is text.

    write_xlsx(casework.export(date(2020, 9, 26), "ktp-el-baru"), Path("~/ekspor.xlsx"))

Excel reads a 16-digit NIK or KK number in a CSV as a number, shows it as
``3.32201E+15`` and keeps only 15 significant digits (the last digit becomes 0). A
workbook can say what each cell is: here every cell is a string with the number
format ``@`` (Text), so NIK, KK, phone numbers with ``+62`` and codes stay exactly as
stored, and a date typed by a resident stays the text they typed.

The same safety as :func:`chalicelib.casework.write_csv`: the file is 0600, written
atomically, never inside a forbidden folder; a cell that a spreadsheet would run as a
formula (``=``, ``@``, ``+``, ``-``) is stored as a string with Excel's *quote prefix*
(the hidden apostrophe), so it is shown as typed and stays text even when edited.

openpyxl is a dependency of the staff commands only: the Lambda never imports this.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .casework import _FORMULA_START, _private_dirs, check_destination
from .private_files import write_private

if TYPE_CHECKING:
    from .casework import Export

__all__ = ["TEXT_FORMAT", "write_xlsx"]

log = logging.getLogger("dukcapil.casework")

TEXT_FORMAT = "@"
"""Excel's number format "Text"."""

MAX_COLUMN_WIDTH = 60
SHEET_TITLE_MAX = 31  # Excel's limit


def write_xlsx(export: Export, path: Path, *, forbidden: Iterable[Path] = ()) -> Path:
    """Write an export as an Excel workbook with text cells; return the file's path.

    One sheet named after the form, a bold header row that stays in view, a filter on
    every column, widths fitted to the contents.

    Raises
    ------
    UnsafeDestination
        ``path`` is inside a forbidden folder.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    target = check_destination(path, forbidden)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = export.form_id[:SHEET_TITLE_MAX] or "ekspor"
    widths = [len(column) for column in export.columns]
    for row_index, row in enumerate([export.columns, *export.rows], start=1):
        for column_index, value in enumerate(row, start=1):
            text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell = sheet.cell(row=row_index, column=column_index)
            cell.value = text
            cell.data_type = "s"  # never a formula, never a number
            cell.number_format = TEXT_FORMAT
            if text.startswith(_FORMULA_START):
                cell.quotePrefix = True
            if row_index == 1:
                cell.font = Font(bold=True)
            if column_index <= len(widths):
                widths[column_index - 1] = max(widths[column_index - 1], len(text))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    if export.columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(export.columns))}{len(export.rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    _private_dirs(target.parent, target.parent)
    write_private(target, buffer.getvalue())
    log.info("export xlsx form=%s rows=%d", export.form_id, len(export.rows))
    return target
