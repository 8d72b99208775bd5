"""Role checks for pages (mixins) and the API (DRF permission classes)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework import permissions


class QualityManagerRequiredMixin(LoginRequiredMixin):
    """Pages only a quality manager may use (editing the organisation)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_quality_manager:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ViewAllRequiredMixin(LoginRequiredMixin):
    """Organisation-wide read pages: quality managers and read-only viewers."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.can_view_all:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IsQualityManagerOrReadOnly(permissions.BasePermission):
    """Anyone signed in reads (their scope); only quality managers write."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or request.user.is_quality_manager


class CanViewAll(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can_view_all)
