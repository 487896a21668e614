"""The district host's statement pages."""

from django.urls import path

from shared_apps.reporting.web import views

app_name = "reporting"
urlpatterns = [
    path("", views.DistrictStatementPage.as_view(), name="district-statement"),
    path("upkeep/", views.UpkeepPage.as_view(), name="upkeep"),
]
