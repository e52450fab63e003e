"""The desk's state without widgets: desktop.state.desk.DeskState."""
