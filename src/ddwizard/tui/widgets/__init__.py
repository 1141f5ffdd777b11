"""Widgets of the wizard: one question field per answer type, the sidebar and the help panel."""
