from rest_framework.routers import SimpleRouter

from tenant_apps.canteen.api.views import (
    AccompaniedMealViewSet,
    AlertViewSet,
    ColdStorageReadingViewSet,
    DailyCloseViewSet,
    FoodSampleViewSet,
    HolidayViewSet,
    InboundInspectionViewSet,
    MakeUpDayViewSet,
    MealSessionViewSet,
    MenuViewSet,
    SchoolTermViewSet,
    ServingViewSet,
)

router = SimpleRouter()
router.register("calendar/terms", SchoolTermViewSet, basename="canteen-term")
router.register("calendar/holidays", HolidayViewSet, basename="canteen-holiday")
router.register("calendar/make-up-days", MakeUpDayViewSet, basename="canteen-make-up-day")
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
