"""The repair desk's pages, under /repairs/ on a school's host."""

from django.urls import path

from tenant_apps.repairs.web import views

app_name = "repairs"

urlpatterns = [
    path("", views.MinePage.as_view(), name="mine"),
    path("report/", views.ReportPage.as_view(), name="report"),
    path("desk/", views.DeskPage.as_view(), name="desk"),
    path("work/", views.WorkPage.as_view(), name="work"),
    path("<int:pk>/", views.RequestPage.as_view(), name="request"),
    path("<int:pk>/photo/", views.PhotoPage.as_view(), name="photo"),
    path("<int:pk>/cancel/", views.CancelPage.as_view(), name="cancel"),
    path("<int:pk>/confirm/", views.ConfirmPage.as_view(), name="confirm"),
    path("<int:pk>/reopen/", views.ReopenPage.as_view(), name="reopen"),
    path("<int:pk>/dispatch/", views.DispatchPage.as_view(), name="dispatch"),
    path("<int:pk>/extend/", views.ExtendPage.as_view(), name="extend"),
    path("<int:pk>/approve/", views.ApprovePage.as_view(), name="approve"),
    path("<int:pk>/accept/", views.AcceptPage.as_view(), name="accept"),
    path("<int:pk>/reject/", views.RejectPage.as_view(), name="reject"),
    path("<int:pk>/start/", views.StartPage.as_view(), name="start"),
    path("<int:pk>/complete/", views.CompletePage.as_view(), name="complete"),
]
