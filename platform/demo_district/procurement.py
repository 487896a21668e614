"""The demo district's unified procurement (统一采购), on top of its schools and people (seed.py).

The procurement officer keeps a catalogue of what the canteens buy, registers four suppliers (with
sign-in accounts and licences, which the officer verifies against their documents; one food
licence about to expire) and a pool of three evaluators, who register their own sealing keys.
Then three tenders:

- 粮油肉蛋 (food): two schools' requisitions, approved by their principals, become one lot; three
  suppliers bid; the deadline passes; the committee declares, presents two shares of three and the
  tender opens; the members score, the officer evaluates, a second officer awards: a framework
  contract.
- 厨房及清洁用品 (kitchen and cleaning): the suspicious one, for the auditors' signals. The kitchen
  lot has a single bid; the two cleaning bids sit just under the ceiling and the reserve price, the
  bidders share a phone, a member who declared no conflict shares the address of one of them, the
  lot is awarded away from the committee's recommendation, at prices above the market.
- 蔬菜 (food): published, its deadline two weeks away, two bids sealed: nothing of them can be read.

Both schools of the first tender order at the contract's prices, receive (one delivery short, one
with a quantity rejected), inspect the food on arrival (the canteen's 进货查验), record the
supplier's invoice (three-way matched; the accountant) and pay it (the cashier), and rate the
supplier for the month. One school
also buys milk outside any contract, above the market price.

As in seed.py, every row is written by the services acting as the demo user whose step it is, and
every step first looks for what it would make: a second run adds nothing. Orders, deliveries,
invoices and ratings are dated the day the seed runs (the services place them today).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from demo_district.recipes import FOOD_ITEMS, GRAMS_PER_UNIT
from demo_district.users import (
    DEMO_PASSWORD,
    REQUEST_ID,
    DemoLogin,
    acting_as,
    demo_account,
    demo_user,
    grant_role,
)
from houqin import context
from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.procurement.credit_codes import credit_code_check_character
from shared_apps.procurement.models import (
    Award,
    Bid,
    CatalogueItem,
    Category,
    Evaluator,
    FrameworkContract,
    Qualification,
    Requisition,
    Score,
    Supplier,
    SupplierRating,
    SupplierUser,
    Tender,
)
from shared_apps.procurement.selectors.tenders import deadline_passed
from shared_apps.procurement.services import (
    bids,
    catalogue,
    evaluation,
    evaluators,
    opening,
    ratings,
    requisitions,
    suppliers,
)
from shared_apps.procurement.services import tenders as tendering
from tenant_apps.orders.amounts import line_amount
from tenant_apps.orders.models import Expenditure, Order
from tenant_apps.orders.outbox import spend_outbox_drain
from tenant_apps.orders.services.deliveries import DeliveryLineInput, delivery_record
from tenant_apps.orders.services.invoices import InvoiceLineInput, expenditure_pay, invoice_record
from tenant_apps.orders.services.placing import LineInput, order_place
from tenant_apps.orders.tasks import SPEND_DRAIN
from tenants.models import School

# The catalogue: code, name, category, unit, specification, market reference price (CNY per
# unit), the food of the composition table it is (for what the canteen inspects), if any.
CATALOGUE: list[tuple[str, str, str, str, str, str, str]] = [
    ("FD-001", "大米", Category.FOOD, "kg", "粳米 标一 25kg/袋", "5.20", "CT002"),
    ("FD-002", "面粉", Category.FOOD, "kg", "小麦粉 标准粉 25kg/袋", "4.60", "CT008"),
    ("FD-003", "食用油", Category.FOOD, "L", "大豆油 一级 5L/桶", "11.80", "OL001"),
    ("FD-004", "猪肉", Category.FOOD, "kg", "鲜猪肉（肥瘦）附动物检疫合格证明", "26.00", "MT002"),
    ("FD-005", "鸡蛋", Category.FOOD, "kg", "鲜鸡蛋 约60g/枚", "10.40", "EG001"),
    ("FD-006", "大白菜", Category.FOOD, "kg", "青白口 一级", "2.20", "VG001"),
    ("FD-007", "土豆", Category.FOOD, "kg", "马铃薯 中薯 一级", "3.00", "CT027"),
    ("FD-008", "牛奶", Category.FOOD, "盒", "纯牛奶 250mL/盒", "2.80", "DY001"),
    ("FD-009", "鸡腿", Category.FOOD, "kg", "冷鲜琵琶腿", "18.00", "MT015"),
    ("FD-010", "北豆腐", Category.FOOD, "kg", "老豆腐 当日生产", "6.00", "SN003"),
    ("FD-011", "番茄", Category.FOOD, "kg", "一级", "5.50", "VG022"),
    ("FD-012", "胡萝卜", Category.FOOD, "kg", "红胡萝卜 一级", "3.20", "VG027"),
    ("FD-013", "青椒", Category.FOOD, "kg", "甜椒 一级", "6.00", "VG025"),
    ("FD-014", "小米", Category.FOOD, "kg", "黄小米 一级", "9.00", "CT017"),
    ("FD-015", "食盐", Category.FOOD, "kg", "精制碘盐 500g/袋", "3.00", "CD001"),
    ("FD-016", "酱油", Category.FOOD, "L", "酿造酱油 特级", "8.00", "CD002"),
    ("KT-001", "不锈钢餐盘", Category.KITCHEN, "个", "304不锈钢 五格", "25.00", ""),
    ("KT-002", "砧板", Category.KITCHEN, "块", "食品级PE 60×40cm", "45.00", ""),
    ("KT-003", "一次性食品手套", Category.KITCHEN, "盒", "PE 100只/盒", "15.00", ""),
    ("CL-001", "洗洁精", Category.CLEANING, "瓶", "食品用 1.5kg/瓶", "12.00", ""),
    ("CL-002", "消毒液", Category.CLEANING, "瓶", "84消毒液 500mL/瓶", "8.50", ""),
    *FOOD_ITEMS,
]


@dataclass(frozen=True)
class DemoLicence:
    kind: str
    number: str
    issued_by: str
    held_for: int  # days since it was issued
    expires_in: int  # days from the seed's day


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    # The unified social credit code's first 17 characters; the 18th is its check character.
    credit_code_17: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    categories: tuple[str, ...]
    licences: tuple[DemoLicence, ...]

    @property
    def credit_code(self) -> str:
        return self.credit_code_17 + credit_code_check_character(self.credit_code_17)


def _business(supplier_17: str, issued_by: str) -> DemoLicence:
    """The business licence (营业执照): its number is the credit code."""
    code = supplier_17 + credit_code_check_character(supplier_17)
    return DemoLicence(Qualification.Kind.BUSINESS, code, issued_by, 2400, 3650)


FUMIN = "富民县市场监督管理局"
# supplier.<n> is SUPPLIERS[n - 1]. Suppliers 3 and 4 give the same phone (written differently),
# and supplier 4's address is evaluator 3's: the auditors' signals find both.
SUPPLIERS = [
    DemoSupplier(
        "昆明滇丰粮油食品有限公司",
        "91530124MA6K7R2DX",
        "昆明市富民县永定街道工业园区滇丰路8号",
        "张建国",
        "13708712345",
        "sales@dianfeng-ly.cn",
        (Category.FOOD,),
        (
            _business("91530124MA6K7R2DX", FUMIN),
            DemoLicence(Qualification.Kind.FOOD_BUSINESS, "JY15301240012873", FUMIN, 900, 925),
        ),
    ),
    DemoSupplier(
        "富民县绿野农副产品配送有限公司",
        "91530124MA6N3T8L1",
        "昆明市富民县永定街道北营路126号",
        "李红梅",
        "13987123456",
        "lvye_ps@163.com",
        (Category.FOOD,),
        (
            _business("91530124MA6N3T8L1", FUMIN),
            DemoLicence(Qualification.Kind.FOOD_BUSINESS, "JY15301240020416", FUMIN, 400, 1425),
        ),
    ),
    DemoSupplier(
        "宜良县鑫源食品贸易有限公司",
        "91530125MA6P5W0Q2",
        "昆明市宜良县匡远街道汇东路33号",
        "赵文斌",
        "13888765432",
        "xinyuan_sp@126.com",
        (Category.FOOD, Category.CLEANING),
        (
            _business("91530125MA6P5W0Q2", "宜良县市场监督管理局"),
            # Expires within the notice period: the supplier and the officer hear of it.
            DemoLicence(
                Qualification.Kind.FOOD_BUSINESS,
                "JY15301250008862",
                "宜良县市场监督管理局",
                1805,
                20,
            ),
        ),
    ),
    DemoSupplier(
        "寻甸县恒洁厨具清洁用品经营部",
        "92530129MA6R1C4H7",
        "昆明市寻甸县仁德街道北门街56号",
        "周海燕",
        "138-8876-5432",
        "hengjie_xd@qq.com",
        (Category.KITCHEN, Category.CLEANING),
        (_business("92530129MA6R1C4H7", "寻甸县市场监督管理局"),),
    ),
]


@dataclass(frozen=True)
class DemoEvaluator:
    name: str
    employer: str
    address: str
    phone: str
    # A demo secret, written to the logins file: without it the member's share cannot be given.
    passphrase: str


# evaluator.<n> is EVALUATORS[n - 1].
EVALUATORS = [
    DemoEvaluator(
        "王立新",
        "云南农业大学食品科学技术学院",
        "昆明市盘龙区沣源路452号",
        "13577001234",
        "滇池春晓-评标口令-2026",
    ),
    DemoEvaluator(
        "陈淑芬",
        "富民县市场监督管理局（退休）",
        "昆明市富民县永定街道正街18号",
        "13629451234",
        "螺蛳湾早市-评标口令-2026",
    ),
    DemoEvaluator(
        "刘志强",
        "寻甸县财政局",
        "昆明市寻甸县仁德街道北门街５６号",
        "13759876543",
        "北门街老槐树-评标口令-2026",
    ),
]


@dataclass(frozen=True)
class DemoRequisition:
    school: str
    raised_by: str  # the school role that raises it; the principal approves
    note: str
    lines: tuple[tuple[str, str], ...]  # (item code, quantity)


@dataclass(frozen=True)
class DemoAward:
    supplier: int | None = None  # another bid than the recommendation: its supplier's number
    reason: str = ""
    justification: str = ""


@dataclass(frozen=True)
class DemoTender:
    title: str
    requisitions: tuple[DemoRequisition, ...]
    ceilings: dict[str, str]  # by lot category
    reserves: dict[str, str]  # the sealed reserve prices (标底), by lot category
    # supplier number -> {item code: unit price}: a bid on every lot whose items it prices.
    bids: dict[int, dict[str, str]]
    # The scores every member gives a supplier's bids on the criteria, in CRITERIA's order.
    scores: dict[int, tuple[int, int]] = field(default_factory=dict)
    awards: dict[str, DemoAward] = field(default_factory=dict)
    # Left open for bids this long; None: bids in, the deadline passes and it is awarded.
    open_for: timedelta | None = None


# Approved requisitions no tender aggregates yet: what the procurement officer finds waiting.
WAITING_REQUISITIONS = (
    DemoRequisition(
        "3101010003",
        "canteen_manager",
        "青山学校食堂下学期调味品与杂粮需求",
        (("FD-014", "150"), ("FD-015", "60"), ("FD-016", "80"), ("KT-001", "120")),
    ),
    DemoRequisition(
        "3101010001",
        "logistics_director",
        "城关一小食堂下学期调味品需求",
        (("FD-015", "40"), ("FD-016", "50")),
    ),
)

CRITERIA = [tendering.CriterionSpec("质量与资质", 30), tendering.CriterionSpec("配送与服务", 20)]
PRICE_WEIGHT = 50
TERMS = {
    1: ("每周一、三、五早7点前送达各校食堂，冷链配送", "附检验合格报告，肉类附动物检疫合格证明"),
    2: ("每日早6点半前送达，当日订货次日达", "蔬菜农残快检，粮油附出厂检验报告"),
    3: ("每周二、四送达，节假日顺延", "附供货商资质及产品检验报告"),
    4: ("签约后10日内一次送达", "不锈钢制品附材质证明，清洁用品附卫生许可批件"),
}
# Before the demo seeds its bids, a closed tender's deadline is this far off (see `_tender`).
BIDDING_WINDOW = timedelta(days=1)

TENDERS = [
    DemoTender(
        title="中小学食堂粮油肉蛋集中采购",
        requisitions=(
            DemoRequisition(
                "3101010001",
                "canteen_manager",
                "城关一小食堂下月粮油肉蛋需求",
                (
                    ("FD-001", "600"),
                    ("FD-002", "200"),
                    ("FD-003", "80"),
                    ("FD-004", "300"),
                    ("FD-005", "240"),
                ),
            ),
            DemoRequisition(
                "3101010002",
                "logistics_director",
                "红星中学食堂下月粮油肉蛋需求（含住校生早餐）",
                (
                    ("FD-001", "900"),
                    ("FD-002", "400"),
                    ("FD-003", "120"),
                    ("FD-004", "500"),
                    ("FD-005", "420"),
                    ("FD-007", "600"),
                ),
            ),
        ),
        ceilings={Category.FOOD: "46000.00"},
        reserves={Category.FOOD: "43500.00"},
        bids={
            1: {
                "FD-001": "4.90",
                "FD-002": "4.30",
                "FD-003": "11.20",
                "FD-004": "24.80",
                "FD-005": "9.90",
                "FD-007": "2.80",
            },
            2: {
                "FD-001": "5.05",
                "FD-002": "4.45",
                "FD-003": "11.50",
                "FD-004": "25.20",
                "FD-005": "10.10",
                "FD-007": "2.70",
            },
            3: {
                "FD-001": "5.15",
                "FD-002": "4.50",
                "FD-003": "11.90",
                "FD-004": "25.60",
                "FD-005": "10.30",
                "FD-007": "2.95",
            },
        },
        scores={1: (9, 8), 2: (8, 8), 3: (7, 7)},
        awards={Category.FOOD: DemoAward()},
    ),
    DemoTender(
        title="学校厨房及清洁用品集中采购",
        requisitions=(
            DemoRequisition(
                "3101010003",
                "logistics_director",
                "青山学校食堂餐具及清洁用品补充",
                (("KT-001", "300"), ("KT-002", "20"), ("CL-001", "200"), ("CL-002", "300")),
            ),
        ),
        ceilings={Category.KITCHEN: "9500.00", Category.CLEANING: "5500.00"},
        reserves={Category.KITCHEN: "9000.00", Category.CLEANING: "5490.00"},
        bids={
            3: {"CL-001": "14.50", "CL-002": "8.50"},
            4: {"KT-001": "28.00", "KT-002": "52.00", "CL-001": "14.80", "CL-002": "8.40"},
        },
        scores={3: (8, 8), 4: (8, 8)},
        awards={
            Category.KITCHEN: DemoAward(
                justification="五格餐盘规格特殊，仅一家投标；经市场询价，价格在合理范围内"
            ),
            Category.CLEANING: DemoAward(
                supplier=4,
                reason="推荐单位以食品贸易为主，清洁用品供货经验不足，改授予排名第二的投标人",
            ),
        },
    ),
    DemoTender(
        title="中小学食堂蔬菜集中采购",
        requisitions=(
            DemoRequisition(
                "3101010003",
                "canteen_manager",
                "青山学校食堂下月蔬菜需求",
                (("FD-006", "800"), ("FD-011", "300"), ("FD-012", "250"), ("FD-013", "200")),
            ),
        ),
        ceilings={Category.FOOD: "6000.00"},
        reserves={Category.FOOD: "5600.00"},
        bids={
            1: {"FD-006": "2.00", "FD-011": "5.10", "FD-012": "3.00", "FD-013": "5.60"},
            2: {"FD-006": "2.10", "FD-011": "5.20", "FD-012": "2.90", "FD-013": "5.80"},
        },
        open_for=timedelta(days=14),
    ),
]


@dataclass(frozen=True)
class DemoOrder:
    """An order a school places under the first tender's contract, and how it arrives."""

    school: str
    placed_by: str
    note: str
    lines: tuple[tuple[str, str], ...]  # (item code, quantity)
    # (item code, quantity received, quantity rejected, why): the one delivery.
    received: tuple[tuple[str, str, str, str], ...]
    delivery_note: str


CONTRACT_ORDERS = [
    DemoOrder(
        "3101010001",
        "canteen_manager",
        "本周食堂粮油肉蛋（框架协议订货）",
        (
            ("FD-001", "300"),
            ("FD-002", "100"),
            ("FD-003", "40"),
            ("FD-004", "150"),
            ("FD-005", "120"),
        ),
        (
            ("FD-001", "300", "0", ""),
            ("FD-002", "100", "0", ""),
            ("FD-003", "20", "0", ""),
            ("FD-004", "150", "0", ""),
            ("FD-005", "120", "0", ""),
        ),
        "食用油缺货，余下20升供货商下周补送",
    ),
    DemoOrder(
        "3101010002",
        "logistics_director",
        "本周食堂粮油肉蛋（框架协议订货）",
        (
            ("FD-001", "450"),
            ("FD-002", "200"),
            ("FD-003", "60"),
            ("FD-004", "250"),
            ("FD-005", "210"),
            ("FD-007", "300"),
        ),
        (
            ("FD-001", "450", "0", ""),
            ("FD-002", "200", "0", ""),
            ("FD-003", "60", "0", ""),
            ("FD-004", "250", "0", ""),
            ("FD-005", "210", "12", "运输途中破损，当场退回"),
            ("FD-007", "300", "0", ""),
        ),
        "鸡蛋破损12公斤已退回",
    ),
]
CERTIFICATES = ["营业执照", "食品经营许可证", "动物检疫合格证明", "产品检验合格报告"]
# (school, quality, punctuality, service, comment): each school's rating of the contract's
# supplier for the month.
CONTRACT_RATINGS = [
    ("3101010001", 92, 80, 90, "质量好，食用油未按时送齐"),
    ("3101010002", 88, 95, 90, "送货准时，鸡蛋包装需加强"),
]
OUTSIDE_ORDER = (
    "3101010002",
    "canteen_manager",
    2,  # the supplier's number
    "住校生早餐学生奶",
    "学生奶不在现行框架协议内，本月急需，临时向绿野配送采购",
    ("FD-008", "1200", "3.50"),  # item, quantity, unit price (the market's is 2.80)
)


def seed_procurement() -> list[DemoLogin]:
    """Create what is missing of the demo's procurement; the suppliers' and evaluators' logins."""
    today = timezone.localdate()
    officer = demo_user("procurement_officer")
    items = seed_catalogue(officer, today)
    companies = [_supplier(spec, officer, n, today) for n, spec in enumerate(SUPPLIERS, 1)]
    # What the daily job does: a notice for each licence about to expire (no one's act).
    with context.acting(request_id=REQUEST_ID):
        suppliers.qualification_expiry_notices(today=today, actor=suppliers.EXPIRY_NOTICES)
    members = [_evaluator(spec, officer, n) for n, spec in enumerate(EVALUATORS, 1)]
    made = [_tender(spec, officer, items, companies, members) for spec in TENDERS]
    for waiting in WAITING_REQUISITIONS:
        _requisition(waiting, items)
    contract = Award.objects.select_related("contract").get(lot__tender=made[0]).contract
    for spec in CONTRACT_ORDERS:
        _contract_order(spec, contract, items, today)
    for code, quality, punctuality, service, comment in CONTRACT_RATINGS:
        _rating(code, contract.supplier, (quality, punctuality, service), comment, today)
    _outside_order(companies, items, today)
    return [
        DemoLogin(Role.SUPPLIER.value, None, f"supplier.{n}", DEMO_PASSWORD)
        for n in range(1, len(SUPPLIERS) + 1)
    ] + [
        DemoLogin(Role.EVALUATOR.value, None, f"evaluator.{n}", DEMO_PASSWORD, spec.passphrase)
        for n, spec in enumerate(EVALUATORS, 1)
    ]


def seed_catalogue(officer: User, today: date) -> dict[str, CatalogueItem]:
    """The catalogue's items, with the grams per unit of those not sold by weight (given to
    items an earlier demo made without them)."""
    items = CatalogueItem.objects.in_bulk([row[0] for row in CATALOGUE], field_name="code")
    missing = [row for row in CATALOGUE if row[0] not in items]
    with acting_as(officer):
        for code, name, category, unit, specification, price, food in missing:
            items[code] = catalogue.catalogue_item_create(
                code=code,
                name=name,
                category=category,
                unit=unit,
                specification=specification,
                reference_price=price,
                reference_date=today.replace(day=1),
                food=food,
                grams_per_unit=GRAMS_PER_UNIT.get(code),
                actor=officer,
            )
        for code, grams in GRAMS_PER_UNIT.items():
            if items[code].grams_per_unit is None:
                items[code] = catalogue.catalogue_item_update(
                    item=items[code], grams_per_unit=grams, actor=officer
                )
    return items


def _supplier(spec: DemoSupplier, officer: User, n: int, today: date) -> Supplier:
    """The company, its sign-in account supplier.<n> and its licences, verified by the officer."""
    with acting_as(officer):
        supplier = Supplier.objects.filter(credit_code=spec.credit_code).first()
        if supplier is None:
            supplier = suppliers.supplier_create(
                name=spec.name,
                credit_code=spec.credit_code,
                address=spec.address,
                contact_name=spec.contact_name,
                contact_phone=spec.contact_phone,
                contact_email=spec.contact_email,
                categories=spec.categories,
                actor=officer,
            )
        username = f"supplier.{n}"
        if not SupplierUser.objects.filter(user__username=username).exists():
            suppliers.supplier_account_create(
                supplier=supplier,
                username=username,
                display_name=f"{spec.name} {spec.contact_name}",
                email=spec.contact_email,
                password=DEMO_PASSWORD,
                actor=officer,
            )
        held = {(q.kind, q.number): q for q in supplier.qualifications.all()}
        for licence in spec.licences:
            qualification = held.get((licence.kind, licence.number))
            if qualification is None:
                qualification = suppliers.qualification_add(
                    supplier=supplier,
                    kind=licence.kind,
                    number=licence.number,
                    issued_by=licence.issued_by,
                    valid_from=today - timedelta(days=licence.held_for),
                    expires_on=today + timedelta(days=licence.expires_in),
                    actor=officer,
                )
            if qualification.status != Qualification.Status.VERIFIED:
                # Checked against the licence itself, as every qualification must be to count.
                suppliers.qualification_verify(qualification=qualification, actor=officer)
    return supplier


def _evaluator(spec: DemoEvaluator, officer: User, n: int) -> Evaluator:
    """The district administrator gives evaluator.<n> the role, the officer puts them in the
    pool, and they register their sealing key under their passphrase."""
    with acting_as(demo_user("district_admin")):
        user = demo_account(f"evaluator.{n}", spec.name)
        grant_role(user, Role.EVALUATOR, None)
    member = Evaluator.objects.filter(user=user).first()
    if member is None:
        with acting_as(officer):
            member = evaluators.evaluator_create(
                user=user,
                name=spec.name,
                employer=spec.employer,
                address=spec.address,
                phone=spec.phone,
                actor=officer,
            )
    if member.key_registered_at is None:
        with acting_as(user):
            member = evaluators.evaluator_register_key(
                evaluator=member, passphrase=spec.passphrase, actor=user
            )
    return member


def _requisition(spec: DemoRequisition, items: dict[str, CatalogueItem]) -> Requisition:
    """Raised by the school's logistics director or canteen manager, approved by its principal."""
    school = School.objects.get(code=spec.school)
    requisition = Requisition.objects.for_school(school).filter(note=spec.note).first()
    if requisition is None:
        raiser = demo_user(spec.raised_by, spec.school)
        needed_by = timezone.localdate() + timedelta(days=30)
        with acting_as(raiser):
            requisition = requisitions.requisition_raise(
                school=school,
                lines=[
                    requisitions.RequestedLine(items[code], Decimal(quantity), needed_by)
                    for code, quantity in spec.lines
                ],
                note=spec.note,
                actor=raiser,
            )
    if requisition.status == Requisition.Status.PENDING:
        principal = demo_user("principal", spec.school)
        with acting_as(principal):
            requisition = requisitions.requisition_approve(requisition=requisition, actor=principal)
    return requisition


def _tender(
    spec: DemoTender,
    officer: User,
    items: dict[str, CatalogueItem],
    companies: list[Supplier],
    members: list[Evaluator],
) -> Tender:
    """The tender as far as the demo takes it: published with its reserve prices and bids, and
    for a closed one, opened, scored, evaluated and awarded."""
    tender = Tender.objects.filter(title=spec.title).exclude(status=Tender.Status.CANCELLED).first()
    if tender is None:
        raised = [_requisition(r, items) for r in spec.requisitions]
        with acting_as(officer):
            tender = tendering.tender_create(
                title=spec.title,
                requisitions=raised,
                deadline=timezone.now() + (spec.open_for or BIDDING_WINDOW),
                price_weight=PRICE_WEIGHT,
                criteria=CRITERIA,
                committee=members,
                threshold=2,
                contract_months=12,
                ceilings={c: Decimal(amount) for c, amount in spec.ceilings.items()},
                actor=officer,
            )
    if tender.status == Tender.Status.DRAFT:
        with acting_as(officer):
            tender = tendering.tender_publish(tender=tender, actor=officer)
    if tender.status == Tender.Status.PUBLISHED and not deadline_passed(tender):
        _bidding(tender, spec, officer, companies)
        if spec.open_for is None:
            # The services take only deadlines in the future, and the demo cannot wait for one to
            # pass: with every bid in, the deadline is moved to a minute ago by a queryset update
            # (as the tests' `close` does). Nothing sealed is touched: the committee still opens
            # the tender with its shares.
            with acting_as(officer):
                Tender.objects.filter(pk=tender.pk).update(
                    deadline=timezone.now() - timedelta(minutes=1)
                )
            tender.refresh_from_db()
    if spec.open_for is None:
        passphrases = {m.pk: e.passphrase for m, e in zip(members, EVALUATORS, strict=True)}
        _opening(tender, passphrases)
        _evaluation(tender, spec, officer, companies)
    return tender


def _bidding(tender: Tender, spec: DemoTender, officer: User, companies: list[Supplier]) -> None:
    """The reserve prices sealed by the officer, then each supplier's bids, sealed on receipt."""
    lots = {lot.category: lot for lot in tender.lots.prefetch_related("lines__item")}
    unsealed = {
        lots[category].pk: Decimal(amount)
        for category, amount in spec.reserves.items()
        if lots[category].sealed_reserve is None
    }
    if unsealed:
        with acting_as(officer):
            tendering.tender_seal_reserve(tender=tender, reserves=unsealed, actor=officer)
    for number, prices in spec.bids.items():
        supplier = companies[number - 1]
        account = SupplierUser.objects.select_related("user").get(supplier=supplier).user
        delivery_terms, quality_statement = TERMS[number]
        for lot in lots.values():
            lines = list(lot.lines.all())
            if any(line.item.code not in prices for line in lines):
                continue
            if Bid.objects.filter(lot=lot, supplier=supplier).exists():
                continue
            with acting_as(account):
                bids.bid_submit(
                    lot=lot,
                    contents=bids.BidContents(
                        unit_prices={line.pk: Decimal(prices[line.item.code]) for line in lines},
                        delivery_terms=delivery_terms,
                        quality_statement=quality_statement,
                    ),
                    key_fingerprint=tender.key_fingerprint,
                    actor=account,
                )


def _opening(tender: Tender, passphrases: dict[int, str]) -> None:
    """Every member declares no conflict of interest; members present their shares (with their
    passphrases, by evaluator id) until the k-th opens the tender."""
    seats = list(tender.seats.select_related("evaluator__user", "tender").order_by("index"))
    for seat in seats:
        if seat.conflict is None:
            member = seat.evaluator.user
            with acting_as(member):
                opening.seat_declare(seat=seat, conflict=False, note="无利害关系", actor=member)
    for seat in seats:
        tender.refresh_from_db()
        if tender.status not in opening.SEALED:
            return
        seat.refresh_from_db()
        if seat.presented_at is None:
            member = seat.evaluator.user
            with acting_as(member):
                opening.share_present(
                    seat=seat, passphrase=passphrases[seat.evaluator_id], actor=member
                )


def _evaluation(tender: Tender, spec: DemoTender, officer: User, companies: list[Supplier]) -> None:
    """The members' scores, the officer's evaluation and the awards of the lots."""
    tender.refresh_from_db()
    number_of = {supplier.pk: n for n, supplier in enumerate(companies, 1)}
    if tender.status == Tender.Status.OPENED:
        valid = list(Bid.objects.filter(lot__tender=tender, status=Bid.Status.VALID))
        criteria = list(tender.criteria.order_by("pk"))
        for seat in tender.seats.filter(conflict=False).select_related("evaluator__user"):
            if Score.objects.filter(seat=seat).exists():
                continue
            member = seat.evaluator.user
            given = [
                evaluation.GivenScore(
                    bid.pk, criterion.pk, Decimal(spec.scores[number_of[bid.supplier_id]][i])
                )
                for bid in valid
                for i, criterion in enumerate(criteria)
            ]
            with acting_as(member):
                evaluation.scores_record(tender=tender, scores=given, actor=member)
        with acting_as(officer):
            tender = evaluation.tender_evaluate(tender=tender, actor=officer)
    if tender.status != Tender.Status.EVALUATED:
        return
    # Another officer awards what the first evaluated (houqin.duties).
    awarding = User.objects.get(username="district.procurement_officer.2")
    for lot in tender.lots.filter(award__isnull=True).order_by("number"):
        award = spec.awards[lot.category]
        chosen = (
            None
            if award.supplier is None
            else Bid.objects.get(lot=lot, supplier=companies[award.supplier - 1])
        )
        with acting_as(awarding):
            evaluation.lot_award(
                lot=lot,
                bid=chosen,
                reason=award.reason,
                justification=award.justification,
                actor=awarding,
            )


# A school's orders -------------------------------------------------------------------------------


def _contract_order(
    spec: DemoOrder, contract: FrameworkContract, items: dict[str, CatalogueItem], today: date
) -> None:
    """Placed at the contract's prices, delivered once (the canteen inspecting the food),
    invoiced for what was accepted, and paid."""
    school = School.objects.get(code=spec.school)
    with tenant_context(school):
        order = Order.objects.filter(note=spec.note, contract=contract).first()
        if order is None:
            buyer = demo_user(spec.placed_by, spec.school)
            with acting_as(buyer):
                order = order_place(
                    contract=contract,
                    due_on=today + timedelta(days=3),
                    lines=[
                        LineInput(quantity=Decimal(quantity), item=items[code].pk)
                        for code, quantity in spec.lines
                    ],
                    note=spec.note,
                    actor=buyer,
                )
        if not order.deliveries.exists():
            manager = demo_user("canteen_manager", spec.school)
            line_of = {line.item_id: line.pk for line in order.lines.all()}
            with acting_as(manager):
                delivery_record(
                    order=order,
                    lines=[
                        DeliveryLineInput(
                            line=line_of[items[code].pk],
                            quantity=Decimal(quantity),
                            rejected=Decimal(rejected),
                            rejection_reason=reason,
                        )
                        for code, quantity, rejected, reason in spec.received
                    ],
                    received_on=today,
                    batch=f"{spec.school[-4:]}-{today:%Y%m%d}-{order.pk}",
                    certificates=CERTIFICATES,
                    shelf_life_until=today + timedelta(days=5),
                    note=spec.delivery_note,
                    actor=manager,
                )
        accountant = demo_user("accountant", spec.school)
        if not order.invoices.exists():
            lines = [
                InvoiceLineInput(
                    line=line.pk,
                    quantity=line.delivered_quantity - line.invoiced_quantity,
                    unit_price=line.unit_price,
                )
                for line in order.lines.order_by("pk")
                if line.delivered_quantity > line.invoiced_quantity
            ]
            with acting_as(accountant):
                invoice_record(
                    order=order,
                    # A 20-digit number, as the tax system's digital invoices (数电发票) have.
                    number=f"2653{today:%y}{spec.school[-4:]}{order.pk:010d}",
                    issued_on=today,
                    lines=lines,
                    amount=sum(
                        (line_amount(line.quantity, line.unit_price) for line in lines),
                        Decimal(0),
                    ),
                    actor=accountant,
                )
        # The cashier pays what the accountant recorded (houqin.duties).
        cashier = demo_user("cashier", spec.school)
        unpaid = Expenditure.objects.filter(invoice__order=order, status=Expenditure.Status.UNPAID)
        for expenditure in unpaid:
            with acting_as(cashier):
                expenditure_pay(
                    expenditure=expenditure,
                    paid_on=today,
                    reference=f"YHZZ{today:%Y%m%d}{expenditure.pk:06d}",
                    actor=cashier,
                )
        # What the worker does after each commit: the district's spend lines.
        spend_outbox_drain(actor=SPEND_DRAIN)


def _rating(
    code: str, supplier: Supplier, scores: tuple[int, int, int], comment: str, today: date
) -> None:
    """The school's logistics director rates the supplier for the month it ordered in."""
    school = School.objects.get(code=code)
    if SupplierRating.objects.for_school(school).filter(supplier=supplier).exists():
        return
    director = demo_user("logistics_director", code)
    quality, punctuality, service = scores
    with acting_as(director):
        ratings.rating_record(
            school=school,
            supplier=supplier,
            month=today,
            quality=quality,
            punctuality=punctuality,
            service=service,
            comment=comment,
            actor=director,
            today=today,
        )


def _outside_order(companies: list[Supplier], items: dict[str, CatalogueItem], today: date) -> None:
    """An order outside any contract, with the school's reason, above the market price."""
    code, role, number, note, reason, (item, quantity, price) = OUTSIDE_ORDER
    with tenant_context(School.objects.get(code=code)):
        if Order.objects.filter(note=note, contract__isnull=True).exists():
            return
        buyer = demo_user(role, code)
        with acting_as(buyer):
            order_place(
                supplier=companies[number - 1],
                outside_contract_reason=reason,
                due_on=today + timedelta(days=2),
                lines=[
                    LineInput(
                        quantity=Decimal(quantity), item=items[item].pk, unit_price=Decimal(price)
                    )
                ],
                note=note,
                actor=buyer,
            )
        spend_outbox_drain(actor=SPEND_DRAIN)
