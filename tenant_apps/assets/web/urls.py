"""The property's pages, under /assets/ on a school's host."""

from django.urls import path

from tenant_apps.assets.web import views

app_name = "assets"

urlpatterns = [
    path("", views.RegisterPage.as_view(), name="register"),
    path("labels/", views.LabelsPage.as_view(), name="labels"),
    path("add/", views.AssetAddPage.as_view(), name="asset-add"),
    path("<int:pk>/", views.AssetPage.as_view(), name="asset"),
    path("<int:pk>/move/", views.AssetMovePage.as_view(), name="asset-move"),
    path("<int:pk>/dispose/", views.DisposalRequestPage.as_view(), name="disposal-request"),
    path("rooms/", views.RoomsPage.as_view(), name="rooms"),
    path("rooms/add/", views.RoomAddPage.as_view(), name="room-add"),
    path("rooms/<int:pk>/", views.RoomPage.as_view(), name="room"),
    path("buildings/add/", views.BuildingAddPage.as_view(), name="building-add"),
    path("stock-takes/", views.StockTakesPage.as_view(), name="stock-takes"),
    path("stock-takes/start/", views.StockTakeStartPage.as_view(), name="stock-take-start"),
    path("stock-takes/<int:pk>/", views.StockTakePage.as_view(), name="stock-take"),
    path("stock-takes/<int:pk>/scan/", views.ScanPage.as_view(), name="scan"),
    path(
        "stock-takes/<int:pk>/close/", views.StockTakeClosePage.as_view(), name="stock-take-close"
    ),
    path("discrepancies/", views.DiscrepanciesPage.as_view(), name="discrepancies"),
    path(
        "discrepancies/<int:pk>/assign/",
        views.DiscrepancyAssignPage.as_view(),
        name="discrepancy-assign",
    ),
    path(
        "discrepancies/<int:pk>/resolve/",
        views.DiscrepancyResolvePage.as_view(),
        name="discrepancy-resolve",
    ),
    path("disposals/", views.DisposalsPage.as_view(), name="disposals"),
    path("disposals/<int:pk>/", views.DisposalPage.as_view(), name="disposal"),
    path(
        "disposals/<int:pk>/approve/", views.DisposalApprovePage.as_view(), name="disposal-approve"
    ),
    path("disposals/<int:pk>/reject/", views.DisposalRejectPage.as_view(), name="disposal-reject"),
    path("reconciliation/", views.ReconciliationPage.as_view(), name="reconciliation"),
]
