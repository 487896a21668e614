"""The canteen's pages, under /canteen/ on a school's host."""

from django.urls import path

from tenant_apps.canteen.web import views

app_name = "canteen"

urlpatterns = [
    path("", views.TodayPage.as_view(), name="today"),
    path("plans/", views.PlansPage.as_view(), name="plans"),
    path("menus/", views.MenusPage.as_view(), name="menus"),
    path("menus/<int:pk>/", views.MenuPage.as_view(), name="menu"),
    path("meals/", views.SessionsPage.as_view(), name="sessions"),
    path("meals/open/", views.SessionOpenPage.as_view(), name="session-open"),
    path("meals/<int:pk>/", views.SessionPage.as_view(), name="session"),
    path("meals/<int:pk>/cost/", views.SessionCostPage.as_view(), name="session-cost"),
    path("meals/<int:pk>/roster/", views.RosterPage.as_view(), name="roster"),
    path("meals/<int:pk>/card/", views.CardPage.as_view(), name="card"),
    path("meals/<int:pk>/import/", views.ImportPage.as_view(), name="import"),
    path("meals/<int:pk>/sample/", views.SampleAddPage.as_view(), name="sample-add"),
    path("meals/<int:pk>/accompany/", views.AccompanyPage.as_view(), name="accompany"),
    path("samples/", views.SamplesPage.as_view(), name="samples"),
    path("samples/<int:pk>/discard/", views.SampleDiscardPage.as_view(), name="sample-discard"),
    path("temperatures/", views.ColdPage.as_view(), name="cold"),
    path("temperatures/add/", views.ColdAddPage.as_view(), name="cold-add"),
    path("inspections/", views.InspectionsPage.as_view(), name="inspections"),
    path("inspections/add/", views.InspectionAddPage.as_view(), name="inspection-add"),
    path("alerts/", views.AlertsPage.as_view(), name="alerts"),
]
