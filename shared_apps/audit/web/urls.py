"""The auditors' pages, on the district host: every school's trail, security events and
findings."""

from django.urls import path

from shared_apps.audit.web import views

app_name = "audit"

urlpatterns = [
    path("trail/", views.TrailPage.as_view(), name="trail"),
    path(
        "history/<slug:schema>/<slug:table>/<str:row_id>/",
        views.HistoryPage.as_view(),
        name="history",
    ),
    path("security/", views.SecurityPage.as_view(), name="security"),
    path("findings/", views.FindingListPage.as_view(), name="findings"),
    path("findings/new/", views.FindingCreatePage.as_view(), name="finding-new"),
    path("findings/<int:pk>/", views.FindingPage.as_view(), name="finding"),
    path("findings/<int:pk>/follow-up/", views.FindingFollowUpPage.as_view(), name="follow-up"),
]
