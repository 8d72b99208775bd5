from rest_framework.routers import SimpleRouter

from .views import SurveyViewSet

router = SimpleRouter()
router.register("satisfaction/surveys", SurveyViewSet, basename="survey")
