"""The project's URLs plus the short /s/<token>/ mount proposed for qms/urls.py."""

from django.urls import include, path

from qms.urls import handler403, handler404, handler500  # noqa: F401
from qms.urls import urlpatterns as project_patterns

urlpatterns = [path("s/", include("satisfaction.public_urls")), *project_patterns]
