"""Navigation by role: each person sees the links they may use, nothing more."""

from .navigation import nav_registry


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menus": []}
    return {"nav_menus": nav_registry.menus_for_user(user)}


def branding(request):
    """The organisation's branding for every page (cached; see qms.branding)."""
    from django.utils.functional import SimpleLazyObject

    from . import branding as brand

    return {"brand": SimpleLazyObject(brand.current)}
