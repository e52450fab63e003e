"""Heating accounts: import the company's customer master data, look callers up."""
from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import AccountPhone, HeatingAccount
from db.queries import accounts_with_phone
from common.phones import normalise_caller_id

COLUMNS = ("account_no", "name", "district", "compound", "building", "unit", "room", "phones")
#: optional columns: files without them import as before (and leave the field as it was)
OPTIONAL = ("fee_status",)
#: fee_status as the file may write it → the stored code (wire.FEE_STATUSES); empty: not known
FEE_WORDS = {"paid": "paid", "unpaid": "unpaid", "unknown": "unknown", "已交": "paid", "已交费": "paid",
             "未交": "unpaid", "未交费": "unpaid", "未知": "unknown"}
IMPORT_CHUNK = 500
#: accounts per transaction (Settings.import_batch): 2000 rows hold SQLite's write lock ~0.3 s (docs/stack-notes.md)
IMPORT_BATCH = 2000   # account numbers per look-up query (well under SQLite's bound-parameter limit)
LIMITS = {"account_no": 20, "name": 64, "district": 64, "compound": 64, "building": 16, "unit": 16,
          "room": 16}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    batches: int = 0
    #: the longest commit of a batch: SQLite's write lock is held from a batch's first write to it
    longest_commit_s: float = 0.0
    #: what the file was read as ("CSV (GB18030)", "XLSX"), how many data rows it held
    kind: str = ""
    rows: int = 0
    dry_run: bool = False
    #: written: no bad row and not a dry run
    imported: bool = False


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not UTF-8 or GB18030 text, not a workbook, wrong header)."""


#: the encodings a CSV may come in, tried in order: UTF-8 (with or without Excel's BOM), then GB18030 —
#: what Excel on a Chinese Windows saves "CSV" as (GBK and GB2312 are subsets of it)
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def _decoded(path: Path) -> tuple[str, str]:
    data = Path(path).read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{path} is not UTF-8 or GB18030 text; save it as CSV (UTF-8) or XLSX")


def _xlsx_value(v) -> str:
    """A cell as the text it shows: 20000001, not 20000001.0 (Excel stores numbers as floats)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """(header, [(line number, fields)], what the file is): a CSV in UTF-8 or GB18030, or the first sheet
    of an XLSX workbook (its row numbers as lines; empty rows left out)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise ImportFileError(f"{path} is not an XLSX workbook Excel saved: {exc}") from exc
        try:
            sheet = book.worksheets[0]
            rows = [(n, [_xlsx_value(v).strip() for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
        finally:
            book.close()
        rows = [(n, fields) for n, fields in rows if any(fields)]
        if not rows:
            return [], [], "XLSX"
        (_, header), body = rows[0], rows[1:]
        while header and not header[-1]:
            header.pop()
        return header, body, "XLSX"
    text, encoding = _decoded(path)
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    body = [(reader.line_num, fields) for fields in reader if any(f.strip() for f in fields)]
    return header, body, f"CSV ({'UTF-8' if encoding == 'utf-8-sig' else 'GB18030'})"


def _parse_row(row: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    values = {k: (row.get(k) or "").strip() for k in COLUMNS}
    for k in ("account_no", "name", "district", "compound", "building", "unit", "room"):
        if not values[k]:
            raise ValueError(f"{k} is empty")
        if len(values[k]) > LIMITS[k]:
            raise ValueError(f"{k} is longer than {LIMITS[k]} characters")
    if not values["account_no"].isdigit():
        raise ValueError(f"account_no '{values['account_no']}' is not all digits")
    if "fee_status" in row:
        fee = (row.get("fee_status") or "").strip()
        if fee and fee.lower() not in FEE_WORDS and fee not in FEE_WORDS:
            raise ValueError(f"fee_status '{fee}' is not paid, unpaid or unknown")
        values["fee_status"] = FEE_WORDS.get(fee.lower()) or FEE_WORDS.get(fee) if fee else None
    phones = []
    for raw in values.pop("phones").replace("；", ";").split(";"):
        if not raw.strip():
            continue
        digits = normalise_caller_id(raw)
        if not (7 <= len(digits) <= 12):
            raise ValueError(f"phone '{raw.strip()}' is not a phone number")
        if digits not in phones:
            phones.append(digits)
    return values, phones


def import_accounts(session: Session, path: Path, batch: int = IMPORT_BATCH,
                    progress: Callable[[int, int], None] | None = None, dry_run: bool = False) -> ImportReport:
    """Insert or update accounts from a CSV (UTF-8 or GB18030) or an XLSX workbook. Every row is
    checked first: with any bad row nothing is written (`errors`: each by line). Then committed every
    `batch` accounts (a re-run updates what an interrupted one committed: idempotent); `progress(done,
    total)` after each commit. `dry_run`: checked and counted (new, updated, unchanged), nothing written."""
    batch = max(1, int(batch))
    header, rows, kind = read_rows(path)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFileError(f"{path}: the header lacks {', '.join(missing)}; "
                              f"expected {','.join(COLUMNS)}")
    report = ImportReport(kind=kind, rows=len(rows), dry_run=dry_run)
    parsed: dict[str, tuple[dict[str, str], list[str]]] = {}
    for line, fields in rows:
        if len(fields) > len(header) and any(f.strip() for f in fields[len(header):]):
            report.errors.append((line, "more fields than the header"))
            continue
        try:
            values, phones = _parse_row(dict(zip(header, fields)))
        except ValueError as exc:
            report.errors.append((line, str(exc)))
            continue
        if values["account_no"] in parsed:
            report.errors.append((line, f"account_no {values['account_no']} repeats an earlier line"))
            continue
        parsed[values["account_no"]] = (values, phones)
    if report.errors and not dry_run:
        return report          # nothing half-imported: the admin fixes the file and runs it again
    # the company's master file runs to tens of thousands of accounts (a million in the benchmark):
    # look the existing ones up a chunk at a time, not a query per line, and commit every `batch`
    # rows — SQLite has one write lock, and the calls' writes queue behind whoever holds it (#26: the
    # whole file in one transaction held it 21.5 s for 100 k rows)
    numbers = list(parsed)
    for i in range(0, len(numbers), batch):
        # no autoflush: the batch's look-ups take no lock, its writes all go at the commit — the
        # write lock is held for the flush and commit alone (`longest_commit_s` measures it)
        with session.no_autoflush:
            for j in range(i, min(i + batch, len(numbers)), IMPORT_CHUNK):
                chunk = numbers[j:min(j + IMPORT_CHUNK, i + batch, len(numbers))]
                existing = {a.account_no: a for a in session.scalars(
                    select(HeatingAccount).where(HeatingAccount.account_no.in_(chunk))
                    .options(selectinload(HeatingAccount.phones)))}
                for no in chunk:
                    _upsert(session, existing.get(no), *parsed[no], report, write=not dry_run)
        started = time.monotonic()
        if dry_run:
            session.rollback()
        else:
            session.commit()
        session.expunge_all()     # a million rows never pile up in the session
        report.longest_commit_s = max(report.longest_commit_s, time.monotonic() - started)
        report.batches += 1
        if progress is not None:
            progress(min(i + batch, len(numbers)), len(numbers))
    report.imported = not dry_run
    return report


def _upsert(session: Session, acc: HeatingAccount | None, values: dict[str, str], phones: list[str],
            report: ImportReport, write: bool = True) -> None:
    if acc is None:
        report.created += 1
        if not write:
            return
        acc = HeatingAccount(**values)
        acc.phones = [AccountPhone(phone=p) for p in phones]
        session.add(acc)
        return
    changed = any(getattr(acc, k) != v for k, v in values.items()) or acc.phone_numbers != phones
    if not changed:
        report.unchanged += 1
        return
    report.updated += 1
    if not write:
        return
    for k, v in values.items():
        setattr(acc, k, v)
    keep = {p.phone: p for p in acc.phones}
    acc.phones = [keep.get(p) or AccountPhone(phone=p) for p in phones]


def find_by_phone(session: Session, phone: str) -> list[HeatingAccount]:
    digits = normalise_caller_id(phone)
    if not digits:
        return []
    return list(session.scalars(accounts_with_phone(digits)).unique())


def find_by_account_no(session: Session, account_no: str) -> HeatingAccount | None:
    return session.scalar(select(HeatingAccount).where(HeatingAccount.account_no == account_no.strip())
                          .options(selectinload(HeatingAccount.phones)))


def account_dict(acc: HeatingAccount) -> dict:
    return {"account_no": acc.account_no, "name": acc.name, "district": acc.district,
            "compound": acc.compound, "building": acc.building, "unit": acc.unit, "room": acc.room,
            "address": acc.address, "phones": acc.phone_numbers, "fee_status": acc.fee_status}
