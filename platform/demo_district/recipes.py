"""The demo district's recipe library and what its foods cost: the district's quantified recipes
for breakfast and lunch (grams per serving at ages 9-11, the other bands scaled), each with its
course, how far its portion may go, and whether it is deep-fried, seasonal or carries an
allergen; and a catalogue item with a market reference price for every food they use.

The optimiser composes the demo's weekly plans from these (see `seed._plans`)."""

from dataclasses import dataclass
from decimal import Decimal

from shared_apps.accounts.models import User
from shared_apps.procurement.models import Category
from shared_apps.standards import services as standards
from shared_apps.standards.models import Recipe

# Grams per serving for each band, from the 9-11 figure.
BAND_SCALE = {
    "6-8": Decimal("0.8"),
    "9-11": Decimal("1"),
    "12-14": Decimal("1.15"),
    "15-17": Decimal("1.3"),
}
# What the district adds to the nutrition programme's daily rate for each meal (CNY), by band:
# the oldest eat most.
BUDGET_ADDITIONS = {
    "6-8": Decimal("1.00"),
    "9-11": Decimal("1.00"),
    "12-14": Decimal("1.00"),
    "15-17": Decimal("2.00"),
}
COOL_SEASON = (1, 2, 3, 4, 10, 11, 12)
WARM_SEASON = (5, 6, 7, 8, 9, 10)


@dataclass(frozen=True)
class DemoRecipe:
    name: str
    meal: str
    course: str
    items: tuple[tuple[str, str], ...]  # food code, grams per serving at ages 9-11
    portion: tuple[int, int] = (80, 120)  # least and most, % of the serving
    deep_fried: bool = False
    months: tuple[int, ...] = ()
    allergens: tuple[str, ...] = ()


def _r(
    name: str,
    meal: str,
    course: str,
    items: str,
    portion: tuple[int, int] = (80, 120),
    **flags: object,
) -> DemoRecipe:
    """A recipe written compactly: items as "CODE grams, CODE grams"."""
    pairs = tuple(
        (code, grams) for code, grams in (part.split() for part in items.split(",") if part.strip())
    )
    return DemoRecipe(name, meal, course, pairs, portion, **flags)  # type: ignore[arg-type]


L, B = "lunch", "breakfast"
WIDE = (50, 150)

LIBRARY: list[DemoRecipe] = [
    # Lunch: staples.
    _r("米饭", L, "staple", "CT002 115", (70, 130)),
    _r("二米饭", L, "staple", "CT002 85, CT017 30", (70, 130)),
    _r("红豆饭", L, "staple", "CT002 90, CT026 25", (70, 130)),
    _r("杂粮饭", L, "staple", "CT002 70, CT005 20, CT021 20", (70, 130), allergens=("gluten",)),
    _r("玉米发糕", L, "staple", "CT009 70, CT018 40", (70, 130), allergens=("gluten",)),
    _r("红薯米饭", L, "staple", "CT002 95, CT028 60", (70, 130)),
    _r("荞麦面条", L, "staple", "CT010 70, CT022 40, CD001 0.5", (70, 130), allergens=("gluten",)),
    # Lunch: protein dishes.
    _r(
        "番茄炒蛋", L, "protein", "VG022 80, EG001 45, OL001 4, CD001 0.6", WIDE, allergens=("egg",)
    ),
    _r("土豆烧牛肉", L, "protein", "MT009 40, CT027 60, OL001 4, CD002 4", WIDE),
    _r("青椒肉丝", L, "protein", "MT001 35, VG025 60, OL001 4, CD001 0.6", WIDE),
    _r("红烧鸡腿", L, "protein", "MT015 70, OL001 3, CD002 4", WIDE),
    _r("清蒸鲈鱼", L, "protein", "AQ007 80, OL001 2, CD002 3", WIDE, allergens=("fish",)),
    _r("红烧草鱼", L, "protein", "AQ001 80, OL001 4, CD002 3", WIDE, allergens=("fish",)),
    _r(
        "麻婆豆腐",
        L,
        "protein",
        "SN003 70, MT001 15, OL001 4, CD005 3",
        WIDE,
        allergens=("soy",),
    ),
    _r(
        "鱼香肉丝",
        L,
        "protein",
        "MT001 35, VG027 30, VG056 20, VG025 20, OL001 4, CD002 3",
        WIDE,
        allergens=("soy", "gluten"),
    ),
    _r(
        "虾仁炒蛋",
        L,
        "protein",
        "AQ016 40, EG001 35, OL001 4, CD001 0.5",
        WIDE,
        allergens=("crustacean", "egg"),
    ),
    _r(
        "宫保鸡丁",
        L,
        "protein",
        "MT014 50, SN012 10, VG023 30, OL001 4, CD002 3",
        WIDE,
        allergens=("peanut", "soy", "gluten"),
    ),
    _r(
        "香酥鸡排",
        L,
        "protein",
        "MT014 70, CT009 15, EG001 10, OL001 8, CD001 0.5",
        WIDE,
        deep_fried=True,
        allergens=("gluten", "egg"),
    ),
    _r(
        "猪肝炒菠菜",
        L,
        "protein",
        "MT006 25, VG004 60, OL001 4, CD001 0.5",
        WIDE,
        months=COOL_SEASON,
    ),
    _r("肉末蒸蛋", L, "protein", "EG001 50, MT001 15, CD002 3", WIDE, allergens=("egg", "soy")),
    _r(
        "干炸带鱼",
        L,
        "protein",
        "AQ010 70, CT009 10, OL001 8, CD001 0.5",
        WIDE,
        deep_fried=True,
        allergens=("fish", "gluten"),
    ),
    _r("香菇滑鸡", L, "protein", "MT014 50, VG051 40, OL001 4, CD002 3", WIDE, allergens=("soy",)),
    _r(
        "家常豆腐",
        L,
        "protein",
        "SN006 40, MT002 10, VG025 30, OL001 4, CD002 3",
        WIDE,
        allergens=("soy",),
    ),
    _r("胡萝卜烧鸭", L, "protein", "MT018 60, VG027 50, OL001 2, CD002 4", WIDE),
    # Lunch: vegetable dishes.
    _r("清炒小白菜", L, "vegetable", "VG002 120, OL001 4, CD001 0.5", WIDE),
    _r("蒜蓉西兰花", L, "vegetable", "VG014 100, VG036 5, OL001 4, CD001 0.5", WIDE),
    _r("手撕包菜", L, "vegetable", "VG012 120, OL001 4, CD002 3", WIDE, allergens=("soy",)),
    _r("醋溜白菜", L, "vegetable", "VG001 130, OL001 4, CD003 4, CD001 0.4", WIDE),
    _r(
        "胡萝卜炒蛋",
        L,
        "vegetable",
        "VG027 80, EG001 20, OL001 4, CD001 0.5",
        WIDE,
        allergens=("egg",),
    ),
    _r(
        "虾皮西葫芦", L, "vegetable", "VG033 120, AQ019 3, OL001 4", WIDE, allergens=("crustacean",)
    ),
    _r("香菇油菜", L, "vegetable", "VG003 100, VG051 30, OL001 4, CD001 0.5", WIDE),
    _r(
        "炒豆芽",
        L,
        "vegetable",
        "VG045 100, VG027 20, OL001 4, CD001 0.5",
        WIDE,
        allergens=("soy",),
    ),
    _r("番茄菜花", L, "vegetable", "VG015 80, VG022 50, OL001 4, CD001 0.5", WIDE),
    _r(
        "干煸豆角", L, "vegetable", "VG040 110, MT002 8, OL001 5, CD002 2", WIDE, allergens=("soy",)
    ),
    _r("黄瓜木耳", L, "vegetable", "VG023 80, VG056 30, OL005 2, CD003 3, CD001 0.4", WIDE),
    _r(
        "清炒菠菜",
        L,
        "vegetable",
        "VG004 120, VG036 4, OL001 4, CD001 0.5",
        WIDE,
        months=COOL_SEASON,
    ),
    _r(
        "蒜蓉空心菜",
        L,
        "vegetable",
        "VG009 120, VG036 4, OL001 4, CD001 0.5",
        WIDE,
        months=WARM_SEASON,
    ),
    _r(
        "地三鲜",
        L,
        "vegetable",
        "CT027 40, VG024 60, VG025 30, OL001 8, CD002 3",
        WIDE,
        deep_fried=True,
    ),
    _r("清炒南瓜", L, "vegetable", "VG030 120, OL001 4, CD001 0.5", WIDE),
    _r(
        "芹菜香干",
        L,
        "vegetable",
        "VG005 90, SN006 15, OL001 4, CD001 0.5",
        WIDE,
        allergens=("soy",),
    ),
    # Lunch: soups.
    _r(
        "紫菜蛋花汤",
        L,
        "soup",
        "VG059 3, EG001 15, AQ019 2, OL005 1, CD001 0.5",
        WIDE,
        allergens=("egg", "crustacean"),
    ),
    _r("番茄豆腐汤", L, "soup", "VG022 40, SN004 40, CD001 0.5", WIDE, allergens=("soy",)),
    _r("冬瓜海带汤", L, "soup", "VG029 60, VG058 20, CD001 0.5", WIDE),
    _r("菠菜猪肝汤", L, "soup", "VG004 30, MT006 10, CD001 0.5", WIDE, months=COOL_SEASON),
    _r("萝卜排骨汤", L, "soup", "VG028 50, MT004 25, CD001 0.5", WIDE),
    _r("丝瓜鱼片汤", L, "soup", "VG031 50, AQ006 30, CD001 0.5", WIDE, allergens=("fish",)),
    # Lunch: fruit and milk.
    _r("苹果", L, "fruit", "FR001 100", WIDE),
    _r("香蕉", L, "fruit", "FR003 120", WIDE),
    _r("橙子", L, "fruit", "FR004 120", WIDE),
    _r("梨", L, "fruit", "FR002 100", WIDE),
    _r("猕猴桃", L, "fruit", "FR010 90", WIDE),
    _r("橘子", L, "fruit", "FR005 100", WIDE, months=COOL_SEASON),
    _r("西瓜", L, "fruit", "FR008 150", WIDE, months=(6, 7, 8)),
    _r("午餐奶", L, "dairy", "DY001 100", (40, 160), allergens=("milk",)),
    _r("酸奶", L, "dairy", "DY002 100", (40, 160), allergens=("milk",)),
    # Breakfast: staples.
    _r("馒头", B, "staple", "CT012 80", WIDE, allergens=("gluten",)),
    _r("花卷", B, "staple", "CT013 80", WIDE, allergens=("gluten",)),
    _r("小米粥", B, "staple", "CT017 25", WIDE),
    _r("燕麦粥", B, "staple", "CT021 30", WIDE, allergens=("gluten",)),
    _r("八宝粥", B, "staple", "CT004 10, CT026 10, CT017 10, CT025 5", WIDE),
    _r("蒸红薯", B, "staple", "CT028 120", WIDE),
    _r("玉米面窝头", B, "staple", "CT018 60", WIDE),
    _r("年糕汤", B, "staple", "CT031 90, VG003 40, OL005 1, CD001 0.3", WIDE),
    _r(
        "酸辣粉",
        B,
        "staple",
        "CT033 40, VG045 30, OL001 3, CD003 3, CD001 0.4",
        WIDE,
        allergens=("soy",),
    ),
    _r("红糖发糕", B, "staple", "CT009 50, OT002 8", WIDE, allergens=("gluten",)),
    _r("豆沙包", B, "staple", "CT009 50, CT026 15, OT001 6", WIDE, allergens=("gluten",)),
    _r("红豆粥", B, "staple", "CT026 20, CT002 15", WIDE),
    _r("绿豆粥", B, "staple", "CT025 20, CT002 10", WIDE),
    _r("红糖糍粑", B, "staple", "CT004 45, OT002 8, OL001 3", WIDE),
    _r("南瓜粥", B, "staple", "CT002 20, VG030 60", WIDE),
    _r("荞麦馒头", B, "staple", "CT009 40, CT022 25", WIDE, allergens=("gluten",)),
    _r("煮玉米", B, "staple", "CT019 200", WIDE, months=(6, 7, 8, 9, 10)),
    _r(
        "菜肉包子",
        B,
        "staple",
        "CT009 60, MT002 15, VG001 50, OL001 2, CD002 2",
        WIDE,
        allergens=("gluten", "soy"),
    ),
    _r(
        "鲜虾蒸饺",
        B,
        "staple",
        "CT009 50, AQ016 30, VG011 40, CD001 0.4",
        WIDE,
        allergens=("gluten", "crustacean"),
    ),
    _r(
        "鸡蛋饼",
        B,
        "staple",
        "CT009 50, EG001 25, VG035 5, OL001 4, CD001 0.4",
        WIDE,
        allergens=("gluten", "egg"),
    ),
    _r(
        "青菜肉丝面",
        B,
        "staple",
        "CT010 60, MT001 15, VG003 50, CD001 0.4",
        WIDE,
        allergens=("gluten",),
    ),
    _r(
        "鲜肉馄饨",
        B,
        "staple",
        "CT009 40, MT002 20, VG059 1, AQ019 2, CD001 0.4",
        WIDE,
        allergens=("gluten", "crustacean"),
    ),
    _r("鱼片粥", B, "staple", "CT002 30, AQ006 30, VG035 3, CD001 0.4", WIDE, allergens=("fish",)),
    _r("油条", B, "staple", "CT016 50", WIDE, deep_fried=True, allergens=("gluten",)),
    # Breakfast: eggs and soy.
    _r("煮鸡蛋", B, "protein", "EG001 55", WIDE, allergens=("egg",)),
    _r("茶叶蛋", B, "protein", "EG001 55, CD002 2", WIDE, allergens=("egg", "soy")),
    _r("蒸蛋羹", B, "protein", "EG001 50, OL005 1, CD002 1", WIDE, allergens=("egg", "soy")),
    _r("五香鹌鹑蛋", B, "protein", "EG005 45, CD002 2", WIDE, allergens=("egg", "soy")),
    _r("卤豆干", B, "protein", "SN006 30, CD002 2", WIDE, allergens=("soy",)),
    _r("豆浆", B, "soup", "SN011 100", (40, 150), allergens=("soy",)),
    _r(
        "豆腐脑",
        B,
        "soup",
        "SN004 50, VG059 1, AQ019 1, CD002 2",
        WIDE,
        allergens=("soy", "crustacean"),
    ),
    # Breakfast: vegetables.
    _r("凉拌黄瓜", B, "vegetable", "VG023 80, OL005 2, CD003 3, CD001 0.3", WIDE),
    _r("炝拌菠菜", B, "vegetable", "VG004 80, OL005 2, CD001 0.3", WIDE, months=COOL_SEASON),
    _r("凉拌海带丝", B, "vegetable", "VG058 70, VG027 20, OL005 2, CD003 3, CD001 0.3", WIDE),
    _r("清炒西兰花", B, "vegetable", "VG014 80, OL001 3, CD001 0.3", WIDE),
    _r("蒸南瓜", B, "vegetable", "VG030 100", WIDE),
    _r(
        "拌三丝",
        B,
        "vegetable",
        "VG027 30, VG012 40, SN007 10, OL005 2, CD001 0.3",
        WIDE,
        allergens=("soy",),
    ),
    _r("清炒生菜", B, "vegetable", "VG006 90, OL001 3, CD001 0.3", WIDE),
    _r("凉拌木耳", B, "vegetable", "VG056 60, VG023 30, OL005 2, CD003 3, CD001 0.3", WIDE),
    # Breakfast: fruit and milk.
    _r("苹果(早)", B, "fruit", "FR001 80", WIDE),
    _r("香蕉(早)", B, "fruit", "FR003 90", WIDE),
    _r("橙子(早)", B, "fruit", "FR004 90", WIDE),
    _r("梨(早)", B, "fruit", "FR002 80", WIDE),
    _r("猕猴桃(早)", B, "fruit", "FR010 70", WIDE),
    _r("枣(早)", B, "fruit", "FR019 50", WIDE, months=(8, 9, 10)),
    _r("牛奶", B, "dairy", "DY001 200", WIDE, allergens=("milk",)),
    _r("早餐酸奶", B, "dairy", "DY002 150", WIDE, allergens=("milk",)),
]

# Every food the library uses that the procurement catalogue (demo_district.procurement) does
# not already sell: code, name, unit, specification, market reference price (CNY per unit), food.
FOOD_ITEMS: list[tuple[str, str, str, str, str, str, str]] = [
    (code, name, Category.FOOD, "kg", spec, price, food)
    for code, name, spec, price, food in [
        ("FD-101", "赤小豆", "一级 25kg/袋", "14.00", "CT026"),
        ("FD-102", "黑米", "一级", "12.00", "CT005"),
        ("FD-103", "燕麦片", "纯燕麦片 1kg/袋", "16.00", "CT021"),
        ("FD-104", "玉米面", "黄玉米面 一级", "5.00", "CT018"),
        ("FD-105", "富强粉", "特一粉 25kg/袋", "5.20", "CT009"),
        ("FD-106", "红薯", "红心 一级", "4.00", "CT028"),
        ("FD-107", "挂面", "标准粉挂面", "7.00", "CT010"),
        ("FD-108", "荞麦", "荞麦米", "12.00", "CT022"),
        ("FD-109", "牛肉", "鲜牛肉（肥瘦）", "70.00", "MT009"),
        ("FD-110", "猪瘦肉", "鲜猪后腿肉", "30.00", "MT001"),
        ("FD-111", "鲈鱼", "鲜活 约500g/条", "36.00", "AQ007"),
        ("FD-112", "草鱼", "鲜活 约1.5kg/条", "16.00", "AQ001"),
        ("FD-113", "豆瓣酱", "郫县豆瓣", "12.00", "CD005"),
        ("FD-114", "水发木耳", "当日泡发", "12.00", "VG056"),
        ("FD-115", "对虾", "冷冻白虾 中号", "48.00", "AQ016"),
        ("FD-116", "鸡胸肉", "冷鲜", "20.00", "MT014"),
        ("FD-117", "花生仁", "一级", "14.00", "SN012"),
        ("FD-118", "黄瓜", "一级", "4.00", "VG023"),
        ("FD-119", "猪肝", "鲜猪肝 附检疫证明", "16.00", "MT006"),
        ("FD-120", "菠菜", "一级", "5.00", "VG004"),
        ("FD-121", "带鱼", "冷冻 中段", "32.00", "AQ010"),
        ("FD-122", "鲜香菇", "一级", "12.00", "VG051"),
        ("FD-123", "豆腐干", "五香", "10.00", "SN006"),
        ("FD-124", "鸭肉", "冷鲜半片鸭", "18.00", "MT018"),
        ("FD-125", "小白菜", "一级", "4.00", "VG002"),
        ("FD-126", "西兰花", "一级", "8.00", "VG014"),
        ("FD-127", "大蒜", "白皮", "8.00", "VG036"),
        ("FD-128", "结球甘蓝", "圆白菜 一级", "2.50", "VG012"),
        ("FD-129", "醋", "酿造米醋", "6.00", "CD003"),
        ("FD-130", "西葫芦", "一级", "3.50", "VG033"),
        ("FD-131", "虾皮", "淡干", "40.00", "AQ019"),
        ("FD-132", "油菜", "上海青 一级", "4.00", "VG003"),
        ("FD-133", "黄豆芽", "当日", "3.00", "VG045"),
        ("FD-134", "花椰菜", "一级", "5.00", "VG015"),
        ("FD-135", "豆角", "一级", "7.00", "VG040"),
        ("FD-136", "芝麻油", "小磨香油", "40.00", "OL005"),
        ("FD-137", "空心菜", "一级", "5.00", "VG009"),
        ("FD-138", "茄子", "长茄 一级", "4.50", "VG024"),
        ("FD-139", "南瓜", "一级", "3.00", "VG030"),
        ("FD-140", "芹菜", "西芹 一级", "4.00", "VG005"),
        ("FD-141", "紫菜", "干紫菜", "80.00", "VG059"),
        ("FD-142", "南豆腐", "嫩豆腐", "5.00", "SN004"),
        ("FD-143", "冬瓜", "一级", "2.00", "VG029"),
        ("FD-144", "海带", "鲜海带丝", "6.00", "VG058"),
        ("FD-145", "白萝卜", "一级", "2.00", "VG028"),
        ("FD-146", "猪大排", "带骨", "28.00", "MT004"),
        ("FD-147", "丝瓜", "一级", "5.00", "VG031"),
        ("FD-148", "罗非鱼片", "冷冻鱼片", "24.00", "AQ006"),
        ("FD-149", "苹果", "富士 一级", "8.00", "FR001"),
        ("FD-150", "香蕉", "一级", "6.00", "FR003"),
        ("FD-151", "橙", "脐橙 一级", "8.00", "FR004"),
        ("FD-152", "梨", "砀山酥梨", "6.00", "FR002"),
        ("FD-153", "猕猴桃", "徐香 一级", "12.00", "FR010"),
        ("FD-154", "橘", "蜜橘", "6.00", "FR005"),
        ("FD-155", "西瓜", "麒麟瓜", "3.00", "FR008"),
        ("FD-156", "酸奶", "原味 学生装", "14.00", "DY002"),
        ("FD-157", "馒头", "标准粉 当日", "6.00", "CT012"),
        ("FD-158", "花卷", "当日", "7.00", "CT013"),
        ("FD-159", "糯米", "一级", "8.00", "CT004"),
        ("FD-160", "绿豆", "一级", "12.00", "CT025"),
        ("FD-161", "鲜玉米", "甜玉米 带苞叶", "3.00", "CT019"),
        ("FD-162", "韭菜", "一级", "6.00", "VG011"),
        ("FD-163", "大葱", "一级", "4.00", "VG035"),
        ("FD-164", "油条", "当日", "12.00", "CT016"),
        ("FD-165", "鹌鹑蛋", "鲜", "16.00", "EG005"),
        ("FD-166", "豆浆", "当日现磨", "4.00", "SN011"),
        ("FD-167", "生菜", "一级", "6.00", "VG006"),
        ("FD-168", "豆腐皮", "一级", "16.00", "SN007"),
        ("FD-169", "鲜枣", "冬枣", "12.00", "FR019"),
        ("FD-170", "年糕", "水磨年糕", "8.00", "CT031"),
        ("FD-171", "粉条", "红薯粉条", "12.00", "CT033"),
        ("FD-172", "红糖", "一级", "10.00", "OT002"),
        ("FD-173", "白砂糖", "一级", "7.00", "OT001"),
    ]
]
# Grams of the food one unit holds, for the catalogue's items not sold by weight.
GRAMS_PER_UNIT = {"FD-003": "920", "FD-008": "258", "FD-016": "1150"}


def _traits(spec: DemoRecipe) -> standards.Traits:
    return standards.Traits(
        course=spec.course,
        deep_fried=spec.deep_fried,
        season_months=spec.months,
        allergens=spec.allergens,
        portion_min_pct=Decimal(spec.portion[0]),
        portion_max_pct=Decimal(spec.portion[1]),
    )


def _items(spec: DemoRecipe) -> list[standards.ItemInput]:
    return [
        standards.ItemInput(
            food=code, age_band=band, grams=(Decimal(grams) * scale).quantize(Decimal("0.1"))
        )
        for code, grams in spec.items
        for band, scale in BAND_SCALE.items()
    ]


def seed_library(officer: User) -> dict[str, Recipe]:
    """The library's recipes by name: created where missing, and brought up to date where an
    earlier demo made one of the same name that names no course."""
    existing = {
        (r.name, r.meal): r for r in Recipe.objects.filter(name__in=[s.name for s in LIBRARY])
    }
    recipes = {}
    for spec in LIBRARY:
        recipe = existing.get((spec.name, spec.meal))
        if recipe is None:
            recipe = standards.recipe_create(
                name=spec.name,
                meal=spec.meal,
                description="演示食谱",
                items=_items(spec),
                traits=_traits(spec),
                actor=officer,
            )
        elif recipe.course != spec.course:
            recipe = standards.recipe_update(
                recipe=recipe,
                items=_items(spec),
                traits=vars(_traits(spec)),
                actor=officer,
            )
        recipes[spec.name] = recipe
    return recipes
