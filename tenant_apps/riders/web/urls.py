"""The school buses' pages, under /buses/ on a school's host."""

from django.urls import path

from tenant_apps.riders.web import views

app_name = "riders"

urlpatterns = [
    path("", views.TodayPage.as_view(), name="today"),
    path("<int:pk>/", views.TripPage.as_view(), name="trip"),
    path("<int:pk>/check/", views.CheckPage.as_view(), name="check"),
    path("<int:pk>/start/", views.StartPage.as_view(), name="start"),
    path("<int:pk>/passage/", views.PassagePage.as_view(), name="passage"),
    path("<int:pk>/close/", views.ClosePage.as_view(), name="close"),
    path("<int:pk>/chart/", views.ChartPage.as_view(), name="chart"),
]
