"""The agent desk (PySide6): a client of the agent API (HTTP + one WebSocket) and of SIP only.

Layout (imports go downwards only; desktop imports nothing of the repo but common and
common.sip — import-linter contract in pyproject.toml):

    app.py          the entry point (`hotline-desk`, `hotline desktop`): arguments, translation,
                    the window; `--sample` shows common.wire.SAMPLE_POP with no server,
                    `--sample --role team_lead|head|admin|station [--tab …]` the after-call screens
    sample.py       --sample's after-call rows, made from the wire's SAMPLE_* shapes
    widgets/        the views, one module per panel or dialog; main_window.AgentWindow lays them
                    out (the tabs 来电 / 工单 / 异常登记 by role, the escalation banner) and wires
                    them to the state and the services, nothing more
    state/desk.py   DeskState: the call / screen pop / wrap-up / drafts state machine, a QObject
                    without widgets (signals + plain methods; unit-tested with no window)
    state/aftercall.py  AfterCallState: role → tabs and a ticket's offered moves, the list's
                    filters, the selected ticket, unacknowledged escalations; pushes → refreshes
    models/         Qt item models over the API's dicts, and the labels of the wire's codes
    services/       api (AgentApiClient: HTTP on QNetworkAccessManager, never blocking the GUI),
                    events (the WebSocket worker, its own QThread and asyncio loop), softphone
                    (SoftPhone over common.sip.phone: pjsua2 only on its stack thread, commands on
                    one worker thread, events back to the GUI thread queued), audio (played files)
    i18n/           desktop_en.ts is the source (contexts are the widget class names, plus
                    "Labels" and "Models"); the .qm is compiled from it by scripts/install.sh

The wire contract (routes, event types, the ticket form's fields and limits) is common.wire.
"""
