"""The apps to the right of qms contribute their metrics, menu entries, panels and
audit-trail pages through modules found by name (docs/architecture.md section 2)."""

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from qms import discovery, history
from qms.navigation import nav_registry
from qms.registry import registry


def test_hook_modules_are_found_for_every_app_that_has_one_in_installed_apps_order():
    for name in discovery.REGISTRATION_MODULES:
        expected = [
            f"{config.name}.{name}"
            for config in apps.get_app_configs()
            if module_has_submodule(config.module, name)
        ]
        assert [module.__name__ for module in discovery.app_modules(name)] == expected
    assert "satisfaction.menu" in [m.__name__ for m in discovery.app_modules("menu")]
    assert "actions.panels" in [m.__name__ for m in discovery.app_modules("panels")]


def test_registrations_from_every_app_are_in_the_registries_after_start_up():
    menu_urls = {item.url_name for item in nav_registry._items.values()}
    assert {"qms:home", "satisfaction:survey-list", "objectives:cascade", "actions:board"} <= (
        menu_urls
    )
    for slug, app_label in (
        ("department", "qms"),
        ("survey", "surveys"),
        ("survey-wave", "satisfaction"),
        ("objective", "objectives"),
        ("action", "actions"),
    ):
        assert history.entry_for(slug).model._meta.app_label == app_label
    keys = {metric.key for metric in registry.all()}
    assert "department_head_coverage" in keys
    assert any(metric.app_label == "satisfaction" for metric in registry.all())
