"""Navigation by role: each person sees the links they may use, nothing more."""

from .navigation import nav_registry


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": nav_registry.for_user(user)}
