from rest_framework.routers import DefaultRouter

from .views import DepartmentViewSet, MetricViewSet, PersonViewSet

router = DefaultRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("people", PersonViewSet, basename="person")
router.register("metrics", MetricViewSet, basename="metric")
