from rest_framework.routers import SimpleRouter

from tenant_apps.canteen.api.views import (
    AccompaniedMealViewSet,
    AlertViewSet,
    ColdStorageReadingViewSet,
    DailyCloseViewSet,
    FoodSampleViewSet,
    InboundInspectionViewSet,
    MealSessionViewSet,
    MenuViewSet,
    ServingViewSet,
)

router = SimpleRouter()
router.register("menus", MenuViewSet, basename="canteen-menu")
router.register("sessions", MealSessionViewSet, basename="canteen-session")
router.register("servings", ServingViewSet, basename="canteen-serving")
router.register("accompanied-meals", AccompaniedMealViewSet, basename="canteen-accompanied-meal")
router.register("samples", FoodSampleViewSet, basename="canteen-sample")
router.register("inspections", InboundInspectionViewSet, basename="canteen-inspection")
router.register("cold-readings", ColdStorageReadingViewSet, basename="canteen-cold-reading")
router.register("alerts", AlertViewSet, basename="canteen-alert")
router.register("daily-closes", DailyCloseViewSet, basename="canteen-daily-close")

urlpatterns = router.urls
