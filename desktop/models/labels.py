"""Display labels of the wire's codes (ticket categories, states and priorities, anomaly types
and states), translated through the "Labels" context."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from common import wire

# Chinese source strings, translated through the "Labels" context; QT_TRANSLATE_NOOP
# marks them for pyside6-lupdate, which cannot see plain strings in a dict
CATEGORY_LABELS = {
    "no_heat": QT_TRANSLATE_NOOP("Labels", "暖气不热"), "leak": QT_TRANSLATE_NOOP("Labels", "漏水"),
    "noise": QT_TRANSLATE_NOOP("Labels", "噪音或异响"), "other": QT_TRANSLATE_NOOP("Labels", "缴费及其他")}
CATEGORY_ORDER = wire.CATEGORIES      # the order of the form's list
STATE_LABELS = {
    "draft": QT_TRANSLATE_NOOP("Labels", "草稿"), "new": QT_TRANSLATE_NOOP("Labels", "新建"),
    "dispatched": QT_TRANSLATE_NOOP("Labels", "已派单"), "accepted": QT_TRANSLATE_NOOP("Labels", "已接单"),
    "contacted": QT_TRANSLATE_NOOP("Labels", "已联系"),
    "completed": QT_TRANSLATE_NOOP("Labels", "已返单"), "followed_up": QT_TRANSLATE_NOOP("Labels", "已回访"),
    "closed": QT_TRANSLATE_NOOP("Labels", "已关闭"), "resolved": QT_TRANSLATE_NOOP("Labels", "已解决"),
    "cancelled": QT_TRANSLATE_NOOP("Labels", "已取消")}
#: a draft on the after-call lists: its call has ended and nobody's form holds it (#24)
UNCONFIRMED_LABEL = QT_TRANSLATE_NOOP("Labels", "待确认")
#: why a draft waits (wire.UNCONFIRMED_REASONS: the same words, here for the translation; a test keeps them equal)
UNCONFIRMED_REASON_LABELS = {
    "callback_requested": QT_TRANSLATE_NOOP("Labels", "按1预约回电"),
    "abandoned": QT_TRANSLATE_NOOP("Labels", "排队中挂机,待回电"),
    "after_hours_message": QT_TRANSLATE_NOOP("Labels", "非工作时间留言,待回电"),
    "no_agent": QT_TRANSLATE_NOOP("Labels", "无座席在线,待回电"),
    "max_wait": QT_TRANSLATE_NOOP("Labels", "排队超时,待回电"),
    "in_ivr_hangup": QT_TRANSLATE_NOOP("Labels", "语音导航中挂机"),
    "degraded": QT_TRANSLATE_NOOP("Labels", "降级期间来电"),
    "answered_unsaved": QT_TRANSLATE_NOOP("Labels", "座席接听后未保存"),
    "interrupted": QT_TRANSLATE_NOOP("Labels", "通话中断,待回电")}
YES = QT_TRANSLATE_NOOP("Labels", "是")
#: one priority scale end to end (wire.PRIORITIES): a value between two steps reads as the lower one
PRIORITY_LABELS = {wire.PRIORITY_NORMAL: QT_TRANSLATE_NOOP("Labels", "普通"),
                   wire.PRIORITY_URGENT: QT_TRANSLATE_NOOP("Labels", "加急"),
                   wire.PRIORITY_EMERGENCY: QT_TRANSLATE_NOOP("Labels", "紧急")}
#: 异常事件 1–9 of the rules, in the wire's order (wire.ANOMALY_TYPES)
ANOMALY_LABELS = {
    "station_late": QT_TRANSLATE_NOOP("Labels", "站点超时未接单"),
    "contact_late": QT_TRANSLATE_NOOP("Labels", "维修工超时未联系住户"),
    "over_4h": QT_TRANSLATE_NOOP("Labels", "报修超过4小时未完成"),
    "confirm_late": QT_TRANSLATE_NOOP("Labels", "系统: 待确认超时未确认"),
    "unreachable": QT_TRANSLATE_NOOP("Labels", "站点及维修工电话无人接听"),
    "praise": QT_TRANSLATE_NOOP("Labels", "表扬维修工"),
    "complaint_technician": QT_TRANSLATE_NOOP("Labels", "投诉维修工"),
    "complaint_billing": QT_TRANSLATE_NOOP("Labels", "投诉收费人员"),
    "suggestion": QT_TRANSLATE_NOOP("Labels", "建议"),
    "forwarded": QT_TRANSLATE_NOOP("Labels", "市/区供热办转办")}
#: the types a person records (4–9); 1–3 are the timers'
RECORDED_ANOMALY_TYPES = tuple(t for t in wire.ANOMALY_TYPES if t not in wire.ANOMALY_TIMER_TYPES)
ANOMALY_STATE_LABELS = {"open": QT_TRANSLATE_NOOP("Labels", "待处理"), "handled": QT_TRANSLATE_NOOP("Labels", "已处理"),
                        "closed": QT_TRANSLATE_NOOP("Labels", "已关闭")}


def tr_label(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def category_label(value: str | None) -> str:
    return tr_label(CATEGORY_LABELS[value]) if value in CATEGORY_LABELS else (value or "")


def state_label(value: str | None) -> str:
    return tr_label(STATE_LABELS[value]) if value in STATE_LABELS else (value or "")


def list_state_label(value: str | None) -> str:
    """A state on the after-call lists (工单, 回电): a draft there is one waiting to be confirmed."""
    return tr_label(UNCONFIRMED_LABEL) if value == "draft" else state_label(value)


def unconfirmed_reason_label(value: str | None) -> str:
    """Why a draft waits (a key of wire.UNCONFIRMED_REASONS); the server's words for a key the desk
    does not know yet, nothing for None."""
    if value in UNCONFIRMED_REASON_LABELS:
        return tr_label(UNCONFIRMED_REASON_LABELS[value])
    return wire.UNCONFIRMED_REASONS.get(value or "", value or "")


def priority_label(value) -> str:
    try:
        v = int(value or 0)
    except (TypeError, ValueError):
        return str(value)
    step = max((p for p in wire.PRIORITIES if p <= v), default=wire.PRIORITY_NORMAL)
    return tr_label(PRIORITY_LABELS[step])


def anomaly_label(value: str | None) -> str:
    """"投诉维修工" with its number in the rules' list (6), the way the register speaks of them."""
    if value not in ANOMALY_LABELS:
        return value or ""
    number = wire.ANOMALY_TYPES.index(value) + 1
    # the customer's types are 1–9; the system's own timers (confirm_late) carry no number of theirs
    return f"{number} {tr_label(ANOMALY_LABELS[value])}" if number <= 9 else tr_label(ANOMALY_LABELS[value])


def anomaly_state_label(value: str | None) -> str:
    return tr_label(ANOMALY_STATE_LABELS[value]) if value in ANOMALY_STATE_LABELS else (value or "")


# ---- quality checks (#28): findings (wire.QA_FINDINGS: the same words, a test keeps them equal), legs, results
FINDING_LABELS = {
    "nonstandard_phrase": QT_TRANSLATE_NOOP("Labels", "接报用语不标准"),
    "misleading": QT_TRANSLATE_NOOP("Labels", "错误引导"),
    "invalid_promise": QT_TRANSLATE_NOOP("Labels", "无效承诺"),
    "wrong_address": QT_TRANSLATE_NOOP("Labels", "地址填写错误"),
    "wrong_phone": QT_TRANSLATE_NOOP("Labels", "电话填写错误"),
    "wrong_station": QT_TRANSLATE_NOOP("Labels", "选错维修站"),
    "complaint": QT_TRANSLATE_NOOP("Labels", "投诉"),
    "voice": QT_TRANSLATE_NOOP("Labels", "声音不甜美"),
    "praise": QT_TRANSLATE_NOOP("Labels", "闪光点")}
DIRECTION_LABELS = {"in": QT_TRANSLATE_NOOP("Labels", "来电"), "out": QT_TRANSLATE_NOOP("Labels", "外呼"),
                    "survey": QT_TRANSLATE_NOOP("Labels", "回访"), "transfer": QT_TRANSLATE_NOOP("Labels", "转接")}
ITEM_RESULT_LABELS = {"pass": QT_TRANSLATE_NOOP("Labels", "合格"), "fail": QT_TRANSLATE_NOOP("Labels", "不合格"),
                      "na": QT_TRANSLATE_NOOP("Labels", "不适用")}
HEALTH_LABELS = {"ok": QT_TRANSLATE_NOOP("Labels", "正常"), "short": QT_TRANSLATE_NOOP("Labels", "过短"),
                 "empty": QT_TRANSLATE_NOOP("Labels", "空录音"), "missing": QT_TRANSLATE_NOOP("Labels", "缺失"),
                 "broken": QT_TRANSLATE_NOOP("Labels", "封存损坏"), "": QT_TRANSLATE_NOOP("Labels", "录音中")}
SCORECARD_LABELS = {"intake": QT_TRANSLATE_NOOP("Labels", "接报标准"),
                    "intake_relaxed": QT_TRANSLATE_NOOP("Labels", "放宽标准"),
                    "survey": QT_TRANSLATE_NOOP("Labels", "回访标准")}


def _coded(labels: dict, value) -> str:
    return tr_label(labels[value]) if value in labels else str(value or "")


def finding_label(value: str | None) -> str:
    return _coded(FINDING_LABELS, value)


def direction_label(value: str | None) -> str:
    return _coded(DIRECTION_LABELS, value)


def item_result_label(value: str | None) -> str:
    return _coded(ITEM_RESULT_LABELS, value)


def health_label(value: str | None) -> str:
    return _coded(HEALTH_LABELS, value or "")


def scorecard_label(value: str | None) -> str:
    return _coded(SCORECARD_LABELS, value)


# ---- the agent board (#30): an agent's state and an alert's kind (wire.BOARD_STATE_LABELS and
# wire.ALERT_LABELS: the same words, here for the translation; a test keeps them equal)
BOARD_STATE_LABELS = {
    "free": QT_TRANSLATE_NOOP("Labels", "空闲"), "ringing": QT_TRANSLATE_NOOP("Labels", "振铃"),
    "talking": QT_TRANSLATE_NOOP("Labels", "通话中"), "wrapup": QT_TRANSLATE_NOOP("Labels", "话后整理"),
    "paused": QT_TRANSLATE_NOOP("Labels", "示忙"), "unregistered": QT_TRANSLATE_NOOP("Labels", "话机未注册"),
    "logged_out": QT_TRANSLATE_NOOP("Labels", "未登录")}
ALERT_LABELS = {
    "long_wait": QT_TRANSLATE_NOOP("Labels", "等待过长"), "no_agent_free": QT_TRANSLATE_NOOP("Labels", "有来电无空闲座席"),
    "nobody_logged_in": QT_TRANSLATE_NOOP("Labels", "值班时段无人登录"),
    "long_pause": QT_TRANSLATE_NOOP("Labels", "示忙超时"),
    "service_level": QT_TRANSLATE_NOOP("Labels", "服务水平低于目标"), "hot_spot": QT_TRANSLATE_NOOP("Labels", "集中报修")}


def board_state_label(value: str | None) -> str:
    return _coded(BOARD_STATE_LABELS, value)


def alert_label(value: str | None) -> str:
    return _coded(ALERT_LABELS, value)


# ---- a station told by phone (#30): the last outcome of a ticket's station call (wire.SAMPLE_TIMELINE's
# station_calls; the codes are hotline.aftercall.station_calls')
STATION_CALL_LABELS = {
    "requested": QT_TRANSLATE_NOOP("Labels", "待拨出"), "placed": QT_TRANSLATE_NOOP("Labels", "正在拨打"),
    "answered": QT_TRANSLATE_NOOP("Labels", "已接通,播报中"), "busy": QT_TRANSLATE_NOOP("Labels", "占线"),
    "no_answer": QT_TRANSLATE_NOOP("Labels", "无人接听"), "failed": QT_TRANSLATE_NOOP("Labels", "未接通"),
    "accepted": QT_TRANSLATE_NOOP("Labels", "已按1接单"),
    "refused": QT_TRANSLATE_NOOP("Labels", "值班电话不在允许拨打的号码内,未拨"),
    "moot": QT_TRANSLATE_NOOP("Labels", "工单已变更,无需再通知"),
    "off": QT_TRANSLATE_NOOP("Labels", "派单电话通知未开启")}


def station_call_label(value: str | None) -> str:
    return _coded(STATION_CALL_LABELS, value)
