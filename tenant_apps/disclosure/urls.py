from django.urls import URLPattern, path

from tenant_apps.disclosure.views import school_disclosure

urlpatterns: list[URLPattern] = [
    path("", school_disclosure, name="disclosure"),
]
