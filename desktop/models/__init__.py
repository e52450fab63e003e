"""Qt item models of the agent desk (no widgets): desktop.models.tables, desktop.models.labels."""
