from rest_framework.routers import SimpleRouter

from .views import InvitationTriggerViewSet, SurveyViewSet, WaveViewSet

router = SimpleRouter()
router.register("satisfaction/surveys", SurveyViewSet, basename="survey")
router.register("satisfaction/waves", WaveViewSet, basename="survey-wave")
router.register(
    "satisfaction/invitation-requests", InvitationTriggerViewSet, basename="invitation-request"
)
