"""The transport officer's pages on the district host (under /transport/)."""

from django.urls import path

from shared_apps.transport.web import views

app_name = "transport"
urlpatterns = [
    path("fleet/", views.FleetPage.as_view(), name="fleet"),
    path("drivers/", views.DriversPage.as_view(), name="drivers"),
    path("licences/", views.LicencesPage.as_view(), name="licences"),
    path("licences/<int:pk>/advance/", views.LicenceAdvancePage.as_view(), name="licence-advance"),
    path("routes/", views.RoutesPage.as_view(), name="routes"),
    path("routes/<int:pk>/", views.RoutePage.as_view(), name="route"),
    path(
        "routes/<int:pk>/versions/new/",
        views.RouteVersionNewPage.as_view(),
        name="route-version-new",
    ),
    path("runs/", views.RunsPage.as_view(), name="runs"),
    path("alarms/", views.AlarmsPage.as_view(), name="alarms"),
    path("reports/", views.ReportsPage.as_view(), name="reports"),
    path("plans/", views.PlansPage.as_view(), name="plans"),
    path("plans/new/", views.PlanNewPage.as_view(), name="plan-new"),
    path("plans/<int:pk>/", views.PlanPage.as_view(), name="plan"),
    path("plans/<int:pk>/adopt/", views.PlanAdoptPage.as_view(), name="plan-adopt"),
    path("field-trips/", views.FieldTripsPage.as_view(), name="field-trips"),
    path(
        "field-trips/<int:pk>/decide/",
        views.FieldTripDecidePage.as_view(),
        name="field-trip-decide",
    ),
]
