"""The agent API's wire contract, shared by the service (hotline.service.api, schemas, desk) and
the desk (desktop.services): routes, pushed event types, the ticket form's fields and limits,
and one sample screen pop. Stdlib only, so an agent PC imports it without the server's libraries.
A change here changes both ends at once; tests/unit check the service's answers keep to it."""
from __future__ import annotations

from urllib.parse import quote

# ---- routes (aiohttp patterns; `path()` fills them for a client) -----------------------------
HEALTH = "/api/health"
LOGIN = "/api/login"
LOGOUT = "/api/logout"
ME = "/api/me"
WS = "/api/ws"
SCRIPT = "/api/script"
STATIONS = "/api/stations"
QUEUE = "/api/agent/queue"
PAUSE = "/api/agent/pause"
#: the transfer directory: logged-in team leads and agents with their state (GET)
DIRECTORY = "/api/agent/directory"
WRAPUP_DONE = "/api/agent/wrapup/done"
REJECT = "/api/calls/{uniqueid}/reject"
AGENTS = "/api/agents"
ACCOUNTS = "/api/accounts"
ACCOUNT = "/api/accounts/{account_no}"
POP = "/api/calls/{uniqueid}/pop"
DRAFTS = "/api/tickets/drafts"
TICKETS = "/api/tickets"
TICKET = "/api/tickets/{number}"
TICKET_DRAFT = "/api/tickets/{number}/draft"
TICKET_ASSIGN = "/api/tickets/{number}/assign"
TICKET_VOICE = "/api/tickets/{number}/voice"
RECORDINGS = "/api/recordings"
RECORDING_AUDIO = "/api/recordings/{rid}/audio"
AUDIT = "/api/audit"
# after the call (team leads, the head, stations): GET TICKETS lists (filters below), POST TICKETS
# makes one on a call (above); a ticket's state moves, re-opening, the anomaly register
TICKET_STATE = "/api/tickets/{number}/state"        # POST {state, note, station_code?}
TICKET_REOPEN = "/api/tickets/{number}/reopen"      # POST {note}: a linked follow-up ticket
# 待确认 (#24): a draft whose call has ended, confirmed by a team lead (and dispatched in the same step)
TICKET_CONFIRM = "/api/tickets/{number}/confirm"    # POST {station_code?, dispatch, note?}: draft → new (→ dispatched)
ANOMALIES = "/api/anomalies"                        # GET ?open=1 | POST {type, ticket?, note}
ANOMALY_HANDLE = "/api/anomalies/{aid}/handle"      # POST {result}: open → handled
ANOMALY_CLOSE = "/api/anomalies/{aid}/close"        # POST {result}: → closed
ANOMALY_ACK = "/api/anomalies/{aid}/ack"            # POST: this person saw the escalation
ANOMALIES_UNACKED = "/api/anomalies/unacknowledged"  # GET: escalations this person has not seen
# the worklists (#15): call-backs (agents and team leads; the escalated ones are the team leads') and
# 回访, the follow-up survey of a completed repair (agents and team leads)
CALLBACKS = "/api/callbacks"                        # GET ?open=1 (default) | ?open=0: every entry ever
CALLBACK_TAKE = "/api/callbacks/{number}/take"      # POST: this agent calls them (others see it taken)
CALLBACK_OUTCOME = "/api/callbacks/{number}/outcome"  # POST {outcome, note}: CALLBACK_OUTCOMES, or closed
SURVEYS = "/api/surveys"                            # GET: completed repairs due for 回访, oldest first
SURVEY = "/api/surveys/{number}"                    # POST SURVEY_FIELDS: saved → followed_up
SURVEY_BOOK = "/api/surveys/{number}/book"          # POST {at, note}: not convenient, call again then
# click-to-call (calls out, #15): the service rings this agent's own phone, then the entry's resident
# (the number is the ticket's, on the server); answered SAMPLE_CALL_OUT
CALLBACK_CALL = "/api/callbacks/{number}/call"      # POST: agents on an entry they hold, team leads any
SURVEY_CALL = "/api/surveys/{number}/call"          # POST: a 回访 entry

# the reports (#27): team leads, the head, admins and statisticians read them (the same JSON as `hotline
# report … --json`); the head or a statistician signs a finished day, which freezes it
REPORT_DAILY = "/api/reports/daily"                 # GET ?date=YYYY-MM-DD
REPORT_PERIOD = "/api/reports/period/{kind}"        # GET ?date=: kind weekly | monthly | season
REPORT_SIGN = "/api/reports/daily/sign"             # POST {date}
REPORT_KINDS = ("weekly", "monthly", "season")
#: the report as a file to download (the bytes, with a Content-Disposition filename), audited as an export
REPORT_FILE = "/api/reports/file"                   # GET ?kind=daily|REPORT_KINDS&date=YYYY-MM-DD&format=
REPORT_FORMATS = ("xlsx", "pdf")
#: the drill-down: the repairs or calls behind a figure (its dotted key in the report, a bucket of it
#: as value), answered {figure, value, kind, rows_are: tickets|calls, count, rows, truncated}
REPORT_DRILL = "/api/reports/drill"                 # GET ?date=&figure=[&value=][&kind=weekly|monthly|season]
#: who reads reports (the 报表 tab, the routes above) and who signs a day; the server's rule and the desk's tab.
#: The statistician (统计员) reads and signs reports and does nothing else (STATISTICIAN_ROUTES)
REPORT_READER_ROLES = ("team_lead", "head", "admin", "statistician")
REPORT_SIGNER_ROLES = ("head", "statistician")

# quality checks on recordings (#28): finding a recording (GET RECORDINGS with RECORDING_FILTERS),
# deleting an empty one (a team lead's application), the samples, scorecards, checks, peer listening
RECORDING_DELETE = "/api/recordings/{rid}/delete"   # POST {reason}: team leads, an empty recording only
QA_SCORECARDS = "/api/qa/scorecards"                # GET: the standards in force, newest version of each
QA_SAMPLE = "/api/qa/sample"                        # GET ?date= | POST {recording}: a lead adds a call by hand
QA_WEEKLY = "/api/qa/sample/weekly"                 # GET ?date=: the head's sample of the week holding date
QA_CHECKS = "/api/qa/checks"                        # GET ?date= | POST QA_CHECK_FIELDS: a written result
QA_PEER = "/api/qa/peer"                            # GET: this agent's colleagues' recordings to listen to today
QA_PEER_MARK = "/api/qa/peer/{pid}"                 # POST {findings, note}: listened, with findings or clean
QA_PROPOSALS = "/api/qa/proposals"                  # GET ?open=1: findings the tickets' corrections propose
QA_PROPOSAL = "/api/qa/proposals/{pid}"             # POST {confirm, note}: a team lead confirms or dismisses
QA_RESULTS = "/api/qa/results"                      # GET ?month=YYYY-MM: per agent, per checker
# live listen-in (实时监听, #28): a team lead's own phone rings and, answered, hears the agent's call
# (ChanSpy in the dialplan's [listen-in], team leads' phones only); whisper: the agent hears the lead too
LISTEN_IN = "/api/agents/{agent_no}/listen"         # POST {whisper}: answered like SAMPLE_CALL_OUT (kind listen)

# supervision (#30): the agent board (team leads, the head, admins), acting on an agent from it (audited),
# alerts (acknowledged, audited), outage notices (区域停热), a station called on dispatch by phone
BOARD = "/api/board"                                # GET: SAMPLE_BOARD's shape
AGENT_UNPAUSE = "/api/agents/{agent_no}/unpause"    # POST {note}: a long pause forced back to 示闲
AGENT_SIGN_OUT = "/api/agents/{agent_no}/sign-out"  # POST {note}: their session ended, out of the queue
ALERTS = "/api/alerts"                              # GET ?open=1 (default) | ?open=0: today's all
ALERT_ACK = "/api/alerts/{aid}/ack"                 # POST {note}: this lead saw it and acts
OUTAGES = "/api/outages"                            # GET ?open=1 | POST {area, until, message}: team leads, the head
OUTAGE_END = "/api/outages/{oid}/end"               # POST {call_back}: ended (optionally 供热已恢复 calls)
STATION_NOTIFY = "/api/tickets/{number}/notify-station"  # POST: call the ticket's station's duty phone now
# the wall display: a read-only page for a big screen, opened with a display token (`hotline display-token
# create`) that grants nothing else; its figures as JSON and live as server-sent events
WALL = "/wall"                                      # GET ?token=: the HTML page
WALL_DATA = "/wall/data"                            # GET ?token=: SAMPLE_WALL's shape
WALL_EVENTS = "/wall/events"                        # GET ?token=: text/event-stream, one `wall` event per change
#: routes checked by a display token (not a session): nothing else accepts one
DISPLAY_ROUTES = (WALL, WALL_DATA, WALL_EVENTS)
#: the wall page's script and style: static, no figure in them, so served without a token (the page's
#: Content-Security-Policy allows no inline script: they are files of the same origin)
WALL_ASSETS = ("/wall/wall.js", "/wall/wall.css")

#: for supervisors (systemd, a load balancer): 200 once FastAGI, AMI and the database are up, else 503
READY = "/api/ready"
#: Prometheus' scrape (text format), no session: the server itself alone, or with HOTLINE_METRICS_TOKEN
#: as a bearer token; figures only (no number, no name). Not the desk's: it is named here as a route
#: the agent API serves
METRICS = "/metrics"
#: routes answered without a session
PUBLIC = (HEALTH, READY, LOGIN, METRICS, *WALL_ASSETS)  # (and DISPLAY_ROUTES: their own token)
#: roles whose whole work is the reports (the statistician, 统计员: reads every report, drills down, exports,
#: signs a day), and the (method, route)s they reach besides PUBLIC: their session, the reports, and the
#: QA results the reports draw on. The service refuses them every other route (403, audited) before any
#: rule runs; they have no phone, no tickets, no worklists, no recordings
REPORT_ONLY_ROLES = ("statistician",)
REPORT_ONLY_ROUTES = (("POST", LOGOUT), ("GET", ME), ("GET", WS), ("GET", REPORT_DAILY), ("GET", REPORT_PERIOD),
                      ("POST", REPORT_SIGN), ("GET", REPORT_FILE), ("GET", REPORT_DRILL), ("GET", QA_RESULTS))


def path(route: str, **params) -> str:
    """``path(TICKET, number="2611230001")`` → '/api/tickets/2611230001' (each value URL-quoted)."""
    return route.format(**{k: quote(str(v), safe="") for k, v in params.items()})


# ---- pushed events (the WebSocket's "type") ---------------------------------------------------
EV_HELLO = "hello"
EV_SCREEN_POP = "screen_pop"
EV_CALL_ANSWERED = "call_answered"
EV_CALL_ENDED = "call_ended"
EV_AGENT_STATE = "agent_state"
EV_SESSION_ENDED = "session_ended"
EV_TELEPHONY_RESTARTED = "telephony_restarted"
EV_ANOMALY = "anomaly"                    # {anomaly, escalated}: to team leads and the head
EV_TICKET_CHANGED = "ticket_changed"      # {ticket}: to the ticket's station and the team leads
EV_CALLBACK = "callback"                  # {callback}: an entry taken, tried, cleared — to agents and leads
EV_RING_NO_ANSWER = "ring_no_answer"      # the agent let a queue call ring out (or rejected it): paused
EV_STORAGE = "storage"                    # {storage}: the recordings disk low / files flagged — to leads and the head
#: {report_mail}: where the daily report's e-mail stands (REPORT_MAIL_STATES; failed or late shown) — to
#: leads and the head, and in their hello
EV_REPORT_MAIL = "report_mail"
REPORT_MAIL_STATES = ("off", "misconfigured", "sending", "sent", "sent_late", "late", "failed")
#: {hot_spot, new}: a compound or building with many no-heat repairs in the window (the report's hot spot: a
#: network fault, not N repairs) — to leads and the head when it appears (new) or grows; the reporting day's
#: ones are in their hello ("hot_spots", a list). `key` is the drill-down's value (REPORT_DRILL figure hot_spots)
EV_HOT_SPOT = "hot_spot"
SAMPLE_HOT_SPOT = {"day": "2026-11-23", "key": "铁西区/兴华北街/3", "district": "铁西区", "compound": "兴华北街",
                   "building": "3", "repairs": 4, "first": "2026-11-23T09:05:00", "last": "2026-11-23T09:41:00"}

#: {board}: the agent board (SAMPLE_BOARD) when anything on it changed, at most once a second — to leads,
#: the head and admins
EV_BOARD = "board"
#: {alert, new}: an alert raised (new), acknowledged or cleared — to leads, the head and admins
EV_ALERT = "alert"
#: an agent's state on the board, and how long they have been in it (`since`, `seconds`)
BOARD_STATES = ("free", "ringing", "talking", "wrapup", "paused", "unregistered", "logged_out")
BOARD_STATE_LABELS = {"free": "空闲", "ringing": "振铃", "talking": "通话中", "wrapup": "话后整理",
                      "paused": "示忙", "unregistered": "话机未注册", "logged_out": "未登录"}
ALERT_KINDS = ("long_wait", "no_agent_free", "nobody_logged_in", "long_pause", "service_level", "hot_spot")
ALERT_LABELS = {"long_wait": "等待过长", "no_agent_free": "有来电无空闲座席", "nobody_logged_in": "值班时段无人登录",
                "long_pause": "示忙超时", "service_level": "服务水平低于目标", "hot_spot": "集中报修"}
SAMPLE_ALERT = {"id": 3, "kind": "long_pause", "subject": "1002", "message": "1002 王强 小休 已 41 分钟(上限 15 分钟)",
                "raised_at": "2026-11-23T03:12:00", "cleared_at": None, "acked_by": None, "acked_at": None,
                "ack_note": ""}
#: an outage (区域停热): `area` is 区/小区[/楼号]; `affected` counts the callers who keyed 1 on its notice
OUTAGE_AREA_MAX = 120
OUTAGE_MESSAGE_MAX = 300
SAMPLE_OUTAGE = {"id": 2, "area": "和平区/幸福里小区", "until": "2026-12-02T18:00:00", "message":
                 "幸福里小区因主管道抢修暂停供热,预计今天18点恢复", "declared_by": "1101",
                 "declared_at": "2026-12-02T09:30:00", "ended_at": None, "affected": 17, "call_back": False,
                 #: its 供热已恢复 calls (an outage ended with the call-back): booked to be dialled, reached,
                 #: failed (given up), still to call or on the line, numbers the policy refuses
                 "call_backs": {"requested": 0, "reached": 0, "failed": 0, "pending": 0, "refused": 0}}
SAMPLE_BOARD = {
    "now": "2026-11-23T03:12:30",
    "agents": [{"agent_no": "1001", "name": "张丽", "role": "agent", "state": "talking",
                "since": "2026-11-23T03:10:02", "seconds": 148, "caller": "139******78", "reason": "",
                "wrapup_left_s": 0, "calls_today": 14, "logged_in": True, "registered": True},
               {"agent_no": "1002", "name": "王强", "role": "agent", "state": "paused",
                "since": "2026-11-23T02:31:00", "seconds": 2490, "caller": "", "reason": "小休",
                "wrapup_left_s": 0, "calls_today": 9, "logged_in": True, "registered": True}],
    #: callers in the queue, longest first: position, masked number, seconds waited, priority, IVR answers
    "waiting": [{"uniqueid": "1700000000.77", "position": 1, "caller": "135******01", "wait_s": 95,
                 "priority": 50, "ivr": {"category": "no_heat", "district": "和平区"}}],
    "alerts": [SAMPLE_ALERT],
    "outages": [SAMPLE_OUTAGE],
    "summary": {"waiting": 1, "longest_wait_s": 95, "service_level": 0.86, "answered_today": 212,
                "agents_by_state": {"talking": 1, "paused": 1}, "open_repairs": 37, "overdue_repairs": 4,
                "open_complaints": 2, "hot_spots": [SAMPLE_HOT_SPOT]},
}
#: the wall display's figures: the board's summary, alerts and outages, no agent names, no numbers
SAMPLE_WALL = {"now": SAMPLE_BOARD["now"], "summary": SAMPLE_BOARD["summary"], "alerts": [SAMPLE_ALERT],
               "outages": [SAMPLE_OUTAGE]}

#: pause reasons the server sets itself (never accepted from a desk): after-call work, and a
#: ring that was not answered (autopause); the agent's own come from the login answer
WRAPUP_REASON = "话后整理"
NO_ANSWER_REASON = "未接听"

# ---- the transfer directory (GET DIRECTORY: {"entries": [{agent_no, name, role, state, in_queue, reason}]})
#: an entry's state, in the order the directory lists them (free first)
DIRECTORY_STATES = ("free", "ringing", "on_call", "paused", "unregistered")
#: a transfer target as the desk sends it and the dialplan dials it ([transfer]: 3 to 6 digits)
TRANSFER_TARGET_PATTERN = r"[0-9]{3,6}"

# ---- the ticket form (PUT /api/tickets/{n} and its /draft) ------------------------------------
AGENT_NO_MAX = 16
PASSWORD_MAX = 256
PAUSE_REASON_MAX = 64
ADDRESS_MAX = 255
NAME_MAX = 64
CALLBACK_MAX = 20
STATION_CODE_MAX = 16
ACCOUNT_NO_MAX = 20
NOTES_MAX = 4000
#: one priority scale end to end (IVR, queue, ticket, desk): 普通 / 加急 / 紧急; the IVR files a leak
#: as 加急, and the queue serves a higher number first
PRIORITY_NORMAL, PRIORITY_URGENT, PRIORITY_EMERGENCY = 0, 50, 90
PRIORITIES = (PRIORITY_NORMAL, PRIORITY_URGENT, PRIORITY_EMERGENCY)

FORM_FIELDS = ("category", "address", "name", "callback_number", "confirmed_problem", "confirmed_address",
               "confirmed_name", "confirmed_phone", "station_code", "priority", "notes", "account_no", "resolved",
               "cancel_reason")
CATEGORIES = ("no_heat", "leak", "noise", "other")
#: ticket states as the wire carries them (db.models.TicketState is the domain's; a unit test keeps them equal)
TICKET_STATES = ("draft", "new", "dispatched", "accepted", "contacted", "completed", "followed_up", "resolved",
                 "closed", "cancelled")
#: a ticket list's filters (GET TICKETS ?state=&station=&district=&category=&priority=&overdue=1&q=)
TICKET_FILTERS = ("state", "station", "district", "category", "priority", "overdue", "q", "unconfirmed")
#: roles as the login answer names them; a station's people see only their station's tickets
ROLES = ("agent", "team_lead", "head", "admin", "station", "statistician")
SUPERVISOR_ROLES = ("team_lead", "head", "admin")
#: the login answer's "user" ({agent_no, name, role}); a station user's also names its station
#: (code and name), which the desk shows on its 工单 screen. A station has no phone: its login
#: answers "sip": null (everyone else's: {username, password, server, port, extension}, the
#: password good until this session's logout)
SAMPLE_STATION_USER = {"agent_no": "5101", "name": "铁西维修站 值班", "role": "station",
                       "station_code": "TX", "station": "铁西维修站"}
#: the anomaly register (异常事件 1–9 of the rules): raised by timers (1–3) or recorded (4–9);
#: complaints (6, 7, 9) are escalated at once and stay on the leads' desks until acknowledged
ANOMALY_TYPES = ("station_late", "contact_late", "over_4h", "unreachable", "praise", "complaint_technician",
                 "complaint_billing", "suggestion", "forwarded", "confirm_late")
#: confirm_late is the system's own (not one of the customer's 1–9): a 待确认 repair not confirmed in time
ANOMALY_TIMER_TYPES = ("station_late", "contact_late", "over_4h", "confirm_late")
ANOMALY_ESCALATED = ("complaint_technician", "complaint_billing", "forwarded")
ANOMALY_STATES = ("open", "handled", "closed")

#: a screen pop as hotline.service.desk.DeskService.pop builds it (ticket numbers are yymmdd +
#: a 4-digit sequence, as ivr.context issues them) — for `hotline-desk --sample` and the tests
SAMPLE_POP = {
    "type": EV_SCREEN_POP, "uniqueid": "1700000000.42", "caller": "13912345678",
    "account": {"account_no": "2024000137", "name": "王秀兰", "address": "铁西区 兴华北街 12号楼 3单元 502",
                "district": "铁西区", "phones": ["13912345678", "024-25671234"],
                "station": {"code": "TX", "name": "铁西维修站", "phone": "024-25670000"}},
    "history": [
        {"number": "2611010007", "state": "closed", "category": "no_heat", "created_at": "2026-11-01T08:12:00",
         "station": "铁西维修站", "callback_requested": False},
        {"number": "2512030031", "state": "followed_up", "category": "leak",
         "created_at": "2025-12-03T19:40:00", "station": "铁西维修站", "callback_requested": True}],
    "ticket": {"number": "2611230012", "state": "draft", "category": "no_heat", "account_no": "2024000137",
               "caller_number": "13912345678", "callback_number": "13912345678",
               "address": "铁西区 兴华北街 12号楼 3单元 502", "name": "王秀兰", "description": "",
               "priority": 0, "has_voice": True, "station_code": "TX", "station": "铁西维修站",
               "created_at": "2026-11-23T10:01:00", "callback_requested": False,
               "confirmed": {"problem": False, "address": False, "name": False, "phone": False},
               "draft_form": None},
    "ivr": {"category": "no_heat", "callback_number": "13912345678",
            "voice_url": "/api/tickets/2611230012/voice"},
    #: the caller is on the call-back list: its oldest open entry (SAMPLE_CALLBACK's shape), or None
    "callback": None,
}
#: GET /api/script as the service answers it for 工号 1001 on a normal day (a unit test checks)
SAMPLE_SCRIPT = {"opening": "您好,大龙供暖报修 1001 为您服务,请问您有什么问题?",
                 "questions": [{"check": "problem", "text": "(跟读确认问题)"},
                               {"check": "address", "text": "请问您的具体地址?(跟读确认地址)"},
                               {"check": "name", "text": "请问您的姓名?(跟读确认姓名)"},
                               {"check": "phone", "text": "请留一下联系电话?(跟读确认电话)"}],
                 "closing": "好!维修人员会尽快跟您联系。感谢您的来电。再见!"}
#: one row of GET TICKETS (and the head of GET TICKET for a supervisor): age in minutes since it was
#: made, `overdue` when an anomaly timer is past (or an anomaly of it is open past its deadline)
SAMPLE_TICKET_ROW = {"number": "2611230012", "state": "dispatched", "category": "leak", "priority": 50,
                     "created_at": "2026-11-23T10:01:00", "station": "铁西维修站", "station_code": "TX",
                     "district": "铁西区", "address": "铁西区 兴华北街 12号楼 3单元 502", "name": "王秀兰",
                     "callback_number": "13912345678", "callback_requested": False, "age_min": 47,
                     "overdue": True, "open_anomalies": 1, "age_s": 2820, "reason": None}
#: GET TICKETS?unconfirmed=1: the drafts of calls that have ended, nobody's form any more (待确认); a
#: row's "reason" says why it is there (UNCONFIRMED_REASONS); every other row's reason is None
UNCONFIRMED = "unconfirmed"
#: why a draft waits for confirmation: the call-back it booked (CALLBACK_REASONS), the degraded path
#: (the IVR never ran; read back from queue_log), an agent who answered and never saved, or a hang-up
#: in the IVR after the problem was keyed
UNCONFIRMED_REASONS = {"callback_requested": "按1预约回电", "abandoned": "排队中挂机,待回电",
                       "after_hours_message": "非工作时间留言,待回电", "no_agent": "无座席在线,待回电",
                       "max_wait": "排队超时,待回电", "in_ivr_hangup": "语音导航中挂机",
                       "degraded": "降级期间来电", "answered_unsaved": "座席接听后未保存",
                       "interrupted": "通话中断,待回电"}
#: GET TICKET's additions after the call: the timeline, the anomalies, the links of a re-opened repair
SAMPLE_TIMELINE = {"history": [{"state": "draft", "at": "2026-11-23T10:01:00", "by": "ivr", "note": ""},
                               {"state": "new", "at": "2026-11-23T10:03:10", "by": "1001", "note": ""},
                               {"state": "dispatched", "at": "2026-11-23T10:05:00", "by": "1101",
                                "note": "派铁西维修站"}],
                   "anomalies": [{"id": 7, "type": "station_late", "state": "open", "opened_at": "2026-11-23T10:35:00",
                                  "deadline": "2026-11-23T11:35:00", "owner": None, "note": "", "result": ""}],
                   "followup_of": None, "followups": [],
                   # the calls that told the station (#30), oldest first: SAMPLE_STATION_CALL without the
                   # ticket's fields; outcome requested, placed, answered, busy, no_answer, failed,
                   # accepted, refused, moot or off
                   "station_calls": [{"call": 12, "station": "TX", "outcome": "no_answer", "attempts": 1,
                                      "at": "2026-11-23T10:05:00", "answered_at": None,
                                      "next_at": "2026-11-23T10:10:00", "ended_at": None}]}
#: one entry of the anomaly register (GET ANOMALIES; EV_ANOMALY's "anomaly")
SAMPLE_ANOMALY = {"id": 8, "type": "complaint_technician", "state": "open", "ticket": "2611230012",
                  "opened_at": "2026-11-23T11:02:00", "opened_by": "1001", "deadline": "2026-11-24T11:02:00",
                  "owner": "1101", "note": "住户投诉维修工态度差", "result": "", "escalated": True,
                  "acknowledged": False, "about_agent": None, "overdue": False}
#: GET STATIONS: each station with the areas it serves (district, optionally compound and building:
#: the finest match suggests the station), its technicians' phones and the users working it
SAMPLE_STATIONS = [{"code": "HP", "name": "和平维修站", "phone": "024-23000000", "districts": ["和平区"],
                    "areas": [{"district": "和平区", "compound": "", "building": ""}], "technicians": []},
                   {"code": "TX", "name": "铁西维修站", "phone": "024-25670000", "districts": ["铁西区"],
                    "areas": [{"district": "铁西区", "compound": "", "building": ""}],
                    "technicians": ["13900000001"]},
                   {"code": "TXN", "name": "铁西北维修站", "phone": "024-25670001", "districts": [],
                    "areas": [{"district": "铁西区", "compound": "兴华北街", "building": ""}], "technicians": []},
                   {"code": "SH", "name": "沈河维修站", "phone": "024-24000000", "districts": ["沈河区"],
                    "areas": [{"district": "沈河区", "compound": "", "building": ""}], "technicians": []}]

# ---- the call-back worklist (#15) -------------------------------------------------------------
#: why a ticket is on the list (db.models.CallOutcome values of the call that booked it)
CALLBACK_REASONS = ("callback_requested", "abandoned", "after_hours_message", "no_agent", "max_wait",
                    "in_ivr_hangup", "interrupted")
#: what an agent records after calling: reached clears the entry, the others count as attempts
CALLBACK_OUTCOMES = ("reached", "no_answer", "busy", "wrong_number")
#: how else an entry leaves the list: a team lead closes an escalated one (with a note), or the
#: resident called again and was answered (the service records that)
CALLBACK_CLOSED, CALLBACK_CALLED_IN = "closed", "called_in"
#: one entry (GET CALLBACKS; EV_CALLBACK's "callback"; the pop's "callback"): `waited` in seconds since
#: the ticket was booked, `taken_by` only while the take is live, `escalated` once it is the team lead's
SAMPLE_CALLBACK = {"ticket": "2611230007", "reason": "callback_requested", "waited": 1260, "attempts": 0,
                   "taken_by": None, "taken_at": None, "escalated": False, "open": True,
                   "created_at": "2026-11-23T09:40:00", "last_attempt": None,
                   "callback_number": "13912345678", "name": "王秀兰", "address": "铁西区 兴华北街 12号楼 3单元 502",
                   "category": "no_heat", "state": "new"}

# ---- 回访, the follow-up survey (#15) ----------------------------------------------------------
#: b 维修工态度如何: 满意 / 普通 / 不满意
SURVEY_ATTITUDES = ("satisfied", "average", "unsatisfied")
#: heating_account.fee_status (the accounts CSV's optional fee_status column)
FEE_STATUSES = ("paid", "unpaid", "unknown")
#: POST SURVEY: a solved, b attitude, c charged, d score 1–10, e comment, f fee reminder read (only
#: when it applies: b satisfied and the row's fee_status unpaid)
SURVEY_FIELDS = ("solved", "attitude", "charged", "score", "comment", "fee_reminder")
SURVEY_SCORE_MIN, SURVEY_SCORE_MAX = 1, 10


def fee_reminder_applies(attitude: str | None, fee_status: str | None) -> bool:
    """f (the fee reminder) is read only to a satisfied resident whose heating fee is unpaid — the
    desk's form, the server's check and the automated call's flow all ask here."""
    return attitude == "satisfied" and fee_status == "unpaid"
SURVEY_COMMENT_MAX = 1000
#: the customer's script (002 四.2), as the desk shows it
SURVEY_SCRIPT = {
    "opening": "您好,我们是供暖报修平台,对您家报修的处理情况进行回访。您现在方便吗?",
    "questions": [{"key": "solved", "text": "a. 问题解决了吗?"},
                  {"key": "attitude", "text": "b. 维修工态度如何?"},
                  {"key": "charged", "text": "c. 跟您收费了吗?"},
                  {"key": "score", "text": "d. 请您为我们的服务打分(1—10 分)"},
                  {"key": "comment", "text": "e. 您对我们的服务还有什么建议或者意见吗?"},
                  {"key": "fee_reminder", "text": "f. 我们的收费工作已经开始,请您方便的时候交纳供暖费。"}],
    "closing": "感谢您的合作,以后有什么问题,请您随时拨打 {hotline},我们将及时为您服务。",
}
#: one row of GET SURVEYS: a completed repair due for 回访 (`due_at`: a booked time, or None)
SAMPLE_SURVEY_ROW = {"ticket": "2611220031", "completed_at": "2026-11-22T16:10:00", "due_at": None,
                     "result": "更换阀门,已恢复供暖", "station": "和平维修站", "name": "周娟",
                     "address": "和平区 三好街 17号 3单元 602", "callback_number": "13812345678",
                     "category": "leak", "fee_status": "unpaid", "waited": 64800, "automated": None}
#: a row's "automated" when the automated 回访 call tried it (hotline.aftercall.survey_calls): attempts,
#: the last outcome, the next try, and who has the ticket (dialer; agents / team_leads once given up)
SAMPLE_SURVEY_AUTOMATED = {"attempts": 3, "last_outcome": "no_answer", "last_at": "2026-11-23T16:00:00",
                           "next_at": None, "calling": False, "owner": "agents"}
#: POST CALLBACK_CALL / SURVEY_CALL answers what the agent's phone is about to ring with: caller id
#: "<label> <number>" (label 回电 / 回访 by kind); the desk answers that leg by itself
CALL_OUT_LABELS = {"callback": "回电", "survey": "回访"}
CALL_OUT_KINDS = tuple(CALL_OUT_LABELS)
SAMPLE_CALL_OUT = {"ticket": "2611230007", "number": "13912345678", "kind": "callback", "label": "回电"}
#: tickets show's "survey" (and GET TICKET's): the answers, who, when, how
SAMPLE_SURVEY = {"solved": True, "attitude": "satisfied", "charged": False, "score": 9, "comment": "",
                 "fee_reminder": True, "by": "1001", "at": "2026-11-23T10:20:00", "channel": "agent",
                 "comment_recording": False}


# ---- quality checks on recordings (#28) -------------------------------------------------------
#: GET RECORDINGS ?ticket=&phone=&agent=&since=&until=&direction= (since/until: YYYY-MM-DD[THH:MM])
RECORDING_FILTERS = ("ticket", "phone", "agent", "since", "until", "direction")
#: a recording's leg: a resident's call in, a call out, a 回访 call, another agent's leg of a transfer
RECORDING_DIRECTIONS = ("in", "out", "survey", "transfer")
RECORDING_DELETE_REASON_MAX = 500
#: one row of GET RECORDINGS (`deleted`: None, or {at, by, reason} — the row stays)
SAMPLE_RECORDING_ROW = {"id": 41, "call": "1700000000.42", "ticket": "2611230012", "agent": "1001",
                        "direction": "in", "caller": "13912345678", "at": "2026-11-23T10:01:10",
                        "duration_s": 95.2, "health": "ok", "sha256": "9f2c…", "deleted": None,
                        "audio_url": "/api/recordings/41/audio", "ticket_number": "2611230012",
                        "created_at": "2026-11-23T10:01:10"}
#: the standards a call is checked against (hotline/aftercall/qa/standards, versioned)
QA_SCORECARD_KINDS = ("intake", "intake_relaxed", "survey")
#: an item's result; na only for an item that may not apply (回访's f)
QA_ITEM_RESULTS = ("pass", "fail", "na")
#: findings (002 录音抽查制度 四.1): the problems, and praise (闪光点)
QA_FINDINGS = {"nonstandard_phrase": "接报用语不标准", "misleading": "错误引导", "invalid_promise": "无效承诺",
               "wrong_address": "地址填写错误", "wrong_phone": "电话填写错误", "wrong_station": "选错维修站",
               "complaint": "投诉", "voice": "声音不甜美", "praise": "闪光点"}
QA_PRAISE = "praise"
#: serious errors (严重违纪): fined each (Settings.qa_fine_*)
QA_SERIOUS = ("wrong_address", "wrong_station", "invalid_promise")
QA_NOTE_MAX = 2000
#: POST QA_CHECKS: the recording (a leg), the standard (its newest version), each item's result,
#: findings (QA_FINDINGS keys), a note
QA_CHECK_FIELDS = ("recording", "scorecard", "items", "findings", "note")
#: POST LISTEN_IN's answer: the lead's phone rings next with caller id "<label> <工号>" (the desk answers it)
LISTEN_IN_LABELS = {False: "监听", True: "耳语"}
SAMPLE_LISTEN_IN = {"agent": "1001", "name": "张丽", "whisper": False, "kind": "listen", "label": "监听",
                    "number": "1001", "ticket": ""}
#: one row of GET QA_SAMPLE's "sample" (`check`: None until a lead or the head checked it)
SAMPLE_QA_ROW = {"id": 7, "kind": "daily", "day": "2026-11-23", "recording": 41, "call": "1700000000.42",
                 "ticket": "2611230012", "agent": "1001", "name": "张丽", "direction": "in",
                 "at": "2026-11-23T10:01:10", "duration_s": 95.2,
                 "health": "ok", "scorecard": "intake", "checked": False, "check": None,
                 "audio_url": "/api/recordings/41/audio"}
#: POST STATION_NOTIFY's answer, and `hotline stations notify --json` (#30): the station call of the ticket
#: (`outcome`: requested, placed, answered, busy, no_answer, failed — tried again at `next_at` while the
#: ticket waits — accepted, refused: a duty phone the number policy refuses, moot: the ticket moved on,
#: off: calls on dispatch are off; `ended_at` once the dialer lets it go)
SAMPLE_STATION_CALL = {"call": 12, "ticket": "2611230012", "station": "TX", "outcome": "requested", "attempts": 0,
                       "at": "2026-11-23T10:05:00", "answered_at": None, "next_at": "2026-11-23T10:05:00",
                       "ended_at": None, "ticket_state": "dispatched"}
#: the optional webhook of a dispatch (Settings.station_webhook_url): this JSON, POSTed with
#: X-Hotline-Signature: sha256=<hex HMAC-SHA256 of the body> (the installation's station_webhook_secret);
#: the resident's number masked only
SAMPLE_STATION_WEBHOOK = {"event": "dispatched", "ticket": "2611230012", "dispatched_at": "2026-11-23T10:05:00",
                          "station": {"code": "TX", "name": "铁西维修站"}, "category": "leak", "problem": "漏水",
                          "priority": 50, "priority_words": "加急", "address": "铁西区 兴华北街 12-1-301",
                          "caller": "139******78"}
