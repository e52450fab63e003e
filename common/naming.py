"""Asterisk names the hotline uses, in one place (dialplan/ uses the same literals)."""
from __future__ import annotations

#: the repair queue (queues.conf [repair])
QUEUE = "repair"
#: every agent's PJSIP endpoint, auth and aor are named agent-<工号>
ENDPOINT_PREFIX = "agent-"
#: the PSTN gateway trunk's endpoint (pjsip.conf [pstn-trunk])
TRUNK_ENDPOINT = "pstn-trunk"
#: addresses banned from SIP for repeated wrong passwords: a PJSIP ACL in Asterisk's etc, written by
#: the service (hotline.service.sip_guard), empty at `hotline up`
BANNED_FILE = "pjsip_banned.generated.conf"
#: dialplan contexts of calls out: an agent's call to a resident (number rules, caller id,
#: recording) and the automated 回访 call once the resident answered (extensions.conf)
OUTBOUND_CONTEXT = "outbound"
SURVEY_CONTEXT = "survey-call"
#: the desk phones' own context (pjsip.conf's agent-phone template)
AGENTS_CONTEXT = "from-agents"
#: listen-in: <工号>@listen-in listens to that agent's call, from its `whisper` label whispers too.
#: Reached only by the service's Originate after a granted, audited request — no phone's context
#: includes it — and [listen-in] checks the phone is a team lead's
LISTEN_IN_CONTEXT, LISTEN_IN_WHISPER = "listen-in", "whisper"
#: the automated 回访 call is originated as Local/<attempt>@survey-dial/n: that half looks the
#: number up (FastAGI) and dials the resident through the trunk; the other runs [survey-call]
SURVEY_DIAL_CONTEXT = "survey-dial"
#: the UserEvent `hotline survey call` sends (admin AMI user) to wake the service's dialer
SURVEY_WAKE_EVENT = "HotlineSurveyCall"
#: a station told of a dispatched repair by phone (#30): originated as Local/<ref>@station-dial/n (that
#: half looks the station's duty phone up over FastAGI and dials it through the trunk); the other half
#: runs [station-call] once answered. `hotline stations notify` and a CLI dispatch wake the service with
#: STATION_WAKE_EVENT
STATION_DIAL_CONTEXT = "station-dial"
STATION_CONTEXT = "station-call"
STATION_WAKE_EVENT = "HotlineStationCall"
#: the 供热已恢复 call to a caller who keyed 1 on an outage's notice (#30), once the outage ended with the
#: call-back: originated as Local/<ref>@outage-dial/n (the resident's number looked up over FastAGI), the
#: answered half runs [outage-call]; `hotline outage end --call-back` wakes the service with OUTAGE_WAKE_EVENT
OUTAGE_DIAL_CONTEXT = "outage-dial"
OUTAGE_CONTEXT = "outage-call"
OUTAGE_WAKE_EVENT = "HotlineOutageCall"
#: `hotline recordings verify|delete` changed recordings' health: the service recounts and tells the leads now
RECORDINGS_WAKE_EVENT = "HotlineRecordingsChecked"
#: the channel variable holding a call's FastAGI token (db/call_tokens.py), inherited by every channel
#: of the call (set as __HOTLINE_CALL_TOKEN); every AMI user's event filter drops events naming it
CALL_TOKEN_VAR = "HOTLINE_CALL_TOKEN"
#: AMI users: the service's (least privilege) and the admin CLI's / test bench's
AMI_SERVICE_USER = "hotline"
AMI_ADMIN_USER = "hotline-admin"


def endpoint(agent_no: str) -> str:
    return f"{ENDPOINT_PREFIX}{agent_no}"


def interface(agent_no: str) -> str:
    """The queue member interface of an agent's phone."""
    return f"PJSIP/{endpoint(agent_no)}"


def agent_no_of(name: str) -> str:
    """'PJSIP/agent-1001' or 'agent-1001' → '1001'; '' for anything else."""
    tail = name.rsplit("/", 1)[-1]
    return tail.removeprefix(ENDPOINT_PREFIX) if tail.startswith(ENDPOINT_PREFIX) else ""
