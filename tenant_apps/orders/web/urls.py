"""A school's orders' pages, under /orders/ on its host."""

from django.urls import path

from tenant_apps.orders.web import views

app_name = "orders"

urlpatterns = [
    path("due/", views.DuePage.as_view(), name="due"),
    path("<int:pk>/deliver/", views.DeliverPage.as_view(), name="deliver"),
]
