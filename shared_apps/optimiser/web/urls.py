"""The meal-plan optimiser's pages on the district host."""

from django.urls import path

from shared_apps.optimiser.web import views

app_name = "optimiser"

urlpatterns = [
    path("", views.ProposalListPage.as_view(), name="proposals"),
    path("new/", views.ProposalRequestPage.as_view(), name="proposal-request"),
    path("<int:pk>/", views.ProposalPage.as_view(), name="proposal"),
    path("<int:pk>/entries/", views.EntryAddPage.as_view(), name="entry-add"),
    path("<int:pk>/entries/<int:entry_id>/", views.EntryChangePage.as_view(), name="entry-change"),
    path(
        "<int:pk>/entries/<int:entry_id>/remove/",
        views.EntryRemovePage.as_view(),
        name="entry-remove",
    ),
    path("<int:pk>/publish/", views.PublishPage.as_view(), name="proposal-publish"),
    path("recipe-costs/", views.RecipeCostPage.as_view(), name="recipe-costs"),
]
