from rest_framework.routers import SimpleRouter

from .views import DeploymentViewSet, RequirementViewSet

router = SimpleRouter()
router.register("requirements", RequirementViewSet, basename="requirement")
router.register("deployments", DeploymentViewSet, basename="deployment")
