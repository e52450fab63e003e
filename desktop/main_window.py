"""Where AgentWindow used to live; it is desktop.widgets.main_window's now. Kept so tests/conftest.py
(the live desk fixture) still imports; new code imports desktop.widgets.main_window."""
from desktop.widgets.main_window import AgentWindow

__all__ = ["AgentWindow"]
