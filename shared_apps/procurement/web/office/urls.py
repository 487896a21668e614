"""The procurement officer's pages on the district host (under /procurement/)."""

from django.urls import path

from shared_apps.procurement.web.office import views

app_name = "procurement-office"
urlpatterns = [
    path("requisitions/", views.RequisitionsWaitingPage.as_view(), name="requisitions"),
    path("tenders/", views.TenderListPage.as_view(), name="tenders"),
    path("tenders/new/", views.TenderCreatePage.as_view(), name="tender-create"),
    path("tenders/<int:pk>/", views.TenderPage.as_view(), name="tender"),
    path("tenders/<int:pk>/publish/", views.TenderPublishPage.as_view(), name="tender-publish"),
    path("tenders/<int:pk>/reserve/", views.ReservePage.as_view(), name="tender-reserve"),
    path("tenders/<int:pk>/evaluate/", views.EvaluatePage.as_view(), name="tender-evaluate"),
    path("tenders/<int:pk>/award/", views.AwardPage.as_view(), name="award"),
    path("suppliers/", views.SupplierListPage.as_view(), name="suppliers"),
    path("suppliers/<int:pk>/", views.SupplierPage.as_view(), name="supplier"),
    path(
        "suppliers/<int:pk>/suspend/", views.SupplierSuspendPage.as_view(), name="supplier-suspend"
    ),
    path(
        "suppliers/<int:pk>/reinstate/",
        views.SupplierReinstatePage.as_view(),
        name="supplier-reinstate",
    ),
    path("qualifications/", views.QualificationListPage.as_view(), name="qualifications"),
    path(
        "qualifications/<int:pk>/scan/",
        views.QualificationScanPage.as_view(),
        name="qualification-scan",
    ),
    path(
        "qualifications/<int:pk>/verify/",
        views.QualificationVerifyPage.as_view(),
        name="qualification-verify",
    ),
    path(
        "qualifications/<int:pk>/reject/",
        views.QualificationRejectPage.as_view(),
        name="qualification-reject",
    ),
    path("contracts/", views.ContractListPage.as_view(), name="contracts"),
]
