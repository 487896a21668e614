"""The district's schools, on the district host."""

from django.urls import path

from tenants.web import views

app_name = "schools"

urlpatterns = [
    path("", views.SchoolListPage.as_view(), name="list"),
    path("<int:pk>/", views.SchoolPage.as_view(), name="school"),
    path("<int:pk>/suspend/", views.SchoolSuspendPage.as_view(), name="suspend"),
    path("<int:pk>/reinstate/", views.SchoolReinstatePage.as_view(), name="reinstate"),
    path("import/", views.SchoolImportPage.as_view(), name="import"),
    path("imports/", views.SchoolImportListPage.as_view(), name="imports"),
    path("imports/<int:pk>/", views.SchoolImportDetailPage.as_view(), name="import-detail"),
]
