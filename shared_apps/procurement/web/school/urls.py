"""A school's requisitions' pages, under /requisitions/ on its host."""

from django.urls import path

from shared_apps.procurement.web.school import views

app_name = "requisitions"

urlpatterns = [
    path("", views.RequisitionListPage.as_view(), name="list"),
    path("raise/", views.RequisitionRaisePage.as_view(), name="raise"),
    path("<int:pk>/", views.RequisitionPage.as_view(), name="requisition"),
    path("<int:pk>/approve/", views.RequisitionApprovePage.as_view(), name="approve"),
    path("<int:pk>/reject/", views.RequisitionRejectPage.as_view(), name="reject"),
]
