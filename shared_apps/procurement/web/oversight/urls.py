"""The auditors' procurement pages on the district host."""

from django.urls import path

from shared_apps.procurement.web.oversight import views

app_name = "procurement-review"
urlpatterns = [
    path("signals/", views.SignalsPage.as_view(), name="signals"),
    path("tenders/<int:pk>/", views.TenderPage.as_view(), name="tender"),
    path("spend/", views.SpendPage.as_view(), name="spend"),
]
