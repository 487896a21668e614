"""The evaluation committee's pages on the district host."""

from django.urls import path

from shared_apps.procurement.web.committee import views

app_name = "evaluation"
urlpatterns = [
    path("", views.SeatListPage.as_view(), name="seats"),
    path("<int:pk>/", views.SeatPage.as_view(), name="seat"),
    path("<int:pk>/declare/", views.DeclarePage.as_view(), name="declare"),
    path("<int:pk>/present/", views.PresentPage.as_view(), name="present"),
    path("<int:pk>/scores/", views.ScoresPage.as_view(), name="scores"),
    path("<int:pk>/sign/", views.SignPage.as_view(), name="sign"),
]
