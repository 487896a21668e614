from rest_framework.routers import SimpleRouter

from shared_apps.standards.api.views import (
    FoodViewSet,
    MealPlanViewSet,
    NutritionStandardViewSet,
    RecipeViewSet,
    StandardTargetViewSet,
)

router = SimpleRouter()
router.register("standards", NutritionStandardViewSet, basename="standard")
router.register("nutrient-targets", StandardTargetViewSet, basename="nutrient-target")
router.register("foods", FoodViewSet, basename="food")
router.register("recipes", RecipeViewSet, basename="recipe")
router.register("meal-plans", MealPlanViewSet, basename="meal-plan")

urlpatterns = router.urls
