"""The 报表 tab's models: the report's sections as the customer reads them (每日报修情况, 完成情况,
回访情况, 异常与投诉, 回电, 话务), each a list of figure rows — its words, its value as a person reads it,
the formula as a tooltip, the figure (and bucket) it drills into, and whether it changed since the
day was signed — and the report's tables (agents, the stations' league table, complaints, hot spots,
disagreements, differences, the drilled repairs and calls). Read-only lists of the API's dicts,
like desktop.models.tables; nothing here computes a figure: the server's JSON is shown as it is."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QColor

from desktop.models.aftercall import callback_reason_label, short_time
from desktop.models.labels import CATEGORY_ORDER, anomaly_label, anomaly_state_label, category_label, state_label
from desktop.models.tables import _RowsModel
from desktop.state.reports import differing_figures, differs

CONTEXT = "Reports"
# a figure that changed since the day was signed: amber, like the desk's other warnings
CHANGED_BG, CHANGED_FG = QColor("#fef3c7"), QColor("#78350f")
# a figure that opens the repairs or calls behind it
DRILL_FG = QColor("#1d4ed8")
# a disagreement between the queue_log and the call records: red-ish
DISAGREE_BG, DISAGREE_FG = QColor("#fde2e2"), QColor("#7f1d1d")

CHANNEL_WORDS = {"ivr": QT_TRANSLATE_NOOP("Reports", "语音自助"), "agent": QT_TRANSLATE_NOOP("Reports", "座席受理"),
                 "after_hours": QT_TRANSLATE_NOOP("Reports", "非工作时间留言"),
                 "callback": QT_TRANSLATE_NOOP("Reports", "回电")}
AGE_WORDS = {"lt_4h": QT_TRANSLATE_NOOP("Reports", "4小时内"), "4h_24h": QT_TRANSLATE_NOOP("Reports", "4–24小时"),
             "1d_3d": QT_TRANSLATE_NOOP("Reports", "1–3天"), "gt_3d": QT_TRANSLATE_NOOP("Reports", "3天以上")}
ATTITUDE_WORDS = {"satisfied": QT_TRANSLATE_NOOP("Reports", "满意"), "average": QT_TRANSLATE_NOOP("Reports", "普通"),
                  "unsatisfied": QT_TRANSLATE_NOOP("Reports", "不满意")}
PART_WORDS = {"answered": QT_TRANSLATE_NOOP("Reports", "已接听"), "abandoned": QT_TRANSLATE_NOOP("Reports", "放弃(挂机)"),
              "callback": QT_TRANSLATE_NOOP("Reports", "按1选择回电"),
              "max_wait": QT_TRANSLATE_NOOP("Reports", "等待超时转回电"),
              "no_agent": QT_TRANSLATE_NOOP("Reports", "无座席"), "after_hours": QT_TRANSLATE_NOOP("Reports", "非工作时间"),
              "unfinished": QT_TRANSLATE_NOOP("Reports", "未结束")}
KIND_WORDS = {"daily": QT_TRANSLATE_NOOP("Reports", "日报"), "weekly": QT_TRANSLATE_NOOP("Reports", "周报"),
              "monthly": QT_TRANSLATE_NOOP("Reports", "月报"), "season": QT_TRANSLATE_NOOP("Reports", "供暖季报")}
# the sections of the overview, in the customer's order
SECTIONS = (("received", QT_TRANSLATE_NOOP("Reports", "一、每日报修情况")),
            ("completed", QT_TRANSLATE_NOOP("Reports", "二、报修完成情况")),
            ("followed_up", QT_TRANSLATE_NOOP("Reports", "三、回访情况")),
            ("anomalies", QT_TRANSLATE_NOOP("Reports", "异常事件与投诉")),
            ("callbacks", QT_TRANSLATE_NOOP("Reports", "回电")),
            ("queue", QT_TRANSLATE_NOOP("Reports", "话务（来自 queue_log）")),
            ("ivr", QT_TRANSLATE_NOOP("Reports", "语音导航（IVR）")),
            ("first_call", QT_TRANSLATE_NOOP("Reports", "首次解决与重复来电")),
            ("outages", QT_TRANSLATE_NOOP("Reports", "区域停热")),
            ("kpi", QT_TRANSLATE_NOOP("Reports", "考核指标")))


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def word(words: dict, key) -> str:
    return tr(words[key]) if key in words else str(key if key is not None else "")


def kind_label(kind: str) -> str:
    return word(KIND_WORDS, kind)


def part_label(part: str) -> str:
    return word(PART_WORDS, part)


def number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value)) if isinstance(value, (int, float)) else str(value)


def percent(rate, a=None, b=None) -> str:
    """0.5 → "50.0%"; with its counts "50.0%（1/2）"; no rate (nothing to divide by) → "—"."""
    if rate is None:
        return "—"
    text = f"{float(rate) * 100:.1f}%"
    return f"{text}（{number(a)}/{number(b)}）" if a is not None and b is not None else text


def duration(seconds) -> str:
    """Seconds as a person reads them: "45 秒", "3 分 20 秒", "3.7 小时"."""
    if seconds is None:
        return "—"
    s = max(0, int(round(float(seconds))))
    if s < 60:
        return tr(QT_TRANSLATE_NOOP("Reports", "%1 秒")).replace("%1", str(s))
    if s < 3600:
        return tr(QT_TRANSLATE_NOOP("Reports", "%1 分 %2 秒")).replace("%1", str(s // 60)).replace("%2", str(s % 60))
    return tr(QT_TRANSLATE_NOOP("Reports", "%1 小时")).replace("%1", f"{s / 3600:.1f}")


def _ordered(counts, order) -> list[tuple[str, object]]:
    """A figure's buckets in the desk's order of them (the known ones first), then any others."""
    counts = counts if isinstance(counts, dict) else {}
    return [(k, counts[k]) for k in order if k in counts] + [(k, v) for k, v in counts.items() if k not in order]


def _row(label: str, value: str, figure: str = "", bucket=None, tip: str = "", indent: bool = False) -> dict:
    return {"label": ("    " if indent else "") + label, "value": value, "figure": figure,
            "bucket": None if bucket is None else str(bucket), "tip": tip}


def _drillable(figure: str) -> bool:
    return figure in DRILLABLE


# the figures the server's drill-down knows (hotline.aftercall.reports.drill; a unit test keeps them equal)
DRILLABLE = frozenset({
    "tickets.received", "tickets.by_problem", "tickets.by_district", "tickets.by_station", "tickets.by_channel",
    "tickets.reopened", "tickets.drafts_waiting", "tickets.completed", "tickets.completed_by_station",
    "tickets.completed_by_problem", "tickets.followed_up", "tickets.open_by_age", "callbacks.requested",
    "callbacks.by_reason", "callbacks.reached", "callbacks.outstanding", "stations.dispatched", "hot_spots",
    "queue.offered", "queue.breakdown", "queue.answered", "queue.abandoned", "queue.abandoned_short",
    "queue.answered_within_sl", "queue.by_hour"})


def first_call_rate(fc: dict) -> str:
    """The first-call resolution as the server settled it, or 待定 (with the rate so far) while the
    window after the day is still open."""
    if fc.get("status") == "pending":
        return tr(QT_TRANSLATE_NOOP("Reports", "待定（目前 %1）")).replace(
            "%1", percent(fc.get("fcr_so_far"), fc.get("resolved_first"), fc.get("received")))
    return percent(fc.get("fcr_rate"), fc.get("resolved_first"), fc.get("received"))


def outage_text(o: dict) -> str:
    """An outage's figures in the report: the calls that keyed 1, the callers affected, the call-backs."""
    text = tr(QT_TRANSLATE_NOOP("Reports", "登记 %1 通 · 受影响 %2 户")).replace("%1", number(o.get("registered"))) \
        .replace("%2", number(o.get("affected")))
    if o.get("call_backs") or o.get("call_backs_refused"):
        text += tr(QT_TRANSLATE_NOOP("Reports", " · 恢复回电 %1")).replace("%1", number(o.get("call_backs")))
    if not o.get("ended_at"):
        text += tr(QT_TRANSLATE_NOOP("Reports", "（未结束）"))
    return text


def outage_tip(o: dict, formula: str = "") -> str:
    """Who declared it when, the expected end, when it ended — and the section's formula."""
    lines = [tr(QT_TRANSLATE_NOOP("Reports", "发布：%1 %2")).replace("%1", str(o.get("declared_by") or ""))
             .replace("%2", short_time(o.get("declared_at"))),
             tr(QT_TRANSLATE_NOOP("Reports", "预计恢复：%1")).replace("%1", short_time(o.get("until"))),
             tr(QT_TRANSLATE_NOOP("Reports", "结束：%1")).replace(
                 "%1", short_time(o.get("ended_at")) if o.get("ended_at") else tr(QT_TRANSLATE_NOOP("Reports", "尚未结束")))]
    if o.get("call_backs_refused"):
        lines.append(tr(QT_TRANSLATE_NOOP("Reports", "号码策略未拨：%1")).replace("%1", number(o.get("call_backs_refused"))))
    return "\n".join(lines + ([formula] if formula else []))


def sections(r: dict) -> dict[str, list[dict]]:
    """{section key: its figure rows} of a report (daily or a period's sum). Every value the server's."""
    t = r.get("tickets") or {}
    sv = t.get("survey") or {}
    q = r.get("queue") or {}
    cb = r.get("callbacks") or {}
    kpi = r.get("kpi") or {}
    f = r.get("formulas") or {}
    out: dict[str, list[dict]] = {k: [] for k, _w in SECTIONS}

    rec = out["received"]
    rec.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "受理报修")), number(t.get("received")), "tickets.received", tip=f.get("received", "")))
    for k, n in _ordered(t.get("by_channel"), CHANNEL_WORDS):
        rec.append(_row(word(CHANNEL_WORDS, k), number(n), "tickets.by_channel", k, indent=True))
    for k, n in _ordered(t.get("by_problem"), CATEGORY_ORDER):
        rec.append(_row(category_label(k) if k != "unknown" else tr(QT_TRANSLATE_NOOP("Reports", "未分类")), number(n), "tickets.by_problem", k,
                        indent=True))
    rec.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "其中重开（还是不热）")), number(t.get("reopened")), "tickets.reopened"))
    rec.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "待确认的语音草稿")), number(t.get("drafts_waiting")), "tickets.drafts_waiting"))

    done = out["completed"]
    done.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "报修完成（返单）")), number(t.get("completed")), "tickets.completed", tip=f.get("completed", "")))
    for k, n in (t.get("completed_by_station") or {}).items():
        done.append(_row(k, number(n), "tickets.completed_by_station", k, indent=True))
    ages = t.get("open_by_age") or {}
    done.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "日终未完成")), number(ages.get("total")), "tickets.open_by_age", tip=f.get("open_by_age", "")))
    for k in AGE_WORDS:
        if k in ages:
            done.append(_row(word(AGE_WORDS, k), number(ages[k]), "tickets.open_by_age", k, indent=True))

    fu = out["followed_up"]
    fu.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "回访")), number(t.get("followed_up")), "tickets.followed_up", tip=f.get("followed_up", "")))
    fu.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "问题解决率")), percent(sv.get("solved_rate"), sv.get("solved"), sv.get("surveys")),
                   tip=f.get("resolution", "")))
    for k, n in _ordered(sv.get("attitude"), ATTITUDE_WORDS):
        fu.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "态度：%1")).replace("%1", word(ATTITUDE_WORDS, k)), number(n), indent=True))
    fu.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "平均评分")), number(sv.get("score_avg"))))
    fu.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "收费")), number(sv.get("charged"))))
    fu.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "缴费提醒")), number(sv.get("fee_reminders"))))
    fu.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "座席 / 自动回访")), f"{number(sv.get('by_agent'))} / {number(sv.get('by_ivr'))}"))

    an = out["anomalies"]
    for k, a in (r.get("anomalies") or {}).items():
        if not isinstance(a, dict) or not (a.get("opened") or a.get("open_at_end")):
            continue
        states = "、".join(f"{anomaly_state_label(s)} {number(a.get(s))}" for s in ("open", "handled", "closed")
                          if a.get(s))
        value = tr(QT_TRANSLATE_NOOP("Reports", "新 %1（%2），日终未关闭 %3")).replace("%1", number(a.get("opened"))).replace("%2", states or "—") \
            .replace("%3", number(a.get("open_at_end")))
        an.append(_row(anomaly_label(k) or a.get("label", k), value))
    an.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "投诉（逐条见“热点与投诉”）")), number(len(r.get("complaints") or [])),
                   tip=f.get("complaint_rate", "")))

    cbs = out["callbacks"]
    cbs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "要求回电")), number(cb.get("requested")), "callbacks.requested"))
    for k, n in (cb.get("by_reason") or {}).items():
        cbs.append(_row(callback_reason_label(k), number(n), "callbacks.by_reason", k, indent=True))
    cbs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "已回电联系上")), number(cb.get("reached")), "callbacks.reached"))
    cbs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "日终待回电")), number(cb.get("outstanding")), "callbacks.outstanding"))
    cbs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "首次回拨 平均 / 最长")),
                    f"{duration(cb.get('first_attempt_avg_s'))} / {duration(cb.get('first_attempt_max_s'))}"))

    qs = out["queue"]
    qs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "进线")), number(q.get("offered")), "queue.offered"))
    for b in q.get("breakdown") or []:
        if isinstance(b, dict):
            qs.append(_row(part_label(b.get("key")), number(b.get("count")), "queue.breakdown", b.get("key"),
                           tip=tr(QT_TRANSLATE_NOOP("Reports", "来源：%1")).replace("%1", str(b.get("source") or "")), indent=True))
    qs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "其中短时放弃（≤%1 秒）")).replace("%1", number(q.get("short_abandon_s"))),
                   number(q.get("abandoned_short")), "queue.abandoned_short"))
    sl = q.get("service_level_s")
    qs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "服务水平（%1 秒）")).replace("%1", number(sl)),
                   percent(q.get("service_level_20s"), q.get("answered_within_sl"), q.get("offered")),
                   "queue.answered_within_sl", tip=f.get("service_level_20s", "")))
    qs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "服务水平（Asterisk SL）")), percent(q.get("sl_asterisk")), tip=f.get("sl_asterisk", "")))
    qs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "服务水平（Asterisk SL2）")), percent(q.get("sl2")), tip=f.get("sl2", "")))
    qs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "平均应答速度 ASA")), duration(q.get("asa_s")), tip=f.get("asa_s", "")))
    qs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "平均处理时长 AHT")), duration(q.get("aht_s")), tip=f.get("aht_s", "")))
    qs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "最长等待")), duration(q.get("longest_wait_max_s"))))
    qs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "放弃率")), percent(q.get("abandon_rate"), q.get("abandoned"), q.get("offered")),
                   "queue.abandoned", tip=f.get("abandon_rate", "")))

    v = r.get("ivr") or {}        # none in a day signed before the section existed
    iv = out["ivr"]
    if v:
        iv.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "呼入来电")), number(v.get("calls"))))
        iv.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "在语音导航中挂机")),
                       percent(v.get("hung_up_rate"), v.get("hung_up"), v.get("calls")), tip=f.get("ivr_hangups", "")))
        for h in v.get("hangups") or []:
            if isinstance(h, dict):        # the step as the server names it (the flow's own step names)
                iv.append(_row(str(h.get("label") or h.get("key") or ""), number(h.get("count")), indent=True))
        if "outage_registered" in v:       # keyed 1 on an outage's notice: neither hung up nor abandoned
            iv.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "区域停热登记（按1）")), number(v.get("outage_registered")),
                           tip=f.get("ivr_outage_registered", "")))
        iv.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "自助查询报修进度")), number(v.get("status_lookups")),
                       tip=f.get("ivr_status_lookups", "")))
        iv.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "语音导航时长 平均 / 90% / 最长")),
                       " / ".join(duration(v.get(k)) for k in ("time_avg_s", "time_p90_s", "time_max_s")),
                       tip=f.get("ivr_time", "")))
    fc = r.get("first_call") or {}
    fcs = out["first_call"]
    if fc:
        fcs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "首次解决率")), first_call_rate(fc), tip=f.get("fcr", "")))
        fcs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "%1 天内再次来电")).replace("%1", number(fc.get("window_days"))),
                        number(fc.get("called_again")), indent=True))
        fcs.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "重复来电号码")),
                        percent(fc.get("repeat_rate"), fc.get("repeat_callers"), fc.get("callers")),
                        tip=f.get("repeat_rate", "")))

    ous = out["outages"]           # none in a day signed before the section existed
    for o in r.get("outages") or []:
        if isinstance(o, dict):
            ous.append(_row(str(o.get("area") or ""), outage_text(o), tip=outage_tip(o, f.get("outages", ""))))

    k = out["kpi"]
    k.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "客户满意度")), percent(kpi.get("satisfaction")), tip=f.get("satisfaction", "")))
    k.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "问题解决率")), percent(kpi.get("resolution")), tip=f.get("resolution", "")))
    k.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "客户投诉率")), percent(kpi.get("complaint_rate"), kpi.get("complaints"), t.get("received")),
                  tip=f.get("complaint_rate", "")))
    if fc:
        k.append(_row(tr(QT_TRANSLATE_NOOP("Reports", "首次解决率")), first_call_rate(fc), tip=f.get("fcr", "")))
    changed = differing_figures(r)
    for rows in out.values():
        for row in rows:
            row["drill"] = _drillable(row["figure"])
            row["changed"] = bool(changed) and bool(row["figure"]) and differs(
                row["figure"] + (f".{row['bucket']}" if row["bucket"] is not None else ""), changed)
    return out


class FiguresModel(_RowsModel):
    """One section's figure rows: the formula as the tooltip, drillable ones blue, changed ones amber."""
    CONTEXT = CONTEXT
    COLUMNS = ((QT_TRANSLATE_NOOP("Reports", "项目"), lambda r: r.get("label", "")),
               (QT_TRANSLATE_NOOP("Reports", "数值"), lambda r: r.get("value", "")))

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self.row_dict(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = [row.get("tip") or ""]
            if row.get("changed"):
                tips.append(tr(QT_TRANSLATE_NOOP("Reports", "与签核时不同（见“差异”）")))
            if row.get("drill"):
                tips.append(tr(QT_TRANSLATE_NOOP("Reports", "双击查看明细")))
            return "\n".join(t for t in tips if t) or None
        if role == Qt.ItemDataRole.BackgroundRole:
            return CHANGED_BG if row.get("changed") else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.get("changed"):
                return CHANGED_FG
            return DRILL_FG if row.get("drill") and index.column() == 1 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


def _pauses(r: dict) -> str:
    p = r.get("pause_s") or {}
    return "、".join(f"{k} {duration(v)}" for k, v in p.items()) if isinstance(p, dict) else ""


class AgentsModel(_RowsModel):
    """Per person: the queue's figures (queue_log) beside calls made and pauses by reason."""
    CONTEXT = CONTEXT
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Reports", "工号"), lambda r: r.get("agent_no", "")),
        (QT_TRANSLATE_NOOP("Reports", "姓名"), lambda r: r.get("name", "")),
        (QT_TRANSLATE_NOOP("Reports", "接听"), lambda r: number(r.get("answered"))),
        (QT_TRANSLATE_NOOP("Reports", "外呼"), lambda r: number(r.get("made"))),
        (QT_TRANSLATE_NOOP("Reports", "通话"), lambda r: duration(r.get("talk_s"))),
        (QT_TRANSLATE_NOOP("Reports", "保持"), lambda r: duration(r.get("hold_s"))),
        (QT_TRANSLATE_NOOP("Reports", "话后整理"), lambda r: duration(r.get("wrapup_s"))),
        (QT_TRANSLATE_NOOP("Reports", "AHT"), lambda r: duration(r.get("aht_s"))),
        (QT_TRANSLATE_NOOP("Reports", "振铃未接"), lambda r: number(r.get("ring_no_answer"))),
        (QT_TRANSLATE_NOOP("Reports", "登录时长"), lambda r: duration(r.get("logged_in_s"))),
        (QT_TRANSLATE_NOOP("Reports", "首次登录"), lambda r: short_time(r.get("first_login"))),
        (QT_TRANSLATE_NOOP("Reports", "占用率"), lambda r: percent(r.get("occupancy"))),
        (QT_TRANSLATE_NOOP("Reports", "示忙"), _pauses),
    )


def league(stations: list) -> list[dict]:
    """The stations' league table: fastest average completion first, then fewest over the limit;
    stations that completed nothing last. Each row gets its rank."""
    rows = [dict(s) for s in stations or [] if isinstance(s, dict)]
    rows.sort(key=lambda s: (s.get("complete_avg_s") is None, s.get("complete_avg_s") or 0,
                             s.get("over_limit_rate") or 0, str(s.get("station"))))
    for i, s in enumerate(rows, 1):
        s["rank"] = i
    return rows


class StationsModel(_RowsModel):
    """The stations' league table (`league`)."""
    CONTEXT = CONTEXT
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Reports", "名次"), lambda r: r.get("rank", "")),
        (QT_TRANSLATE_NOOP("Reports", "维修站"), lambda r: r.get("name", "")),
        (QT_TRANSLATE_NOOP("Reports", "派单"), lambda r: number(r.get("dispatched"))),
        (QT_TRANSLATE_NOOP("Reports", "平均接单"), lambda r: duration(r.get("accept_avg_s"))),
        (QT_TRANSLATE_NOOP("Reports", "平均联系住户"), lambda r: duration(r.get("contact_avg_s"))),
        (QT_TRANSLATE_NOOP("Reports", "平均完工"), lambda r: duration(r.get("complete_avg_s"))),
        (QT_TRANSLATE_NOOP("Reports", "返单"), lambda r: number(r.get("complete_n"))),
        (QT_TRANSLATE_NOOP("Reports", "超时率"), lambda r: percent(r.get("over_limit_rate"), r.get("over_limit"),
                                                               r.get("complete_n"))),
        (QT_TRANSLATE_NOOP("Reports", "返修率"), lambda r: percent(r.get("reopened_rate"), r.get("reopened"),
                                                               r.get("complete_n"))),
        (QT_TRANSLATE_NOOP("Reports", "满意率"), lambda r: percent(r.get("satisfied_rate"), r.get("satisfied"),
                                                               r.get("surveys"))),
        (QT_TRANSLATE_NOOP("Reports", "平均评分"), lambda r: number(r.get("score_avg"))),
    )

    def set_rows(self, rows) -> None:
        super().set_rows(league(rows))


class ComplaintsModel(_RowsModel):
    """Each complaint opened in the period, with its result."""
    CONTEXT = CONTEXT
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Reports", "类型"), lambda r: anomaly_label(r.get("type")) or r.get("label", "")),
        (QT_TRANSLATE_NOOP("Reports", "报修单"), lambda r: r.get("ticket") or ""),
        (QT_TRANSLATE_NOOP("Reports", "登记"), lambda r: short_time(r.get("opened_at"))),
        (QT_TRANSLATE_NOOP("Reports", "状态"), lambda r: anomaly_state_label(r.get("state"))),
        (QT_TRANSLATE_NOOP("Reports", "负责人"), lambda r: r.get("owner") or ""),
        (QT_TRANSLATE_NOOP("Reports", "内容"), lambda r: r.get("note") or ""),
        (QT_TRANSLATE_NOOP("Reports", "结果"), lambda r: r.get("result") or ""),
    )


def hot_spot_key(spot: dict) -> str:
    """区/小区[/楼] — how the drill-down names a hot spot (hotline.aftercall.reports.drill.hot_spot_key)."""
    return "/".join(str(spot.get(k) or "") for k in ("district", "compound", "building") if spot.get(k))


class HotSpotsModel(_RowsModel):
    """Many no-heat repairs from one compound or building within the window: a network fault."""
    CONTEXT = CONTEXT
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Reports", "区"), lambda r: r.get("district") or ""),
        (QT_TRANSLATE_NOOP("Reports", "小区"), lambda r: r.get("compound") or ""),
        (QT_TRANSLATE_NOOP("Reports", "楼"), lambda r: r.get("building") or ""),
        (QT_TRANSLATE_NOOP("Reports", "报修"), lambda r: number(r.get("repairs"))),
        (QT_TRANSLATE_NOOP("Reports", "首次"), lambda r: short_time(r.get("first"))),
        (QT_TRANSLATE_NOOP("Reports", "最后"), lambda r: short_time(r.get("last"))),
        (QT_TRANSLATE_NOOP("Reports", "报修单"), lambda r: "、".join(r.get("tickets") or [])),
    )


class _TintedModel(_RowsModel):
    """Every row tinted: a table that is all warnings."""
    BG = FG = None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.BackgroundRole:
            return self.BG
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            return self.FG
        return super().data(index, role)


class DisagreementsModel(_TintedModel):
    """Where the queue_log and the call records disagree: shown, never hidden."""
    CONTEXT = CONTEXT
    BG, FG = DISAGREE_BG, DISAGREE_FG
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Reports", "日期"), lambda r: r.get("day") or ""),
        (QT_TRANSLATE_NOOP("Reports", "说明"), lambda r: r.get("what") or ""),
        (QT_TRANSLATE_NOOP("Reports", "queue_log"), lambda r: number(r.get("queue_log"))),
        (QT_TRANSLATE_NOOP("Reports", "话单"), lambda r: number(r.get("call_records"))),
        (QT_TRANSLATE_NOOP("Reports", "通话"), lambda r: "、".join(r.get("calls") or [])),
    )


def difference_rows(r: dict) -> list[dict]:
    """The figures that changed since signing: a day's own, or each differing day's of a period."""
    if r.get("differs_from_signed"):
        return [dict(d, day=r.get("day")) for d in r["differs_from_signed"] if isinstance(d, dict)]
    out = []
    for d in r.get("days_differ") or []:
        if isinstance(d, dict):
            out += [dict(f, day=d.get("day")) for f in d.get("figures") or [] if isinstance(f, dict)]
    return out


class DifferencesModel(_TintedModel):
    """Each figure whose value now is not the signed one: signed and now."""
    CONTEXT = CONTEXT
    BG, FG = CHANGED_BG, CHANGED_FG
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Reports", "日期"), lambda r: r.get("day") or ""),
        (QT_TRANSLATE_NOOP("Reports", "指标"), lambda r: r.get("figure") or ""),
        (QT_TRANSLATE_NOOP("Reports", "签核时"), lambda r: number(r.get("signed"))),
        (QT_TRANSLATE_NOOP("Reports", "现在"), lambda r: number(r.get("now"))),
    )


class DrillTicketsModel(_RowsModel):
    """The repairs behind a figure (GET wire.REPORT_DRILL, rows_are tickets)."""
    CONTEXT = CONTEXT
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Reports", "单号"), lambda r: r.get("number", "")),
        (QT_TRANSLATE_NOOP("Reports", "状态"), lambda r: state_label(r.get("state"))),
        (QT_TRANSLATE_NOOP("Reports", "问题"), lambda r: category_label(r.get("problem"))
         if r.get("problem") != "unknown" else tr(QT_TRANSLATE_NOOP("Reports", "未分类"))),
        (QT_TRANSLATE_NOOP("Reports", "区"), lambda r: r.get("district") or ""),
        (QT_TRANSLATE_NOOP("Reports", "维修站"), lambda r: r.get("station") or ""),
        (QT_TRANSLATE_NOOP("Reports", "电话"), lambda r: r.get("phone") or ""),
        (QT_TRANSLATE_NOOP("Reports", "建单"), lambda r: short_time(r.get("created_at"))),
    )


class DrillCallsModel(_RowsModel):
    """The calls behind a figure (rows_are calls): the caller's number masked."""
    CONTEXT = CONTEXT
    COLUMNS = (
        (QT_TRANSLATE_NOOP("Reports", "时间"), lambda r: short_time(r.get("at"))),
        (QT_TRANSLATE_NOOP("Reports", "等待"), lambda r: duration(r.get("wait_s"))),
        (QT_TRANSLATE_NOOP("Reports", "结果"), lambda r: part_label(r.get("outcome"))),
        (QT_TRANSLATE_NOOP("Reports", "电话"), lambda r: r.get("phone") or ""),
        (QT_TRANSLATE_NOOP("Reports", "座席"), lambda r: r.get("agent") or ""),
        (QT_TRANSLATE_NOOP("Reports", "报修单"), lambda r: r.get("ticket") or ""),
        (QT_TRANSLATE_NOOP("Reports", "来源"), lambda r: r.get("source") or ""),
        (QT_TRANSLATE_NOOP("Reports", "通话标识"), lambda r: r.get("uniqueid") or ""),
    )
    TICKET_COLUMN = 5
