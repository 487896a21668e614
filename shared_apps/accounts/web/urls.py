"""The front door, on every host."""

from django.urls import path

from shared_apps.accounts.web import views

urlpatterns = [
    path("signin/", views.SignInView.as_view(), name="signin"),
    path("signin/handover/", views.handover, name="signin-handover"),
    path("signout/", views.SignOutView.as_view(), name="signout"),
    path("password/", views.PasswordChangePage.as_view(), name="password-change"),
    path("schools/<int:school_id>/go/", views.SchoolGoPage.as_view(), name="school-go"),
]
