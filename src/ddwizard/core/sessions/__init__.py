"""Review sessions on disk: one JSON file per review that never loses work.

Modules, from the file up:

* ``session``: the data (``Session``, ``Answer`` records, ``AuditEvent``) and its canonical
  JSON layout;
* ``atomic``: the one way a file is replaced (temporary file, fsync, rename), used by
  sessions and memos alike;
* ``files``: reading a file (BOM, nesting, number and control-character limits), layout
  upgrades via ``migration``, and ``CorruptSession`` / ``SessionTooNew`` refusals;
* ``locking``: one editor per session with OS locks (``filelock``) the kernel releases when
  the holder dies, plus a note naming who holds it;
* ``audit``: the hash chain, bound to the session state, and ``verify_session``;
* ``store``: finding, listing, opening and creating reviews (never forking one);
* ``handle``: ``SessionHandle``, every edit validated (``validation``), merged (``merge``),
  recorded (``records``), described (``describe``) and saved before it returns.

``store`` re-exports the public names.
"""
