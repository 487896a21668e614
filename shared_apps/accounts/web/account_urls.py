"""Accounts and roles, on the district host (the district administrator's) and a school's (its
logistics director's)."""

from django.urls import path

from shared_apps.accounts.web import views

app_name = "accounts"

urlpatterns = [
    path("", views.UserListPage.as_view(), name="users"),
    path("new/", views.UserCreatePage.as_view(), name="new"),
    path("<int:pk>/", views.UserPage.as_view(), name="user"),
    path("<int:pk>/roles/", views.MembershipGrantPage.as_view(), name="grant"),
    path("<int:pk>/password/", views.UserPasswordPage.as_view(), name="password"),
    path("roles/<int:pk>/revoke/", views.MembershipRevokePage.as_view(), name="revoke"),
]
