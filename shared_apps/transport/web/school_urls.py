"""A school's field trips by bus, under /field-trips/ on its host."""

from django.urls import path

from shared_apps.transport.web import views

app_name = "field_trips"
urlpatterns = [
    path("", views.SchoolFieldTripsPage.as_view(), name="list"),
    path("request/", views.FieldTripRequestPage.as_view(), name="request"),
    path("<int:pk>/decide/", views.FieldTripEndorsePage.as_view(), name="decide"),
]
