"""The rules a proposed week keeps besides the standard's targets: which days, the courses of
each menu, repeats, deep-fried dishes, allergens, the budget and each day's energy. A proposal
records them (with the courses and weights below) among its inputs."""

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from shared_apps.standards.models import Course, Meal

# The courses of each menu, (least, most): a lunch (and a dinner) has one staple, a protein
# dish and a vegetable dish, and at most a soup, a fruit and milk; a breakfast a staple or two.
LUNCH_COURSES: dict[str, tuple[int, int]] = {
    Course.STAPLE: (1, 1),
    Course.PROTEIN: (1, 2),
    Course.VEGETABLE: (1, 2),
    Course.SOUP: (0, 1),
    Course.FRUIT: (0, 1),
    Course.DAIRY: (0, 1),
    Course.OTHER: (0, 1),
}
COURSES: dict[str, dict[str, tuple[int, int]]] = {
    Meal.BREAKFAST: {
        Course.STAPLE: (1, 2),
        Course.PROTEIN: (0, 1),
        Course.VEGETABLE: (0, 1),
        Course.SOUP: (0, 1),
        Course.FRUIT: (0, 1),
        Course.DAIRY: (0, 1),
        Course.OTHER: (0, 1),
    },
    Meal.LUNCH: LUNCH_COURSES,
    Meal.DINNER: LUNCH_COURSES,
}
MAX_DISHES: dict[str, int] = {Meal.BREAKFAST: 5, Meal.LUNCH: 6, Meal.DINNER: 6}
SCHOOL_DAYS = (1, 2, 3, 4, 5)
NUTRITION_PROGRAMME = "nutrition_improvement"


@dataclass(frozen=True)
class Rules:
    """`days` of the week served (1 = Monday); no dish twice in the week but those of the
    `repeatable` courses (rice and milk every day); at most `max_deep_fried` deep-fried dishes;
    no recipe with an allergen of `exclude_allergens`; no seasonal dish out of its season; each
    menu costing at most the daily rate of the subsidy `programme` plus `budget_addition` (what
    the school adds; no budget when `programme` is empty); and, with `daily_energy`, each day's
    energy within the standard's tolerance, not only the week's average."""

    days: tuple[int, ...] = SCHOOL_DAYS
    repeatable: tuple[str, ...] = (Course.STAPLE, Course.DAIRY)
    max_deep_fried: int = 1
    exclude_allergens: tuple[str, ...] = ()
    programme: str = NUTRITION_PROGRAMME
    budget_addition: Decimal = Decimal("0.00")
    daily_energy: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "days": list(self.days),
            "repeatable": list(self.repeatable),
            "exclude_allergens": list(self.exclude_allergens),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Rules":
        return cls(
            days=tuple(values["days"]),
            repeatable=tuple(values["repeatable"]),
            max_deep_fried=int(values["max_deep_fried"]),
            exclude_allergens=tuple(values["exclude_allergens"]),
            programme=str(values["programme"]),
            budget_addition=Decimal(values["budget_addition"]),
            daily_energy=bool(values["daily_energy"]),
        )
