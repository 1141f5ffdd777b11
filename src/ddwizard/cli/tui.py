"""``ddwizard``, ``ddwizard new`` and ``ddwizard resume``: start the terminal wizard.

The session for ``new`` and ``resume`` is opened before the interface starts, so a locked,
missing or corrupt session is reported on stderr with exit code 1, like any other command.
The home screen starts before the data is loaded (a worker loads it), so it appears quickly.
"""

from __future__ import annotations

import argparse

from ddwizard.tui.services import Services, make_app


def _services(args: argparse.Namespace) -> Services:
    from ddwizard.core.resources import default_sessions_dir

    return Services(
        sessions_dir=default_sessions_dir(getattr(args, "sessions_dir", None)),
        questionnaires_dir=getattr(args, "questionnaires", None),
        providers_dir=getattr(args, "providers", None),
        templates_dir=getattr(args, "templates", None),
        actor=getattr(args, "preparer", None),
    )


def run_home(args: argparse.Namespace) -> int:
    make_app(_services(args)).run()
    return 0


def run_new(args: argparse.Namespace) -> int:
    services = _services(args)
    name = (args.name or "").strip() or "Untitled custody review"
    handle = services.store.create(name, services.qset, services.catalog, preparer=args.preparer)
    make_app(services, handle=handle).run()
    return 0


def run_resume(args: argparse.Namespace) -> int:
    services = _services(args)
    handle = services.store.open(args.session, services.qset, services.catalog)
    make_app(services, handle=handle).run()
    return 0
