"""A school's subsidy pages: its claims and budgets."""

from django.urls import path

from shared_apps.subsidies.web import views

app_name = "subsidies"
urlpatterns = [
    path("claims/", views.SchoolClaimListPage.as_view(), name="claims"),
    path("claims/compute/", views.ClaimComputePage.as_view(), name="claim-compute"),
    path("claims/<int:pk>/", views.ClaimPage.as_view(), name="claim"),
    path("claims/<int:pk>/submit/", views.ClaimSubmitPage.as_view(), name="claim-submit"),
    path("budgets/", views.SchoolBudgetListPage.as_view(), name="budgets"),
    path("budgets/<int:pk>/", views.BudgetPage.as_view(), name="budget"),
    path(
        "budgets/<int:pk>/supplement/",
        views.SupplementRequestPage.as_view(),
        name="supplement-request",
    ),
]
