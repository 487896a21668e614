"""The district centre's subsidy pages: programmes, every school's budgets and claims."""

from django.urls import path

from shared_apps.subsidies.web import views

app_name = "subsidies"
urlpatterns = [
    path("programmes/", views.ProgrammeListPage.as_view(), name="programmes"),
    path("budgets/", views.BudgetListPage.as_view(), name="budgets"),
    path("budgets/<int:pk>/", views.BudgetPage.as_view(), name="budget"),
    path(
        "supplements/<int:pk>/confirm/",
        views.SupplementApprovePage.as_view(),
        name="supplement-approve",
    ),
    path("claims/", views.ClaimListPage.as_view(), name="claims"),
    path("claims/<int:pk>/", views.ClaimPage.as_view(), name="claim"),
    path("claims/<int:pk>/approve/", views.ClaimApprovePage.as_view(), name="claim-approve"),
    path("claims/<int:pk>/reject/", views.ClaimRejectPage.as_view(), name="claim-reject"),
    path("claims/<int:pk>/pay/", views.ClaimPayPage.as_view(), name="claim-pay"),
]
