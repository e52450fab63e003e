"""The report as the customer prints it (reportlab): A4, Chinese, the reporting day and its
signature state at the top, the customer's three sections first (每日报修情况, 每日报修完成情况,
每日回访情况), then anomalies and complaints, call-backs, the queue with its formulas,
the IVR (where callers hang up, status look-ups, time in it), agents, stations, hot spots, first-call
resolution and repeat callers, and what disagrees or changed since signing; two charts (calls per hour
against agents logged in; repairs by problem). Phone numbers masked, stored text escaped.

The font must embed: reportlab embeds TrueType outlines only, so Debian's Noto CJK (OTF/CFF) will
not do; WenQuanYi Zen Hei (fonts-wqy-zenhei, a TrueType collection) does. No font, no PDF — a
clear refusal rather than a page of empty boxes."""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hotline.aftercall.reports.figures import AGES, ANOMALY_WORDS, CATEGORY_WORDS, CHANNEL_WORDS
from hotline.aftercall.reports.xlsx import ATTITUDE_WORDS, STATE_WORDS, masked, recheck_note
from hotline.aftercall.rules import RuleError

#: TrueType CJK fonts reportlab can embed, best first (Debian packages in scripts/install.sh)
FONT_FILES = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),           # fonts-wqy-zenhei
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),         # fonts-wqy-microhei
    (Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), None),  # fonts-droid-fallback
)
FONT = "HotlineCJK"
KIND_TITLES = {"daily": "日报", "weekly": "周报", "monthly": "月报", "season": "供暖季报"}
CALLBACK_WORDS = {"callback_requested": "按1选择回电", "max_wait": "等待超时", "no_agent": "无座席",
                  "abandoned": "放弃", "after_hours_message": "非工作时间留言", "interrupted": "通话中断"}
_INK, _GRID, _HEAD, _RED = colors.HexColor("#1f2937"), colors.HexColor("#9ca3af"), colors.HexColor("#e5e7eb"), \
    colors.HexColor("#b91c1c")
_WIDTH = A4[0] - 30 * mm


@cache
def cjk_font() -> str:
    """The registered name of the first CJK TrueType font found (503 when there is none)."""
    for path, index in FONT_FILES:
        if path.is_file():
            font = TTFont(FONT, str(path), subfontIndex=index) if index is not None else TTFont(FONT, str(path))
            pdfmetrics.registerFont(font)
            return FONT
    raise RuleError(503, "没有可嵌入 PDF 的中文字体:请安装 fonts-wqy-zenhei(scripts/install.sh 安装)")


# ------------------------------------------------------------------ formatting --

def _pct(v) -> str:
    return "—" if v is None else f"{v:.1%}"


def _num(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.1f}" if v != int(v) else str(int(v))
    return str(v)


def _dur(s) -> str:
    """Seconds as a person reads them: 45秒, 12分05秒, 3时20分."""
    if s is None:
        return "—"
    s = int(round(s))
    if s < 60:
        return f"{s}秒"
    if s < 3600:
        return f"{s // 60}分{s % 60:02d}秒"
    return f"{s // 3600}时{s % 3600 // 60:02d}分"


def _when(iso: str | None) -> str:
    return "—" if not iso else str(iso).replace("T", " ")[:16]


class _Styles:
    def __init__(self, font: str):
        base = dict(fontName=font, textColor=_INK, wordWrap="CJK")
        self.title = ParagraphStyle("title", fontSize=18, leading=24, spaceAfter=2, **base)
        self.sub = ParagraphStyle("sub", fontSize=10, leading=14, **base)
        self.h1 = ParagraphStyle("h1", fontSize=13, leading=18, spaceBefore=9, spaceAfter=4, **base)
        self.h2 = ParagraphStyle("h2", fontSize=10.5, leading=14, spaceBefore=5, spaceAfter=2, **base)
        self.body = ParagraphStyle("body", fontSize=9, leading=12.5, **base)
        self.cell = ParagraphStyle("cell", fontSize=8, leading=10, **base)
        self.small = ParagraphStyle("small", fontSize=7.5, leading=9.5, textColor=colors.HexColor("#4b5563"),
                                    fontName=font, wordWrap="CJK")
        self.stamp_ok = ParagraphStyle("ok", fontSize=10, leading=14, textColor=colors.HexColor("#166534"),
                                       fontName=font, wordWrap="CJK")
        self.stamp_no = ParagraphStyle("no", fontSize=11, leading=15, textColor=_RED, fontName=font, wordWrap="CJK")


class _Page:
    """One report's flowables, in the order the customer reads them."""

    def __init__(self, r: dict, font: str):
        self.r, self.font, self.s = r, font, _Styles(font)
        self.story: list = []

    # ------------------------------------------------------------ pieces --
    def p(self, text: str, style=None) -> Paragraph:
        """Text as data: masked, escaped for reportlab's markup (a note's "<b>" is shown, not obeyed)."""
        return Paragraph(escape(masked(str(text))), style or self.s.body)

    def h1(self, text: str) -> None:
        self.story.append(Paragraph(escape(text), self.s.h1))

    def h2(self, text: str) -> None:
        self.story.append(Paragraph(escape(text), self.s.h2))

    def note(self, text: str) -> None:
        self.story.append(self.p(text, self.s.small))

    def table(self, header: list[str], rows: Iterable[list], widths: list[float] | None = None,
              wrap: Iterable[int] = (), total: bool = False) -> None:
        """A grid with a shaded header row (repeated on a new page); columns in `wrap` wrap their
        text; numbers right-aligned; `total`: the last row is a sum, drawn above a line."""
        rows = [list(r) for r in rows]
        if not rows:
            self.story.append(self.p("(无)", self.s.cell))
            return
        wrap = set(wrap)
        data = [[self.p(h, self.s.cell) for h in header]]
        for r in rows:
            data.append([self.p(v, self.s.cell) if i in wrap else masked(str(v)) for i, v in enumerate(r)])
        if widths is None:
            widths = [_WIDTH / len(header)] * len(header)
        style = [("FONT", (0, 0), (-1, -1), self.font, 8), ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
                 ("BACKGROUND", (0, 0), (-1, 0), _HEAD), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
        for i in range(len(header)):
            if i not in wrap and all(_numeric(r[i]) for r in rows):
                style.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
        if total:
            style.append(("LINEABOVE", (0, -1), (-1, -1), 1.0, _INK))
        self.story.append(Table(data, colWidths=widths, repeatRows=1, style=TableStyle(style), hAlign="LEFT"))

    def space(self, h: float = 3) -> None:
        self.story.append(Spacer(1, h * mm))

    # ---------------------------------------------------------- sections --
    def build(self) -> list:
        self.head()
        self.tickets_received()
        self.tickets_completed()
        self.surveys()
        self.anomalies()
        self.callbacks()
        self.queue()
        self.ivr()
        self.agents()
        self.stations()
        self.spots()
        self.first_call()
        self.differences()
        self.formulas()
        return self.story

    def head(self) -> None:
        r, period = self.r, self.r["period"]
        kind = KIND_TITLES.get(r["kind"], r["kind"])
        self.story.append(Paragraph(escape(f"大龙供暖报修热线 {kind}"), self.s.title))
        if r["kind"] == "daily":
            span = f"报表日 {r['day']}({_when(period['from'])} 至 {_when(period['to'])})"
        else:
            span = (f"{period.get('first_day', r['day'])} 至 {period.get('last_day', '')}"
                    f"({_when(period['from'])} 至 {_when(period['to'])},已过 {period.get('days', 0)} 天)")
        self.story.append(Paragraph(escape(span), self.s.sub))
        generated = f"生成于 {_when(r['generated_at'])}"
        if not r.get("complete", True):
            generated += ";报表期尚未结束,数字截至生成时"
        self.story.append(Paragraph(escape(generated), self.s.sub))
        self.space(2)
        self.story.append(self.signature())
        self.space(2)
        t, q, kpi = r["tickets"], r["queue"], r["kpi"]
        self.table(["受理报修", "报修完成", "回访", "日终未完成", "进线", "接听", "服务水平", "客户满意度", "问题解决率",
                    "客户投诉率"],
                   [[t["received"], t["completed"], t["followed_up"], t["open_by_age"]["total"], q["offered"],
                     q["answered"], _pct(q["service_level_20s"]), _pct(kpi["satisfaction"]), _pct(kpi["resolution"]),
                     _pct(kpi["complaint_rate"])]])

    def signature(self) -> Paragraph:
        r = self.r
        if r["kind"] != "daily":
            unsigned = r.get("days_unsigned") or []
            differ = [d["day"] for d in r.get("days_differ") or []]
            unchecked = r.get("days_unchecked") or []
            text = (f"已签核 {r.get('days_signed', 0)} 天;未签核:{'、'.join(unsigned) or '无'};"
                    f"签核后有变化:{'、'.join(differ) or '无'}" + (f"({recheck_note(r)})" if recheck_note(r) else ""))
            return self.p(text, self.s.stamp_ok if not unsigned and not differ and not unchecked else self.s.stamp_no)
        signed = r.get("signed")
        if not signed:
            return self.p("未签核 — 本日报尚未经部长审核签发", self.s.stamp_no)
        who = escape(masked(f"已签核:{signed.get('name', '')}({signed['by']})于 {_when(signed['at'])} 签发;"))
        # the hash as it is: a digest that happens to start like a landline (0 and ten digits) is no phone
        text = who + escape(f"SHA-256 {signed['sha256']}"[:80])
        changed = r.get("differs_from_signed") or []
        if changed:
            text += escape(f";签核后有 {len(changed)} 项数字变化(见「十一、核对与差异」)")
        return Paragraph(text, self.s.stamp_ok if not changed else self.s.stamp_no)

    def tickets_received(self) -> None:
        t = self.r["tickets"]
        self.h1("一、每日报修情况")
        problems = [(CATEGORY_WORDS.get(k, k), v) for k, v in t["by_problem"].items()]
        self.table(["受理合计", *(w for w, _ in problems), "重开(还是不热)", "待确认(未确认)"],
                   [[t["received"], *(v for _, v in problems), t["reopened"], t["drafts_waiting"]]])
        self.h2("按来源")
        self.table(list(CHANNEL_WORDS.values()), [[t["by_channel"].get(k, 0) for k in CHANNEL_WORDS]])
        rows = [["片区", k, v] for k, v in t["by_district"].items()] + \
               [["维修站", k, v] for k, v in t["by_station"].items()]
        self.h2("按片区、维修站")
        self.table(["分组", "项目", "受理"], rows, [30 * mm, 100 * mm, 30 * mm], wrap=(1,))
        if problems:
            self.story.append(KeepTogether([Paragraph("报修按问题", self.s.h2), problems_chart(problems, self.font)]))

    def tickets_completed(self) -> None:
        t = self.r["tickets"]
        self.h1("二、每日报修完成情况")
        rows = [["维修站", k, v] for k, v in t["completed_by_station"].items()]
        rows += [["问题", CATEGORY_WORDS.get(k, k), v] for k, v in t["completed_by_problem"].items()]
        self.table(["分组", "项目", "返单"], [*rows, ["合计", "", t["completed"]]], [30 * mm, 100 * mm, 30 * mm],
                   wrap=(1,), total=True)
        ages = t["open_by_age"]
        self.h2("日终未完成(按受理至日终的时长)")
        self.table([w for _k, w, _h in AGES] + ["合计"], [[ages.get(k, 0) for k, _w, _h in AGES] + [ages["total"]]])

    def surveys(self) -> None:
        s = self.r["tickets"]["survey"]
        self.h1("三、每日回访情况")
        self.table(["回访", "已解决", "解决率", *ATTITUDE_WORDS.values(), "满意率", "平均分", "收费", "催缴提醒", "座席回访",
                    "自动回访"],
                   [[s["surveys"], s["solved"], _pct(s["solved_rate"]), *(s["attitude"].get(a, 0) for a in ATTITUDE_WORDS),
                     _pct(s["satisfied_rate"]), _num(s["score_avg"]), s["charged"], s["fee_reminders"], s["by_agent"],
                     s["by_ivr"]]])

    def anomalies(self) -> None:
        r = self.r
        self.h1("四、异常事件与投诉")
        rows = [[ANOMALY_WORDS.get(k, k), v["opened"], v["open"], v["handled"], v["closed"], v["open_at_end"]]
                for k, v in r["anomalies"].items() if v["opened"] or v["open_at_end"]]
        self.table(["类型", "登记", "未处理", "已处理", "已关闭", "期末未关闭"], rows,
                   [70 * mm, 22 * mm, 22 * mm, 22 * mm, 22 * mm, 22 * mm], wrap=(0,))
        self.h2("投诉(逐条)")
        self.table(["编号", "类型", "报修单", "登记", "内容", "状态", "处理结果"],
                   [[c["id"], c["label"], c["ticket"] or "—", _when(c["opened_at"])[5:], c["note"] or "",
                     STATE_WORDS.get(c["state"], c["state"]), c["result"] or ""] for c in r["complaints"]],
                   [11 * mm, 22 * mm, 22 * mm, 22 * mm, 47 * mm, 14 * mm, 42 * mm], wrap=(1, 4, 6))

    def callbacks(self) -> None:
        cb = self.r["callbacks"]
        self.h1("五、回电")
        self.table(["申请回电", "已联系上", "期末待回电", "已尝试", "首次回电平均", "首次回电最长"],
                   [[cb["requested"], cb["reached"], cb["outstanding"], cb["attempted"], _dur(cb["first_attempt_avg_s"]),
                     _dur(cb["first_attempt_max_s"])]])
        if cb.get("by_reason"):
            self.note("申请原因:" + ";".join(f"{CALLBACK_WORDS.get(k, k)} {v}" for k, v in cb["by_reason"].items()))

    def queue(self) -> None:
        q = self.r["queue"]
        self.h1(f"六、话务(进线 {q['offered']})")
        offered = q["offered"] or 0
        rows = [[b["label"], b["count"], _pct(b["count"] / offered if offered else None), b["source"]]
                for b in q["breakdown"]]
        rows.append(["进线合计", sum(b["count"] for b in q["breakdown"]), _pct(1 if offered else None), ""])
        self.table(["去向", "来电", "占比", "来源"], rows, [60 * mm, 25 * mm, 25 * mm, 50 * mm], total=True)
        self.note(f"其中放弃≤{q['short_abandon_s']}秒(误拨)的 {q['abandoned_short']} 通另计于放弃之内。")
        registered = (self.r.get("ivr") or {}).get("outage_registered")
        if registered:
            self.note(f"另有 {registered} 通听到区域停热通知后按 1 登记(未进队列),不计入进线、放弃,见「区域停热」。")
        f = q["formulas"]
        self.h2("话务指标与口径")
        self.table(["指标", "数值", "公式"], [
            [f"服务水平({q['service_level_s']}秒)", _pct(q["service_level_20s"]), f.get("service_level_20s", "")],
            ["SL(Asterisk)", _pct(q["sl_asterisk"]), f.get("sl_asterisk", "")],
            ["SL2(Asterisk)", _pct(q["sl2"]), f.get("sl2", "")],
            ["放弃率", _pct(q["abandon_rate"]), f.get("abandon_rate", "")],
            ["平均应答速度 ASA", _dur(q["asa_s"]), f.get("asa_s", "")],
            ["平均处理时长 AHT", _dur(q["aht_s"]), f.get("aht_s", "")],
            ["最长等待", _dur(q["longest_wait_max_s"]), "进线中等待最久的一通"],
        ], [38 * mm, 22 * mm, 120 * mm], wrap=(0, 2))
        if q["by_hour"]:
            self.story.append(KeepTogether([Paragraph("分时进线、接听与在线座席", self.s.h2),
                                            hours_chart(q["by_hour"], self.font)]))

    def ivr(self) -> None:
        v, f = self.r.get("ivr"), self.r.get("formulas") or {}
        if v is None:       # a day signed before the section existed
            return
        self.h1(f"七、语音导航(呼入 {v['calls']})")
        outage = "outage_registered" in v
        self.table(["呼入来电", "IVR 中挂机", "挂机率", *(["停热登记"] if outage else []), "自助查询进度", "查询占来电",
                    "平均时长", "90%分位", "最长"],
                   [[v["calls"], v["hung_up"], _pct(v["hung_up_rate"]), *([v["outage_registered"]] if outage else []),
                     v["status_lookups"], _pct(v["status_lookup_rate"]), _dur(v["time_avg_s"]), _dur(v["time_p90_s"]),
                     _dur(v["time_max_s"])]])
        self.h2("在哪一步挂机")
        hung = v["hung_up"] or 0
        self.table(["步骤", "挂机", "占 IVR 挂机"],
                   [[h["label"], h["count"], _pct(h["count"] / hung if hung else None)] for h in v["hangups"]],
                   [70 * mm, 30 * mm, 30 * mm], wrap=(0,))
        for k in ("ivr_hangups", "ivr_status_lookups", "ivr_time"):
            if k in f:
                self.note(f[k])

    def first_call(self) -> None:
        fc, f = self.r.get("first_call"), self.r.get("formulas") or {}
        if fc is None:
            return
        self.h2("首次解决与重复来电率")
        pending = fc["status"] == "pending"
        rate = f"待定(目前 {_pct(fc['fcr_so_far'])})" if pending else _pct(fc["fcr_rate"])
        self.table(["受理报修", f"{fc['window_days']}天内再次来电", "首次解决", "首次解决率", "来电号码", "重复来电号码",
                    "重复来电率"],
                   [[fc["received"], fc["called_again"], fc["resolved_first"], rate, fc["callers"],
                     fc["repeat_callers"], _pct(fc["repeat_rate"])]],
                   [22 * mm, 28 * mm, 22 * mm, 40 * mm, 22 * mm, 24 * mm, 22 * mm], wrap=(3,))
        for k in ("fcr", "repeat_rate"):
            if k in f:
                self.note(f[k])

    def agents(self) -> None:
        agents = self.r["agents"]
        self.h1("八、座席")
        self.table(["工号", "姓名", "接听", "外呼", "通话", "保持", "话后整理", "平均处理", "未接振铃", "在线", "首次签入",
                    "占用率", "示忙"],
                   [[a["agent_no"], a["name"], a["answered"], a["made"], _dur(a["talk_s"]), _dur(a.get("hold_s")),
                     _dur(a["wrapup_s"]), _dur(a["aht_s"]), a["ring_no_answer"], _dur(a["logged_in_s"]),
                     _when(a["first_login"])[11:] or "—", _pct(a["occupancy"]), _pauses(a["pause_s"])] for a in agents],
                   [12 * mm, 15 * mm, 10 * mm, 10 * mm, 14 * mm, 13 * mm, 14 * mm, 14 * mm, 11 * mm, 14 * mm, 13 * mm,
                    12 * mm, 28 * mm], wrap=(1, 12))

    def stations(self) -> None:
        self.h1("九、维修站")
        self.table(["维修站", "派单", "平均接单", "平均联系", "平均完成", "返单", "超4小时", "超时率", "返修", "返修率", "回访",
                    "满意率"],
                   [[st["name"], st["dispatched"], _dur(st["accept_avg_s"]), _dur(st["contact_avg_s"]),
                     _dur(st["complete_avg_s"]), st["complete_n"], st["over_limit"], _pct(st["over_limit_rate"]),
                     st["reopened"], _pct(st["reopened_rate"]), st["surveys"], _pct(st["satisfied_rate"])]
                    for st in self.r["stations"]],
                   [26 * mm, 11 * mm, 17 * mm, 17 * mm, 17 * mm, 11 * mm, 13 * mm, 14 * mm, 11 * mm, 14 * mm, 11 * mm,
                    18 * mm], wrap=(0,))

    def spots(self) -> None:
        r = self.r
        self.h1("十、热点(集中不热)、区域停热、重复来电与首次解决")
        self.table(["片区", "小区", "楼", "不热报修", "首报", "末报"],
                   [[h["district"], h["compound"], h["building"] or "全小区", h["repairs"], _when(h["first"]),
                     _when(h["last"])] for h in r["hot_spots"]],
                   [28 * mm, 40 * mm, 20 * mm, 20 * mm, 36 * mm, 36 * mm], wrap=(0, 1))
        self.outages()
        if r["repeat_callers"]:
            self.h2("重复来电")
            self.table(["来电号码", "来电次数", "报修单数"],
                       [[c["caller"], c["calls"], c["tickets"]] for c in r["repeat_callers"][:50]],
                       [60 * mm, 30 * mm, 30 * mm])
            if len(r["repeat_callers"]) > 50:
                self.note(f"另有 {len(r['repeat_callers']) - 50} 个号码,见 XLSX「重复来电」表")

    def outages(self) -> None:
        outages, f = self.r.get("outages"), self.r.get("formulas") or {}
        if outages is None:     # a day signed before the section existed
            return
        self.h2("区域停热")
        self.table(["区域", "发布", "预计恢复", "结束", "登记(按1)", "受影响住户", "恢复回电"],
                   [[o["area"], f"{o['declared_by']} {_when(o['declared_at'])[5:]}", _when(o["until"])[5:],
                     _when(o["ended_at"])[5:] if o["ended_at"] else "未结束", o["registered"], o["affected"],
                     f"{o['call_backs']}(未拨 {o['call_backs_refused']})" if o["call_backs_refused"]
                     else o["call_backs"]] for o in outages],
                   [44 * mm, 32 * mm, 22 * mm, 22 * mm, 18 * mm, 20 * mm, 22 * mm], wrap=(0, 1))
        if outages and "outages" in f:
            self.note(f["outages"])

    def differences(self) -> None:
        r = self.r
        self.h1("十一、核对与差异")
        self.h2("话务核对(queue_log 与话单)")
        self.table(["项目", "queue_log", "话单", "来电"],
                   [[d["what"], d["queue_log"], d["call_records"], " ".join(d["calls"][:5])]
                    for d in r["disagreements"]],
                   [70 * mm, 20 * mm, 20 * mm, 70 * mm], wrap=(0, 3))
        changed = r.get("differs_from_signed")
        if r["kind"] == "daily" and r.get("signed"):
            self.h2("与签核版本的差异")
            self.table(["数字", "签核时", "现在"], [[c["figure"], _num(c["signed"]), _num(c["now"])]
                                                for c in (changed or [])[:200]],
                       [110 * mm, 35 * mm, 35 * mm], wrap=(0,))
        if r["kind"] != "daily":
            self.h2("与签核不符的日子")
            self.table(["日期", "变化项数", "复核于", "举例"],
                       [[d["day"], d["changes"], _when(d.get("checked_at")),
                         ";".join(f"{c['figure']} {_num(c['signed'])}→{_num(c['now'])}" for c in d["figures"][:3])]
                        for d in r.get("days_differ") or []],
                       [25 * mm, 20 * mm, 30 * mm, 105 * mm], wrap=(3,))

    def formulas(self) -> None:
        f = self.r.get("formulas") or {}
        keys = [k for k in ("received", "completed", "followed_up", "open_by_age", "satisfaction", "resolution",
                            "complaint_rate", "over_limit_rate", "reopened_rate", "hold_s") if k in f]
        if keys:
            self.h2("口径说明")
            for k in keys:
                self.note(f[k])


def _numeric(v) -> bool:
    text = str(v)
    return bool(text) and (text.replace(".", "", 1).replace("%", "").replace("-", "", 1).isdigit() or text == "—")


def _pauses(p: dict) -> str:
    return " ".join(f"{k}{_dur(v)}" for k, v in p.items()) or "—"


# ------------------------------------------------------------------ the charts --

def _drawing(height: float, font: str) -> Drawing:
    d = Drawing(_WIDTH, height)
    d.initialFontName = font      # else the renderer starts each drawing in Helvetica, which never embeds
    return d


def _counts_axis(axis, top: float) -> None:
    """A value axis of whole numbers (calls, agents, repairs), a little above the highest."""
    step = max(1, -(-int(top) // 5))
    axis.valueMin, axis.valueStep = 0, step
    axis.valueMax = step * (-(-int(top) // step) + (1 if top % step == 0 else 0))


_SERIES = (colors.HexColor("#2563eb"), colors.HexColor("#16a34a"), colors.HexColor("#dc2626"))


def hours_chart(by_hour: list[dict], font: str) -> Drawing:
    """Calls offered and answered per hour (bars, left axis) against agents logged in (line, right axis)."""
    d = _drawing(62 * mm, font)
    x, y, w, h = 12 * mm, 14 * mm, _WIDTH - 26 * mm, 42 * mm
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = x, y, w, h
    bars.data = [[r["offered"] for r in by_hour], [r["answered"] for r in by_hour]]
    bars.categoryAxis.categoryNames = [f"{r['hour']:02d}" for r in by_hour]
    bars.categoryAxis.labels.fontName = bars.valueAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = bars.valueAxis.labels.fontSize = 6.5
    _counts_axis(bars.valueAxis, max(4, *(max(s) for s in bars.data)))
    bars.bars[0].fillColor, bars.bars[1].fillColor = _SERIES[0], _SERIES[1]
    bars.bars.strokeWidth = 0
    bars.groupSpacing, bars.barSpacing = 3, 0.5
    line = HorizontalLineChart()
    line.x, line.y, line.width, line.height = x, y, w, h
    line.data = [[r["agents_logged_in"] for r in by_hour]]
    line.joinedLines = 1
    line.lines[0].strokeColor, line.lines[0].strokeWidth = _SERIES[2], 1.5
    line.categoryAxis.visible = False
    line.categoryAxis.categoryNames = bars.categoryAxis.categoryNames
    _counts_axis(line.valueAxis, max(2, *line.data[0]))
    line.valueAxis.labels.fontName, line.valueAxis.labels.fontSize = font, 6.5
    line.valueAxis.joinAxis, line.valueAxis.joinAxisMode = line.categoryAxis, "right"
    d.add(bars)
    d.add(line)
    d.add(String(2, y + h + 3 * mm, "来电", fontName=font, fontSize=7))
    d.add(String(x + w - 4 * mm, y + h + 3 * mm, "在线座席", fontName=font, fontSize=7))
    d.add(String(x + w / 2, 2 * mm, "时段(时)", fontName=font, fontSize=7, textAnchor="middle"))
    legend = Legend()
    legend.x, legend.y = x + 4 * mm, y + h + 6 * mm
    legend.fontName, legend.fontSize, legend.alignment = font, 7, "right"
    legend.columnMaximum, legend.dxTextSpace, legend.deltax = 1, 3, 60
    legend.colorNamePairs = [(_SERIES[0], "进线"), (_SERIES[1], "接听"), (_SERIES[2], "在线座席")]
    d.add(legend)
    return d


def problems_chart(problems: list[tuple[str, int]], font: str) -> Drawing:
    """Repairs received by problem (bars)."""
    d = _drawing(45 * mm, font)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 12 * mm, 8 * mm, min(_WIDTH - 20 * mm, 30 * mm * len(problems)), 32 * mm
    bars.data = [[v for _, v in problems]]
    bars.categoryAxis.categoryNames = [w for w, _ in problems]
    bars.categoryAxis.labels.fontName = bars.valueAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 8
    bars.valueAxis.labels.fontSize = 7
    _counts_axis(bars.valueAxis, max(2, *bars.data[0]))
    bars.bars[0].fillColor = _SERIES[0]
    bars.barLabelFormat = "%d"
    bars.barLabels.fontName, bars.barLabels.fontSize, bars.barLabels.nudge = font, 7, 5
    d.add(bars)
    return d


# ------------------------------------------------------------------- the file --

def write_pdf(r: dict, target: Path | BinaryIO) -> None:
    """The report `r` (Reports.daily / period) as an A4 PDF at `target` (a path or a binary file)."""
    font = cjk_font()
    kind = KIND_TITLES.get(r["kind"], r["kind"])
    stamp = _stamp(r)

    def on_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.HexColor("#4b5563"))
        canvas.drawString(15 * mm, A4[1] - 9 * mm, f"大龙供暖报修热线 · {kind} {r['day']}")
        canvas.drawRightString(A4[0] - 15 * mm, A4[1] - 9 * mm, stamp)
        canvas.drawString(15 * mm, 8 * mm, f"生成于 {_when(r['generated_at'])}")
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        target = str(target)
    doc = SimpleDocTemplate(target, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=f"大龙供暖报修热线 {kind} {r['day']}", author="大龙供暖报修热线",
                            initialFontName=font, initialFontSize=9)
    doc.build(_Page(r, font).build(), onFirstPage=on_page, onLaterPages=on_page)


def _stamp(r: dict) -> str:
    if r["kind"] != "daily":
        return f"已签核 {r.get('days_signed', 0)} 天,未签核 {len(r.get('days_unsigned') or [])} 天"
    signed = r.get("signed")
    return f"已签核 {signed['by']} {_when(signed['at'])}" if signed else "未签核"
