"""#27 — the report as the customer prints it: the synthetic day of test_unit_reports as an A4 PDF
whose every font is embedded, the customer's three sections first, the signature state in its
title, masked phone numbers, stored text shown as text; rendered to PNG by pdftoppm as a reader
would see it. The desk's download (the file's bytes) and the CLI's --pdf are the same export."""
from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from conftest import require_tool
from db.models import AnomalyRecord, AnomalyType, AuditEntry, Category, Ticket
from hotline import cli
from hotline.aftercall.reports.pdf import write_pdf
from test_unit_reports import DAY, NEXT, QUEUE_LOG, at, day  # noqa: F401  (day: the synthetic day's fixture)


def pdf_text(path: Path) -> str:
    return subprocess.run([require_tool("pdftotext", "poppler-utils"), "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def fonts(path: Path) -> list[list[str]]:
    out = subprocess.run([require_tool("pdffonts", "poppler-utils"), str(path)], capture_output=True, text=True,
                         check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def rendered_pages(path: Path, tmp: Path) -> list[Path]:
    subprocess.run([require_tool("pdftoppm", "poppler-utils"), "-png", "-r", "50", str(path), str(tmp / "page")],
                   check=True, capture_output=True, timeout=60)
    return sorted(tmp.glob("page-*.png"))


def test_the_daily_pdf_is_a4_chinese_with_every_font_embedded_and_the_customers_sections_first(day, tmp_path):  # noqa: F811
    reports, sessions, _c, who, _ = day
    path = tmp_path / "日报.pdf"
    reports.export_pdf(who["1101"], "daily", DAY, path)
    assert path.read_bytes().startswith(b"%PDF")
    used = fonts(path)
    assert used and all(row[-5] == "yes" for row in used), used           # emb: every font travels with the file
    assert all("WenQuanYi" in row[0] for row in used)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    text = pdf_text(path)
    order = [text.index(h) for h in ("一、每日报修情况", "二、每日报修完成情况", "三、每日回访情况", "四、异常事件与投诉",
                                     "六、话务", "七、语音导航", "八、座席", "九、维修站", "十、热点",
                                     "首次解决与重复来电率", "十一、核对与差异")]
    assert order == sorted(order)
    assert "报表日 2026-11-23" in text and "未签核" in text
    assert "13912345678" not in text and "139******78" in text           # the complaint's note and the repeat caller
    assert "已致歉,重新派单" in text and "兴华北街" in text
    assert "÷ 进线总数" in text                                            # the service level's formula beside it
    assert "在哪一步挂机" in text and "待定(目前" in text                    # first-call resolution: not 3 days old yet
    pages = rendered_pages(path, tmp_path)
    assert len(pages) >= 2 and all(p.stat().st_size > 10_000 for p in pages)
    with sessions() as db:
        audit = db.scalar(select(AuditEntry).where(AuditEntry.action == "report_export"))
        assert audit.actor == "1101" and audit.detail == {"format": "pdf"}


def test_a_signed_day_prints_who_signed_when_and_the_hash_and_what_changed_since(day, tmp_path):  # noqa: F811
    reports, sessions, clock, who, _ = day
    clock.now = at(9, base=NEXT)
    signed = reports.sign(who["1201"], DAY)["signed"]
    reports.export_pdf(None, "daily", DAY, tmp_path / "a.pdf")
    text = pdf_text(tmp_path / "a.pdf")
    assert "已签核" in text and "未签核" not in text and signed["sha256"] in text.replace("\n", "").replace(" ", "")
    with sessions() as db, db.begin():                          # a correction after the signature
        db.scalar(select(Ticket).where(Ticket.category == Category.no_heat).order_by(Ticket.id)).category = \
            Category.leak
    reports.export_pdf(None, "daily", DAY, tmp_path / "b.pdf")
    text = pdf_text(tmp_path / "b.pdf")
    assert "签核后有" in text and "tickets.by_problem.no_heat" in text


def test_stored_text_is_printed_as_text_never_as_markup(day, tmp_path):  # noqa: F811
    reports, sessions, *_ = day
    with sessions() as db, db.begin():
        db.scalar(select(AnomalyRecord).where(AnomalyRecord.type == AnomalyType.complaint_technician)).note = \
            '<font size="40">大字</font> & <b>粗</b>\x1b[31m'
    reports.export_pdf(None, "daily", DAY, tmp_path / "c.pdf")
    text = pdf_text(tmp_path / "c.pdf")
    assert '<font size="40">大字</font>' in text and "<b>粗</b>" in text and "\\e[31m" in text


def test_a_week_prints_as_the_sum_of_its_days_and_names_the_unsigned_ones(day, tmp_path):  # noqa: F811
    reports, _s, clock, who, _ = day
    clock.now = at(9, base=NEXT)
    reports.sign(who["1201"], DAY)
    out = io.BytesIO()
    r = reports.export(who["1201"], "weekly", DAY, "pdf", out)
    (tmp_path / "w.pdf").write_bytes(out.getvalue())
    text = pdf_text(tmp_path / "w.pdf")
    assert "周报" in text and "2026-11-23 至 2026-11-29" in text and "已签核 1 天" in text and "2026-11-24" in text
    assert r["days_unsigned"] == ["2026-11-24"]


def test_the_desks_download_is_the_files_bytes_and_is_audited(day):  # noqa: F811
    reports, sessions, _c, who, _ = day
    _r, data = reports.export_bytes(who["1101"], "daily", DAY, "xlsx")
    assert data[:2] == b"PK"                                    # a zip: the workbook
    _r, data = reports.export_bytes(who["1101"], "daily", DAY, "pdf")
    assert data.startswith(b"%PDF")
    with sessions() as db:
        formats = [a.detail for a in db.scalars(select(AuditEntry).where(AuditEntry.action == "report_export"))]
    assert formats == [{"format": "xlsx"}, {"format": "pdf"}]


def test_an_empty_day_still_prints(day, tmp_path):  # noqa: F811
    reports, *_ = day
    r = reports.daily(None, DAY.replace(day=1))
    write_pdf(r, tmp_path / "empty.pdf")
    assert "(无)" in pdf_text(tmp_path / "empty.pdf")


def test_hotline_report_daily_pdf(day):  # noqa: F811
    _r, _s, _c, _w, tmp = day
    home = tmp / "home"
    (home / "asterisk" / "log").mkdir(parents=True)
    (home / "asterisk" / "log" / "queue_log").write_text("\n".join(QUEUE_LOG) + "\n")
    env = {"HOTLINE_HOME": str(home), "HOTLINE_DB_URL": f"sqlite:///{tmp / 'r.db'}", "HOTLINE_TODAY": "2026-11-24T09:00"}
    run = lambda *argv: CliRunner().invoke(cli.app, ["report", *argv], env=env)
    got = run("daily", "--date", "2026-11-23", "--pdf", str(tmp / "d.pdf"), "--xlsx", str(tmp / "d.xlsx"))
    assert got.exit_code == 0, got.output
    assert (tmp / "d.pdf").read_bytes().startswith(b"%PDF") and (tmp / "d.xlsx").exists()
    assert "一、报修受理" in got.output
    got = run("monthly", "--date", "2026-11-23", "--pdf", str(tmp / "m.pdf"))
    assert got.exit_code == 0 and "月报" in pdf_text(tmp / "m.pdf")
    assert run("daily", "--date", "2026-11-23", "--signed", "--pdf", str(tmp / "x.pdf")).exit_code == 2
