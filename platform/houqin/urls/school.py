"""A school's routes (its own schema, on <code>.DISTRICT_DOMAIN)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from houqin.urls.common import api_v1, front_door, outside_api
from houqin.web.home import HomePanel
from shared_apps.accounts.api.views import MembershipViewSet, UserViewSet
from shared_apps.accounts.web.views import HomePage
from shared_apps.audit.api.views import ChangeViewSet, FindingViewSet
from shared_apps.procurement.web.school.views import requisitions_waiting
from shared_apps.subsidies.web import views as subsidies_pages
from tenant_apps.assets.web.views import assets_waiting
from tenant_apps.canteen.web.views import canteen_waiting
from tenant_apps.feedback.api.views import FeedbackViewSet
from tenant_apps.orders.web.views import deliveries_waiting, payments_waiting
from tenant_apps.repairs.web.views import repairs_waiting

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("feedback", FeedbackViewSet, basename="feedback")
router.register("audit/changes", ChangeViewSet, basename="audit-change")
router.register("audit/findings", FindingViewSet, basename="audit-finding")

# What waits for each person on the home page, area by area.
HOME_PANELS: list[HomePanel] = [
    canteen_waiting,
    deliveries_waiting,
    payments_waiting,
    requisitions_waiting,
    repairs_waiting,
    assets_waiting,
    subsidies_pages.school_panel,
]

urlpatterns = [
    path("", HomePage.as_view(panels=HOME_PANELS), name="home"),
    *front_door(),
    path("canteen/", include("tenant_apps.canteen.web.urls")),
    path("orders/", include("tenant_apps.orders.web.urls")),
    path("requisitions/", include("shared_apps.procurement.web.school.urls")),
    path("repairs/", include("tenant_apps.repairs.web.urls")),
    path("api/v1/", include(api_v1 + router.urls)),
    path("api/v1/", include("tenant_apps.people.api.urls")),
    path("api/v1/", include("tenant_apps.canteen.api.urls")),
    # A school's own claims and budgets (district tables, this school's rows).
    path("api/v1/", include("shared_apps.subsidies.api.school_urls")),
    path("api/v1/", include("shared_apps.reporting.api.school_urls")),
    # A school's own requisitions (district tables, this school's rows).
    path("api/v1/", include("shared_apps.procurement.api.school_urls")),
    path("api/v1/", include("tenant_apps.orders.api.urls")),
    path("api/v1/", include("tenant_apps.assets.api.urls")),
    path("api/v1/", include("tenant_apps.repairs.api.urls")),
    path("api/v1/", include("tenant_apps.dorms.api.urls")),
    path("api/v1/", include("tenant_apps.riders.api.urls")),
    # The catalogue, suppliers and contracts to order from; the school's supplier ratings.
    path("api/v1/", include("shared_apps.procurement.api.supply_school_urls")),
    # The school's own meal-plan proposals (district tables, this school's rows).
    path("api/v1/", include("shared_apps.optimiser.api.school_urls")),
    # The school's own field trips by bus (district tables, this school's rows).
    path("api/v1/", include("shared_apps.transport.api.school_urls")),
    # Pages.
    path("subsidies/", include("shared_apps.subsidies.web.school_urls")),
    path("accounts/", include("shared_apps.accounts.web.account_urls")),
    path("people/", include("tenant_apps.people.web.urls")),
    path("assets/", include("tenant_apps.assets.web.urls")),
    path("dorms/", include("tenant_apps.dorms.web.urls")),
    path("field-trips/", include("shared_apps.transport.web.school_urls")),
    path("buses/", include("tenant_apps.riders.web.urls")),
    # Public pages for parents: no sign-in.
    path("disclosure/", include("tenant_apps.disclosure.urls")),
    *outside_api(__name__),
]

handler400 = "houqin.errors.bad_request"
handler403 = "houqin.errors.permission_denied"
handler404 = "houqin.errors.page_not_found"
handler500 = "houqin.errors.server_error"
