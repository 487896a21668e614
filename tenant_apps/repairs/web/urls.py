"""The repair desk's pages, under /repairs/ on a school's host."""

from django.urls import path

from tenant_apps.repairs.web import config, views

app_name = "repairs"

urlpatterns = [
    path("", views.MinePage.as_view(), name="mine"),
    path("report/", views.ReportPage.as_view(), name="report"),
    path("desk/", views.DeskPage.as_view(), name="desk"),
    path("work/", views.WorkPage.as_view(), name="work"),
    path("assets/<int:pk>/", views.AssetRepairsPage.as_view(), name="asset"),
    path("policy/", config.PolicyPage.as_view(), name="policy"),
    path("policy/edit/", config.PolicyEditPage.as_view(), name="policy-edit"),
    path("teams/", config.TeamsPage.as_view(), name="teams"),
    path("teams/add/", config.TeamAddPage.as_view(), name="team-add"),
    path("teams/<int:pk>/edit/", config.TeamEditPage.as_view(), name="team-edit"),
    path("rules/", config.RulesPage.as_view(), name="rules"),
    path("rules/add/", config.RuleAddPage.as_view(), name="rule-add"),
    path("rules/<int:pk>/delete/", config.RuleDeletePage.as_view(), name="rule-delete"),
    path("scorecards/", config.ScorecardsPage.as_view(), name="scorecards"),
    path("scorecards/add/", config.ScorecardAddPage.as_view(), name="scorecard-add"),
    path("plans/", config.PlansPage.as_view(), name="plans"),
    path("plans/add/", config.PlanAddPage.as_view(), name="plan-add"),
    path("plans/<int:pk>/meter/", config.MeterPage.as_view(), name="plan-meter"),
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
