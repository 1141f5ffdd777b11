"""Headless core of ddwizard.

Everything a compliance decision depends on lives here: data models, loading, conditions,
matching, sessions and the memo context. It never imports textual, so the CLI, the TUI and
the tests share one set of rules (a test guards this).
"""
