from django.urls import path  # noqa: F401

from .requirement_urls import urlpatterns as requirement_urlpatterns

app_name = "customers"

urlpatterns = []
urlpatterns += requirement_urlpatterns
