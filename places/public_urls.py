"""Short URLs of places (the QR codes): mounted at /p/ by the root URLconf."""

from django.urls import path

from . import public_views

app_name = "place"

urlpatterns = [
    path("kiosk/<str:token>/", public_views.KioskView.as_view(), name="kiosk"),
    path("<str:code>/", public_views.PlaceAnswerView.as_view(), name="answer"),
]
