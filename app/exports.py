"""Spreadsheets that cannot run code. A cell of user text beginning with =, +, -, @, a tab or
a carriage return is written with a leading apostrophe (OWASP's advice on CSV injection), so
Excel and LibreOffice show it as text, never as a formula. Numbers, text that is a plain
number such as "-12.50", and a lone "-" for "none", stay as they are."""

import csv

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def safe_cell(value):
    if isinstance(value, str) and value.startswith(DANGEROUS) and not _is_number(value) and value.strip("-"):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _SafeDictWriter(csv.DictWriter):
    def writerow(self, rowdict):
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):  # csv.DictWriter's own writerows would skip writerow
        for rowdict in rowdicts:
            self.writerow(rowdict)


def csv_writer(buffer) -> _SafeWriter:
    """``csv.writer`` whose every cell is made safe."""
    return _SafeWriter(csv.writer(buffer))


def csv_dict_writer(buffer, fieldnames) -> csv.DictWriter:
    return _SafeDictWriter(buffer, fieldnames=fieldnames)
