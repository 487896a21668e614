"""The district centre's routes (the public schema, on DISTRICT_DOMAIN)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from houqin.urls.common import api_v1, front_door, outside_api
from houqin.web.home import HomePanel
from shared_apps.accounts.api.views import MembershipViewSet, TokenViewSet, UserViewSet
from shared_apps.accounts.web.views import HomePage
from shared_apps.audit.api.views import ChangeViewSet, FindingViewSet, SecurityEventViewSet
from shared_apps.audit.web.views import findings_panel
from shared_apps.procurement.web.committee.views import committee_panel
from shared_apps.procurement.web.office import views as procurement_office
from shared_apps.procurement.web.portal.views import portal_panel
from shared_apps.standards.web import views as standards_pages
from shared_apps.subsidies.web import views as subsidies_pages
from shared_apps.transport.web import views as transport_pages
from tenants.api.views import SchoolViewSet
from tenants.web.views import onboarding_panel

router = SimpleRouter()
router.register("schools", SchoolViewSet, basename="school")
router.register("users", UserViewSet, basename="user")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("tokens", TokenViewSet, basename="token")
router.register("audit/changes", ChangeViewSet, basename="audit-change")
router.register("audit/security-events", SecurityEventViewSet, basename="audit-security-event")
router.register("audit/findings", FindingViewSet, basename="audit-finding")

# What waits for each person on the home page, area by area.
HOME_PANELS: list[HomePanel] = [
    standards_pages.home_panel,
    subsidies_pages.district_panel,
    onboarding_panel,
    findings_panel,
    portal_panel,
    procurement_office.home_panel,
    committee_panel,
    transport_pages.home_panel,
]

urlpatterns = [
    path("", HomePage.as_view(panels=HOME_PANELS), name="home"),
    *front_door(),
    path("api/v1/", include(api_v1 + router.urls)),
    path("api/v1/", include("shared_apps.standards.api.urls")),
    path("api/v1/", include("shared_apps.subsidies.api.urls")),
    path("api/v1/", include("shared_apps.reporting.api.urls")),
    path("api/v1/", include("shared_apps.procurement.api.urls")),
    path("api/v1/", include("shared_apps.procurement.api.supply_urls")),
    path("api/v1/", include("shared_apps.optimiser.api.urls")),
    path("api/v1/", include("shared_apps.transport.api.urls")),
    # Pages.
    path("standards/", include("shared_apps.standards.web.urls")),
    path("meal-plans/proposals/", include("shared_apps.optimiser.web.urls")),
    path("subsidies/", include("shared_apps.subsidies.web.district_urls")),
    path("statements/", include("shared_apps.reporting.web.urls")),
    path("accounts/", include("shared_apps.accounts.web.account_urls")),
    path("schools/", include("tenants.web.urls")),
    path("audit/", include("shared_apps.audit.web.urls")),
    path("supplier/", include("shared_apps.procurement.web.portal.urls")),
    path("procurement/", include("shared_apps.procurement.web.office.urls")),
    path("evaluation/", include("shared_apps.procurement.web.committee.urls")),
    path("procurement-review/", include("shared_apps.procurement.web.oversight.urls")),
    path("transport/", include("shared_apps.transport.web.urls")),
    *outside_api(__name__),
]

handler400 = "houqin.errors.bad_request"
handler403 = "houqin.errors.permission_denied"
handler404 = "houqin.errors.page_not_found"
handler500 = "houqin.errors.server_error"
