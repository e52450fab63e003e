"""#29 — accounts import as the company's files come: CSV in UTF-8 (with or without Excel's BOM) or
GB18030 (what Excel saves "CSV" as on a Chinese Windows), or an XLSX workbook; every bad row named by
its line and nothing half-imported; --dry-run checks and counts without writing."""
from __future__ import annotations

import json

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from typer.testing import CliRunner

from db.models import HeatingAccount
from db.session import make_engine, session_factory
from hotline.admin import command
from hotline.cli import app

HEADER = "account_no,name,district,compound,building,unit,room,phones\n"
runner = CliRunner()


@pytest.fixture
def env(tmp_path):
    return {"HOTLINE_HOME": str(tmp_path / "home"), "HOTLINE_DB_URL": f"sqlite:///{tmp_path / 'h.db'}"}


def _accounts(env) -> dict[str, HeatingAccount]:
    with session_factory(make_engine(env["HOTLINE_DB_URL"]))() as db:
        return {a.account_no: a for a in db.scalars(select(HeatingAccount).options(selectinload(HeatingAccount.phones)))}


def _import(env, *argv):
    return runner.invoke(app, ["accounts", "import", *map(str, argv)], env=env)


def test_a_gb18030_file_with_two_bad_rows_imports_nothing_and_names_both_rows(env, tmp_path):
    f = tmp_path / "住户.csv"
    f.write_bytes((HEADER + "20000001,王伟,铁西区,阳光花园,3,2,501,13800138000\n"
                   "20000002,李娜,和平区,幸福里,12,1,302,电话未知\n"          # line 3: no phone number
                   "20000003,张敏,沈河区,锦绣家园,5,3,1201,13600136000\n"
                   ",赵强,沈河区,锦绣家园,5,3,1202,13500135000\n").encode("gb18030"))   # line 5: no 户号
    got = _import(env, f)
    assert got.exit_code == 2
    assert f"{f}:3: phone '电话未知' is not a phone number" in got.output
    assert f"{f}:5: account_no is empty" in got.output
    assert "2 bad row(s) of 4: nothing imported" in got.output and "GB18030" in got.output
    assert _accounts(env) == {}


def test_a_gb18030_file_imports_its_chinese_as_written(env, tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes((HEADER + "20000001,王伟,铁西区,阳光花园,3,2,501,13800138000\n").encode("gb18030"))
    got = _import(env, "--json", f)
    assert got.exit_code == 0, got.output
    assert json.loads(got.output)["read_as"] == "CSV (GB18030)"
    acc = _accounts(env)["20000001"]
    assert (acc.name, acc.address) == ("王伟", "铁西区阳光花园3号楼2单元501室")


def test_a_utf8_file_with_excels_bom_imports(env, tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes(b"\xef\xbb\xbf" + (HEADER + "20000001,王伟,铁西区,阳光花园,3,2,501,13800138000\n").encode("utf-8"))
    got = _import(env, "--json", f)
    assert got.exit_code == 0 and json.loads(got.output)["read_as"] == "CSV (UTF-8)"
    assert _accounts(env)["20000001"].name == "王伟"


def test_an_xlsx_workbook_imports_with_numbers_as_excel_shows_them(env, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(",") + ["fee_status"])
    sheet.append([20000001, "王伟", "铁西区", "阳光花园", 3, 2, 501, 13800138000, "已交"])   # numbers, as typed in Excel
    sheet.append([20000002.0, "李娜", "和平区", "幸福里", "12", "1", "302", "13900139000;024-25610001", "未交"])
    sheet.append([None] * 9)                                                                 # an empty row
    f = tmp_path / "accounts.xlsx"
    book.save(f)
    got = _import(env, f)
    assert got.exit_code == 0, got.output
    assert "2 new" in got.output and "XLSX" in got.output
    accounts = _accounts(env)
    assert accounts["20000001"].phone_numbers == ["13800138000"] and accounts["20000001"].room == "501"
    assert accounts["20000002"].phone_numbers == ["13900139000", "02425610001"]
    assert accounts["20000002"].fee_status == "unpaid"


def test_an_xlsx_workbook_names_its_bad_rows_by_row_number(env, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append([20000001, "王伟", "铁西区", "阳光花园", 3, 2, 501, 13800138000])
    book.active.append(["2000000X", "李娜", "和平区", "幸福里", 12, 1, 302, 13900139000])
    f = tmp_path / "accounts.xlsx"
    book.save(f)
    got = _import(env, f)
    assert got.exit_code == 2 and f"{f}:3: account_no '2000000X' is not all digits" in got.output
    assert _accounts(env) == {}


def test_dry_run_counts_what_would_change_and_writes_nothing(env, tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(HEADER + "20000001,王伟,铁西区,阳光花园,3,2,501,13800138000\n", encoding="utf-8")
    assert _import(env, f).exit_code == 0
    f.write_text(HEADER + "20000001,王伟,铁西区,阳光花园,3,2,502,13800138000\n"
                 "20000002,李娜,和平区,幸福里,12,1,302,13900139000\n", encoding="utf-8")
    got = _import(env, "--dry-run", f)
    assert got.exit_code == 0 and "1 new, 1 updated, 0 unchanged; nothing written" in got.output
    assert set(_accounts(env)) == {"20000001"} and _accounts(env)["20000001"].room == "501"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "20000003,张敏,沈河区,锦绣家园,5,3,1201,abc\n", encoding="utf-8")
    got = _import(env, "--dry-run", "--json", bad)
    assert got.exit_code == 2 and json.loads(got.output)["errors"] == [{"line": 2, "reason": "phone 'abc' is not a phone number"}]
    with session_factory(make_engine(env["HOTLINE_DB_URL"]))() as db:
        assert db.scalar(select(func.count()).select_from(HeatingAccount)) == 1


def test_a_file_neither_utf8_nor_gb18030_nor_a_workbook_is_one_clear_line(env, tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes(HEADER.encode() + b"1,\xff\xfe\xff\n")
    got = _import(env, f)
    assert got.exit_code == 1 and "not UTF-8 or GB18030" in got.output
    x = tmp_path / "a.xlsx"
    x.write_bytes(b"not a zip")
    got = _import(env, x)
    assert got.exit_code == 1 and "not an XLSX workbook" in got.output


def test_progress_bars_are_for_a_person_at_a_terminal_only(monkeypatch):
    monkeypatch.setattr(command.sys.stdout, "isatty", lambda: False, raising=False)
    assert not command.on_terminal()
    with command.progress_bar(command.on_terminal(), "x") as shown:
        assert shown is None
