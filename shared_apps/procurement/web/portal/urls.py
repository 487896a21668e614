"""The supplier portal's routes (district host, under supplier/)."""

from django.urls import path

from shared_apps.procurement.web.portal import views

app_name = "supplier"

urlpatterns = [
    path("", views.ProfilePage.as_view(), name="profile"),
    path("licences/", views.QualificationsPage.as_view(), name="qualifications"),
    path(
        "licences/<int:pk>/scan/", views.QualificationScanPage.as_view(), name="qualification-scan"
    ),
    path("notices/", views.NoticesPage.as_view(), name="notices"),
    path("notices/<int:pk>/", views.NoticePage.as_view(), name="notice"),
    path("lots/<int:pk>/bid/", views.BidPage.as_view(), name="bid"),
    path("lots/<int:pk>/total/", views.BidTotalPage.as_view(), name="bid-total"),
    path("bids/", views.BidsPage.as_view(), name="bids"),
    path("bids/<uuid:pk>/", views.ReceiptPage.as_view(), name="receipt"),
    path("bids/<uuid:pk>/withdraw/", views.WithdrawPage.as_view(), name="withdraw"),
    path("contracts/", views.ContractsPage.as_view(), name="contracts"),
    path("contracts/<int:pk>/", views.ContractPage.as_view(), name="contract"),
    path("orders/", views.OrdersPage.as_view(), name="orders"),
    path("ratings/", views.RatingsPage.as_view(), name="ratings"),
]
