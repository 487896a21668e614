"""A school's orders' pages, under /orders/ on its host."""

from django.urls import path

from tenant_apps.orders.web import views

app_name = "orders"

urlpatterns = [
    path("", views.OrderListPage.as_view(), name="list"),
    path("place/", views.PlacePage.as_view(), name="place"),
    path("due/", views.DuePage.as_view(), name="due"),
    path("<int:pk>/", views.OrderPage.as_view(), name="order"),
    path("<int:pk>/deliver/", views.DeliverPage.as_view(), name="deliver"),
    path("<int:pk>/invoice/", views.InvoicePage.as_view(), name="invoice"),
    path("payments/", views.PaymentsPage.as_view(), name="payments"),
    path("payments/<int:pk>/pay/", views.PayPage.as_view(), name="pay"),
    path("ratings/", views.RatingPage.as_view(), name="rate"),
]
