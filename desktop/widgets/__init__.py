"""The desk's views: one module per panel or dialog, and the window that lays them out and
wires them to desktop.state and desktop.services."""
