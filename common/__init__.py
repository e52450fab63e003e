"""The bottom floor: what every program of the hotline stands on — the wire contract, settings,
phone rules, naming, SIP. It imports nothing of ours.

Standard library only (but `common.sip`, pjsua2): the desk installs this package on an agent PC
without the server's dependencies.
"""
