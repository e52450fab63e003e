"""The work after the call, protocol-free: a ticket's lifecycle and its dispatch to repair
stations (lifecycle), the anomaly register with its timers and escalation (anomalies), the
stations and the areas they serve (stations). Used by the service's agent API and by the admin
CLI alike — so the same rules hold whichever way a team lead works. Each public method is one
transaction; refusals are `RuleError` / `Refused` (audited), never an HTTP type."""
