"""Per-app modules found by name (docs/architecture.md section 2).

The apps to the right of `qms` contribute to its registries without `qms` importing
them: each app may have any of these modules, each with a `register()` function, and
`register_all()` (called once from `QmsConfig.ready()`) imports them with Django's
`autodiscover_modules` and calls them in `INSTALLED_APPS` order:

    metrics.py   its metrics and dashboard dimensions (qms.registry, qms.dashboard)
    menu.py      its navigation entries (qms.navigation)
    panels.py    its home-page panels and record panels (qms.dashboard)
    audit.py     which of its models have an audit-trail page (qms.history)
    privacy.py   its part of a customer's privacy export and erasure (qms.privacy_registry)
    webhooks.py  the events it emits to webhooks (qms.webhooks.webhook_events)

Two more are read by name where they are needed: `schedule.py` (`BEAT_SCHEDULE`, merged by
the settings) and `demo.py` (`load()`, called by `manage.py load_demo`). Adding an app
means adding it to `INSTALLED_APPS` and the root URLconf, nothing else.
"""

from __future__ import annotations

import sys
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules

REGISTRATION_MODULES = ("metrics", "menu", "panels", "audit", "privacy", "webhooks")


def app_modules(name: str) -> list[ModuleType]:
    """The `<app>.<name>` module of every installed app that has one, in INSTALLED_APPS
    order."""
    autodiscover_modules(name)
    found = []
    for config in apps.get_app_configs():
        module = sys.modules.get(f"{config.name}.{name}")
        if module is not None:
            found.append(module)
    return found


def register_all() -> None:
    for name in REGISTRATION_MODULES:
        for module in app_modules(name):
            register = getattr(module, "register", None)
            if callable(register):
                register()
