"""Boarding's pages, under /dorms/ on a school's host."""

from django.urls import path

from tenant_apps.dorms.web import views

app_name = "dorms"

urlpatterns = [
    path("", views.RoomsPage.as_view(), name="rooms"),
    path("roll-call/", views.RollCallPage.as_view(), name="roll-call"),
    path("leaves/", views.LeavesPage.as_view(), name="leaves"),
    path("money/", views.MoneyPage.as_view(), name="money"),
    path("leaves/<int:pk>/decide/", views.LeaveDecidePage.as_view(), name="leave-decide"),
]
