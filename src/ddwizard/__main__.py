"""Allow ``python -m ddwizard``."""

from ddwizard.cli import main

raise SystemExit(main())
