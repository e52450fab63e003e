"""The desk's links to the outside: the agent API client (HTTP), its WebSocket worker, the
softphone adapter over common.sip, and customer audio on this PC."""
