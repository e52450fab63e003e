"""The daily report's `qa` section (hotline.aftercall.reports.figures): the day's sample, the checks
made of its calls, passed, and the findings by type — counts only; the pass rate is derived
(figures.finish), so a week is the sum of its days."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common import wire
from db.models import QaCheck, QaPeerListen, QaSample

#: checks of sampled calls (a confirmed proposal is a finding, not a check of a call)
CALL_CHECKS = ("lead", "head")


def qa_section(db: Session, day: str) -> dict:
    checks = list(db.execute(select(QaCheck.passed, QaCheck.findings).where(QaCheck.day == day,
                                                                            QaCheck.kind.in_(CALL_CHECKS))))
    found = Counter(f for _p, fs in db.execute(select(QaCheck.passed, QaCheck.findings).where(QaCheck.day == day))
                    for f in (fs or []))
    sample = db.scalar(select(func.count(QaSample.id)).where(QaSample.day == day, QaSample.kind != "weekly")) or 0
    listened = db.scalar(select(func.count(QaPeerListen.id)).where(QaPeerListen.day == day,
                                                                   QaPeerListen.listened_at.is_not(None))) or 0
    return {"sample_size": sample, "checked": len(checks), "passed": sum(bool(p) for p, _f in checks),
            "findings": {k: found.get(k, 0) for k in wire.QA_FINDINGS}, "peer_listened": listened}
