"""The project's URLs plus two views that fail on purpose, to see the friendly error pages."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from liulin.urls import handler403, handler404, handler500  # noqa: F401
from liulin.urls import urlpatterns as project_urlpatterns


def refuse(request):
    raise PermissionDenied


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test-403/", refuse),
    path("test-500/", crash),
    *project_urlpatterns,
]
