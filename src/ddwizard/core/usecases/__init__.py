"""What a user does with ddwizard, one module per action, over one ``Workspace``.

The CLI and the TUI call only these (and read the results they return): neither builds a
memo, a memo context or a sessions store by itself, so both behave alike and share the one
``Settings``. Layers, checked by ``tests/architecture``:

    cli, tui  ->  core.usecases  ->  core.report (renderer), core.matching, core.sessions, ...

- ``open_review``: find, open, create or list reviews (unknown names get suggestions);
- ``apply_answers``: an answers file or single answers, saved and audited;
- ``evaluate_review``: eligibility, ranking and red flags of a session or an answers file;
- ``verify_review``: is a session's audit trail intact, and does it match an earlier memo;
- ``write_memo``: the memo, only from a verified session unless asked otherwise;
- ``change_status``: in progress, ready for review, final (with the sign-off rules);
- ``demo``: the bundled example review and its memo, built on the others.
- ``questions``: the question ids a user types, with labels and types.

Importing this package is cheap: each module imports what it needs when it runs.
"""
