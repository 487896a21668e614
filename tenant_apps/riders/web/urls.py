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
    path("<int:pk>/incident/", views.ReportPage.as_view(), name="report"),
    path("incidents/", views.IncidentsPage.as_view(), name="incidents"),
    path("incidents/add/", views.IncidentAddPage.as_view(), name="incident-add"),
    path("incidents/<int:pk>/", views.IncidentPage.as_view(), name="incident"),
    path("incidents/<int:pk>/step/", views.StepPage.as_view(), name="incident-step"),
    path("incidents/<int:pk>/close/", views.IncidentClosePage.as_view(), name="incident-close"),
    path("drills/", views.DrillsPage.as_view(), name="drills"),
    path("drills/add/", views.DrillAddPage.as_view(), name="drill-add"),
    path("training/", views.TrainingPage.as_view(), name="training"),
    path("training/add/", views.TrainingAddPage.as_view(), name="training-add"),
    path("terminals/", views.TerminalsPage.as_view(), name="terminals"),
    path("terminals/add/", views.TerminalAddPage.as_view(), name="terminal-add"),
    path("terminals/<int:pk>/revoke/", views.TerminalRevokePage.as_view(), name="terminal-revoke"),
]
