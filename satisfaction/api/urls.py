from rest_framework.routers import SimpleRouter

from .views import (
    FollowUpCaseViewSet,
    InvitationTriggerViewSet,
    InvitationViewSet,
    SurveyResponsesViewSet,
    WaveViewSet,
)

router = SimpleRouter()
# The survey itself is served by the surveys app (surveys/api) at the same address; this
# router adds its answers (`satisfaction/surveys/<id>/responses/`).
router.register("satisfaction/surveys", SurveyResponsesViewSet, basename="survey")
router.register("satisfaction/waves", WaveViewSet, basename="survey-wave")
router.register(
    "satisfaction/invitation-requests", InvitationTriggerViewSet, basename="invitation-request"
)
router.register("satisfaction/follow-ups", FollowUpCaseViewSet, basename="followup")
router.register("satisfaction/invitations", InvitationViewSet, basename="invitation")
