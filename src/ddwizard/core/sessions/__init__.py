"""Review sessions on disk: reading and upgrading files, the audit trail, locking, the store."""
