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
    path("my-class/", views.MyClassPage.as_view(), name="my-class"),
    path("my-class/leave/", views.ClassLeavePage.as_view(), name="class-leave"),
    path("room-changes/", views.RoomChangesPage.as_view(), name="room-changes"),
    path("room-changes/ask/", views.RoomChangeAskPage.as_view(), name="room-change-ask"),
    path(
        "room-changes/<int:pk>/review/",
        views.RoomChangeReviewPage.as_view(),
        name="room-change-review",
    ),
    path(
        "room-changes/<int:pk>/decide/",
        views.RoomChangeDecidePage.as_view(),
        name="room-change-decide",
    ),
]
