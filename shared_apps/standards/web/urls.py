"""The district's nutrition pages."""

from django.urls import path

from shared_apps.standards.web import views

app_name = "standards"

urlpatterns = [
    path("plans/", views.PlanListPage.as_view(), name="plans"),
    path("plans/new/", views.PlanCreatePage.as_view(), name="plan-create"),
    path("plans/<int:pk>/", views.PlanPage.as_view(), name="plan"),
    path("plans/<int:pk>/entries/", views.PlanEntryPage.as_view(), name="plan-entry"),
    path("plans/<int:pk>/copy/", views.PlanCopyPage.as_view(), name="plan-copy"),
    path("plans/<int:pk>/publish/", views.PlanPublishPage.as_view(), name="plan-publish"),
    path("plans/<int:pk>/revise/", views.PlanRevisePage.as_view(), name="plan-revise"),
    path("recipes/", views.RecipeListPage.as_view(), name="recipes"),
    path("recipes/<int:pk>/", views.RecipePage.as_view(), name="recipe"),
    path("foods/", views.FoodListPage.as_view(), name="foods"),
]
