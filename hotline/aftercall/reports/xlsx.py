"""The report as an XLSX workbook (openpyxl): one sheet per section with Chinese headers, numbers
as numbers (rates as percentages), a chart sheet (calls per hour against agents logged in, repairs
by problem). Phone numbers are masked; text that would start a formula stays text."""
from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from hotline.aftercall.reports.figures import AGES, ANOMALY_WORDS, CATEGORY_WORDS, CHANNEL_WORDS
from common.phones import mask_phone
from common.text import printable

#: a phone number inside free text (a complaint's note): a mobile, or a landline with its area code
_PHONE = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")
_BOLD = Font(bold=True)
ATTITUDE_WORDS = {"satisfied": "满意", "average": "普通", "unsatisfied": "不满意"}
STATE_WORDS = {"open": "未处理", "handled": "已处理", "closed": "已关闭"}


def recheck_note(r: dict) -> str:
    """What a period's differences from the archive rest on: since when its signed days were last
    re-checked against the data, and the signed days never re-checked (their differences unknown)."""
    since, unchecked = r.get("days_checked_since"), r.get("days_unchecked") or []
    return ";".join([*([f"签核日已于 {str(since).replace('T', ' ')[:16]} 起复核"] if since else []),
                     *([f"未复核:{'、'.join(unchecked)}"] if unchecked else [])])


def masked(text: str) -> str:
    """Text for a cell: phone numbers masked, control characters shown as escapes (\\e, \\n: a
    worksheet cannot hold them, and a reader's tool should not receive them)."""
    return _PHONE.sub(lambda m: mask_phone(m.group()), printable(text))


def _put(ws: Worksheet, row: list) -> None:
    ws.append([masked(v) if isinstance(v, str) else v for v in row])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"      # a resident's "=…" is text, never a formula


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], percent: tuple[int, ...] = ()) -> Worksheet:
    ws = wb.create_sheet(title)
    _put(ws, header)
    for c in ws[1]:
        c.font = _BOLD
    for r in rows:
        _put(ws, r)
    for col in percent:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = "0.0%"
    for i, h in enumerate(header, 1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, 2 * len(h) + 2)
    return ws


def write_xlsx(r: dict, path: Path | BinaryIO) -> None:
    """The report `r` as a workbook at `path` (a path or a binary file)."""
    wb = Workbook()
    wb.remove(wb.active)
    t, q, s = r["tickets"], r["queue"], r["tickets"]["survey"]
    kpi = r["kpi"]
    period = r["period"]
    _sheet(wb, "概览", ["指标", "数值"], [
        ["报表", f"{r['kind']} {period['from']} → {period['to']}"],
        ["生成时间", r["generated_at"]],
        ["受理报修", t["received"]], ["报修完成", t["completed"]], ["回访", t["followed_up"]],
        ["日终未完成", t["open_by_age"]["total"]], ["进线", q["offered"]], ["接听", q["answered"]],
        ["放弃", q["abandoned"]], ["服务水平", q["service_level_20s"]], ["客户满意度", kpi["satisfaction"]],
        ["问题解决率", kpi["resolution"]], ["客户投诉率", kpi["complaint_rate"]],
        ["首次解决率", "待定" if (r.get("first_call") or {}).get("status") == "pending"
         else kpi.get("first_call_resolution")],
        ["签发", (r.get("signed") or {}).get("by") or "未签发"],
    ])
    rows = [["问题", CATEGORY_WORDS.get(k, k), v] for k, v in t["by_problem"].items()]
    rows += [["片区", k, v] for k, v in t["by_district"].items()]
    rows += [["维修站", k, v] for k, v in t["by_station"].items()]
    rows += [["来源", CHANNEL_WORDS[k], v] for k, v in t["by_channel"].items()]
    _sheet(wb, "报修受理", ["分组", "项目", "数量"], rows)
    rows = [["维修站", k, v] for k, v in t["completed_by_station"].items()]
    rows += [["问题", CATEGORY_WORDS.get(k, k), v] for k, v in t["completed_by_problem"].items()]
    _sheet(wb, "报修完成", ["分组", "项目", "数量"], rows)
    _sheet(wb, "回访", ["回访次数", "已解决", "解决率", "满意", "普通", "不满意", "满意率", "平均分", "收费", "催缴提醒",
                      "座席回访", "自动回访"],
           [[s["surveys"], s["solved"], s["solved_rate"], *(s["attitude"][a] for a in ATTITUDE_WORDS),
             s["satisfied_rate"], s["score_avg"], s["charged"], s["fee_reminders"], s["by_agent"], s["by_ivr"]]],
           percent=(3, 7))
    _sheet(wb, "未完成", ["处理时长", "报修数"], [[w, t["open_by_age"][k]] for k, w, _h in AGES]
           + [["合计", t["open_by_age"]["total"]]])
    _sheet(wb, "异常事件", ["类型", "当日登记", "未处理", "已处理", "已关闭", "日终未关闭"],
           [[ANOMALY_WORDS.get(k, k), v["opened"], v["open"], v["handled"], v["closed"], v["open_at_end"]]
            for k, v in r["anomalies"].items()])
    _sheet(wb, "投诉", ["编号", "类型", "报修单", "登记时间", "内容", "状态", "处理结果", "处理时间", "关闭时间"],
           [[c["id"], c["label"], c["ticket"], c["opened_at"], c["note"], STATE_WORDS.get(c["state"], c["state"]),
             c["result"], c["handled_at"], c["closed_at"]] for c in r["complaints"]])
    cb = r["callbacks"]
    _sheet(wb, "回电", ["申请回电", "已联系上", "日终待回电", "已尝试", "首次回电平均(秒)", "首次回电最长(秒)"],
           [[cb["requested"], cb["reached"], cb["outstanding"], cb["attempted"], cb["first_attempt_avg_s"],
             cb["first_attempt_max_s"]]])
    rows = [[b["label"], b["count"], b["source"]] for b in q["breakdown"]] + [["进线合计", q["offered"], ""]]
    rows += [["其中放弃≤%d秒" % q["short_abandon_s"], q["abandoned_short"], "queue_log"]]
    if (r.get("ivr") or {}).get("outage_registered") is not None:
        rows += [["另:区域停热登记(未进队列,不计入进线)", r["ivr"]["outage_registered"], "call records"]]
    ws = _sheet(wb, "话务", ["项目", "数量", "来源"], rows)
    _put(ws, [])
    for label, key in (("服务水平", "service_level_20s"), ("SL (Asterisk)", "sl_asterisk"), ("SL2 (Asterisk)", "sl2"),
                       ("放弃率", "abandon_rate")):
        _put(ws, [label, q[key], q["formulas"].get(key, "")])
        ws.cell(ws.max_row, 2).number_format = "0.0%"
    for label, key in (("平均应答速度 ASA(秒)", "asa_s"), ("最长等待(秒)", "longest_wait_max_s"),
                       ("平均处理时长 AHT(秒)", "aht_s")):
        _put(ws, [label, q[key], q["formulas"].get(key, "")])
    hours = _sheet(wb, "分时话务", ["时段", "进线", "接听", "在线座席"],
                   [[f"{h['hour']:02d}:00", h["offered"], h["answered"], h["agents_logged_in"]] for h in q["by_hour"]])
    _ivr_sheet(wb, r)
    pause_reasons = sorted({k for a in r["agents"] for k in a["pause_s"]})
    _sheet(wb, "座席", ["工号", "姓名", "接听", "外呼", "通话(秒)", "保持(秒)", "保持次数", "话后整理(秒)", "平均处理(秒)",
                      "未接听振铃", "在线(秒)", "首次签入", "占用率", *(f"示忙:{p}(秒)" for p in pause_reasons)],
           [[a["agent_no"], a["name"], a["answered"], a["made"], a["talk_s"], a.get("hold_s"), a.get("holds"),
             a["wrapup_s"], a["aht_s"], a["ring_no_answer"], a["logged_in_s"], a["first_login"], a["occupancy"],
             *(a["pause_s"].get(p, 0) for p in pause_reasons)] for a in r["agents"]], percent=(13,))
    _sheet(wb, "维修站", ["编码", "维修站", "派单", "平均接单(秒)", "平均联系(秒)", "平均完成(秒)", "返单", "超4小时",
                        "超时率", "返修", "返修率", "回访", "满意率", "平均分"],
           [[st["station"], st["name"], st["dispatched"], st["accept_avg_s"], st["contact_avg_s"], st["complete_avg_s"],
             st["complete_n"], st["over_limit"], st["over_limit_rate"], st["reopened"], st["reopened_rate"],
             st["surveys"], st["satisfied_rate"], st["score_avg"]] for st in r["stations"]], percent=(9, 11, 13))
    _sheet(wb, "重复来电", ["来电号码", "来电次数", "报修单数"],
           [[c["caller"], c["calls"], c["tickets"]] for c in r["repeat_callers"]])
    _first_call_sheet(wb, r)
    _sheet(wb, "热点", ["片区", "小区", "楼", "不热报修", "首报", "末报", "报修单"],
           [[h["district"], h["compound"], h["building"], h["repairs"], h["first"], h["last"], " ".join(h["tickets"])]
            for h in r["hot_spots"]])
    _outages_sheet(wb, r)
    rows = [["话务核对", d["what"], d["queue_log"], d["call_records"], " ".join(d["calls"])]
            for d in r["disagreements"]]
    rows += [["与签发不符", c["figure"], str(c["signed"]), str(c["now"]), ""] for c in r.get("differs_from_signed") or []]
    rows += [["与签发不符", d["day"], d["changes"], f"已于 {str(d.get('checked_at') or '').replace('T', ' ')[:16]} 复核", ""]
             for d in r.get("days_differ") or []]
    rows += [["未复核", d, "", "", ""] for d in r.get("days_unchecked") or []]
    _sheet(wb, "差异", ["类别", "项目", "queue_log / 签发", "话单 / 现在", "来电"], rows)
    _charts(wb, hours, r)
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _figures(ws: Worksheet, rows: list[tuple], formulas: dict) -> None:
    """Figure rows (label, value, formula key, is a rate) under a 项目/数值/口径 header."""
    for label, value, key, rate in rows:
        _put(ws, [label, value, formulas.get(key, "") if key else ""])
        if rate:
            ws.cell(ws.max_row, 2).number_format = "0.0%"


def _ivr_sheet(wb: Workbook, r: dict) -> None:
    """语音导航: where callers hang up (by step), status look-ups, time in the IVR."""
    v = r.get("ivr")
    if v is None:          # a day signed before the section existed
        return
    ws = _sheet(wb, "语音导航", ["项目", "数值", "口径"], [])
    ws.column_dimensions["C"].width = 60
    f = r.get("formulas") or {}
    _figures(ws, [("呼入来电", v["calls"], None, False), ("IVR 中挂机", v["hung_up"], "ivr_hangups", False),
                  ("IVR 挂机率", v["hung_up_rate"], "ivr_hung_up_rate", True)]
             + ([("区域停热登记(按1)", v["outage_registered"], "ivr_outage_registered", False)]
                if "outage_registered" in v else [])
             + [(f"挂机于:{h['label']}", h["count"], None, False) for h in v["hangups"]]
             + [("自助查询进度", v["status_lookups"], "ivr_status_lookups", False),
                ("自助查询占来电", v["status_lookup_rate"], None, True),
                ("IVR 平均时长(秒)", v["time_avg_s"], "ivr_time", False), ("IVR 时长90%分位(秒)", v["time_p90_s"], None, False),
                ("IVR 最长时长(秒)", v["time_max_s"], None, False)], f)


def _outages_sheet(wb: Workbook, r: dict) -> None:
    """区域停热: each outage of the period, its callers who keyed 1 and the call-backs booked."""
    if "outages" not in r:     # a day signed before the section existed
        return
    ws = _sheet(wb, "区域停热", ["编号", "区域", "发布人", "发布时间", "预计恢复", "结束时间", "登记(按1)", "受影响住户",
                              "恢复回电", "号码策略未拨"],
                [[o["id"], o["area"], o["declared_by"], o["declared_at"], o["until"], o["ended_at"] or "未结束",
                  o["registered"], o["affected"], o["call_backs"], o["call_backs_refused"]] for o in r["outages"]])
    ws.column_dimensions["B"].width = 30
    for c in "DEF":
        ws.column_dimensions[c].width = 20
    if (r.get("formulas") or {}).get("outages"):
        _put(ws, [])
        _put(ws, [r["formulas"]["outages"]])


def _first_call_sheet(wb: Workbook, r: dict) -> None:
    """首次解决: first-call resolution (待定 while the window is open) and repeat callers."""
    fc = r.get("first_call")
    if fc is None:
        return
    ws = _sheet(wb, "首次解决", ["项目", "数值", "口径"], [])
    ws.column_dimensions["C"].width = 60
    pending = fc["status"] == "pending"
    _figures(ws, [("统计窗口(天)", fc["window_days"], None, False), ("受理报修", fc["received"], None, False),
                  ("窗口内再次来电", fc["called_again"], None, False), ("首次解决", fc["resolved_first"], None, False),
                  ("首次解决率", "待定" if pending else fc["fcr_rate"], "fcr", not pending),
                  ("目前首次解决率", fc["fcr_so_far"], None, True), ("来电号码", fc["callers"], None, False),
                  ("重复来电号码", fc["repeat_callers"], None, False), ("重复来电次数", fc["repeat_calls"], None, False),
                  ("重复来电率", fc["repeat_rate"], "repeat_rate", True)], r.get("formulas") or {})


def _charts(wb: Workbook, hours: Worksheet, r: dict) -> None:
    ws = wb.create_sheet("图表")
    n = len(r["queue"]["by_hour"])
    calls = BarChart()
    calls.title, calls.y_axis.title, calls.x_axis.title = "分时进线与接听", "来电", "时段"
    calls.add_data(Reference(hours, min_col=2, max_col=3, min_row=1, max_row=n + 1), titles_from_data=True)
    calls.set_categories(Reference(hours, min_col=1, min_row=2, max_row=n + 1))
    agents = LineChart()
    agents.add_data(Reference(hours, min_col=4, min_row=1, max_row=n + 1), titles_from_data=True)
    agents.y_axis.axId, agents.y_axis.title = 200, "在线座席"
    agents.y_axis.crosses = "max"
    calls += agents
    calls.width, calls.height = 24, 10
    ws.add_chart(calls, "A1")
    # the chart's own table: repairs by problem
    _put(ws, [])
    first = 24
    ws.cell(first, 1, "问题").font = _BOLD
    ws.cell(first, 2, "报修").font = _BOLD
    problems = list(r["tickets"]["by_problem"].items())
    for i, (k, v) in enumerate(problems, 1):
        ws.cell(first + i, 1, CATEGORY_WORDS.get(k, k))
        ws.cell(first + i, 2, v)
    bars = BarChart()
    bars.title, bars.y_axis.title = "报修按问题", "报修"
    bars.add_data(Reference(ws, min_col=2, min_row=first, max_row=first + max(1, len(problems))),
                  titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=first + max(1, len(problems))))
    ws.add_chart(bars, f"D{first}")
