"""The admin's side: the `hotline` CLI, up/down/status, Asterisk provisioning, dialplan checks, accounts, users, holidays, tickets."""
