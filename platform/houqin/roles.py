"""The one registry of roles and what each may do.

A permission is `<app_label>.<action>_<model>` (Django's form), e.g. `feedback.view_feedback`.
A grant is a pattern over permissions (`*` matches anything); a grant ending in `:own` applies
only to rows the user owns (the model's `owner_field`). District roles hold everywhere (the centre
and every school); school roles hold in the school of the membership, except the external
roles (`RoleSpec.district_host_only`: suppliers, evaluators), which hold on the district host
only; an account holding one holds nothing on a school's host.

Who gives roles (`RoleSpec.appoints`: the roles a holder may grant, and revoke again):

- The district administrator administers accounts: they appoint the centre's officers and
  auditors, evaluators, and every school role in every school (a school's principal, logistics
  director and accountant come only from them). Not another district administrator: that role is
  given only outside the application (a management command, the demo's seeding).
- A school's logistics director delegates, in their own school, the roles whose grants they hold
  themselves: canteen manager, dormitory manager, repair technician, asset keeper, staff, student,
  bus escort.
  Not the principal, who approves what the director raises, nor the accountant, who pays what
  the director orders (a power the director lacks), nor another logistics director.
- Nobody else appoints anyone. Supplier accounts are opened by the procurement officer with
  their company (procurement's `supplier_account_create`), never through a membership grant.

Who sets a new password for someone who lost theirs (`accounts.set_password_user`, see
`accounts.services.user_password_set`): the district administrator for anyone but a district
administrator, a logistics director for the accounts of their school holding only roles they
appoint; nobody for themselves (they change their own with their current password).

Whoever grants, nobody grants or revokes a role of their own (never to themselves), and the
account must fit the role (see `accounts.services.membership_grant`): a school role only to a
user of that school (an account created for that school, or already holding a role there), a
district staff role only to an account of the centre, and the external roles (supplier,
evaluator) only to accounts opened for them, which hold no other role; an external account
never holds a staff role.
"""

from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Scope(StrEnum):
    DISTRICT = "district"
    SCHOOL = "school"


class Role(StrEnum):
    DISTRICT_ADMIN = "district_admin"
    NUTRITION_OFFICER = "nutrition_officer"
    PROCUREMENT_OFFICER = "procurement_officer"
    TRANSPORT_OFFICER = "transport_officer"
    FINANCE_OFFICER = "finance_officer"
    AUDITOR = "auditor"
    PRINCIPAL = "principal"
    LOGISTICS_DIRECTOR = "logistics_director"
    CANTEEN_MANAGER = "canteen_manager"
    DORM_MANAGER = "dorm_manager"
    REPAIR_TECHNICIAN = "repair_technician"
    ACCOUNTANT = "accountant"
    ASSET_KEEPER = "asset_keeper"
    STAFF = "staff"
    STUDENT = "student"
    # A bus escort (随车照管人员): the school's runs they are assigned to, and nothing else of it.
    ESCORT = "escort"
    # External accounts on the district host, each scoped to their own company or committee seat.
    SUPPLIER = "supplier"
    EVALUATOR = "evaluator"


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    scope: Scope
    label: Promise
    grants: frozenset[str]
    # The roles a holder of this one may grant and revoke (see the module's docstring).
    appoints: frozenset[Role] = frozenset()
    # An external account's role (a company's staff, an evaluation committee's experts): it
    # exists only on the district host, with no token, sign-in or grant on any school's host.
    district_host_only: bool = False


# What every member of a school may do: their own feedback, read the menu and the school's
# calendar, and report faults (choosing the building and room), follow, photograph, cancel,
# confirm and rate, and reopen their own repair requests.
_MEMBER = frozenset(
    {
        "feedback.add_feedback",
        "feedback.view_feedback:own",
        "canteen.view_menu",
        "canteen.view_menuitem",
        "canteen.view_schoolterm",
        "canteen.view_calendarday",
        "assets.view_building",
        "assets.view_room",
        "repairs.add_repairrequest",
        *(
            f"repairs.{verb}_repairrequest:own"
            for verb in ("view", "photo", "cancel", "confirm", "reopen")
        ),
        "repairs.view_repairphoto:own",
    }
)
# The repair desk's work: the team's acts on the requests assigned to it (the services check
# the technician is on the team), attending maintenance plans' meters, and reading the desk and
# the register of what they repair.
_REPAIR_WORK = frozenset(
    {
        "repairs.view_*",
        "assets.view_asset",
        *(
            f"repairs.{verb}_repairrequest"
            for verb in ("photo", "accept", "reject", "start", "complete")
        ),
        "repairs.meter_maintenanceplan",
    }
)
# Running the repair desk (the logistics director): the policy, teams, dispatch rules and
# dispatching, extensions, scorecards and maintenance plans. Approving major work is the
# principal's.
_REPAIR_DESK = _REPAIR_WORK | {
    "repairs.add_policy",
    "repairs.add_team",
    "repairs.change_team",
    "repairs.add_dispatchrule",
    "repairs.delete_dispatchrule",
    "repairs.dispatch_repairrequest",
    "repairs.extend_repairrequest",
    "repairs.add_scorecard",
    "repairs.add_maintenanceplan",
}
# Keeping the register (the asset keeper, and the logistics director): rooms and assets,
# custody, labels, depreciation, stock-takes and their discrepancies, and asking for disposals.
# Approving disposals is the principal's (and the district's above its threshold); the finance
# ledger's balances are the accountant's.
_ASSET_KEEPING = frozenset(
    {
        "assets.view_*",
        "assets.add_building",
        "assets.add_room",
        "assets.add_asset",
        "assets.move_asset",
        "assets.label_asset",
        "assets.add_depreciationrun",
        "assets.add_stocktake",
        "assets.scan_stocktake",
        "assets.close_stocktake",
        "assets.assign_discrepancy",
        "assets.resolve_discrepancy",
        "assets.add_disposal",
    }
)
# Running the dormitories: rooms and beds, allocations and moves.
_BOARDING = frozenset({"dorms.*"})
# The dorm manager's part of it: all but approving a room change, the logistics director's step
# after the dorm manager's review (every act but those beginning with "a", then adding and
# approving a leave).
_BOARDING_DESK = frozenset({"dorms.[!a]*", "dorms.add_*", "dorms.approve_leave"})
# Asking for a room change, and following one's own requests: a pupil for themselves, a class
# teacher (staff) for their class's pupils (the service checks whose pupil it is).
_ROOM_CHANGE_ASKING = frozenset({"dorms.add_roomchange", "dorms.view_roomchange:own"})
# The school's bus riders, seated on the district's runs.
_RIDING = frozenset({"riders.*"})
# A bus escort's work on the runs they are assigned to (riders' `owner_field`): the pre-trip
# check, starting the run, the riders boarding and alighting, closing the run, its incidents.
_ESCORTING = frozenset(
    {
        *(f"riders.{verb}_trip:own" for verb in ("view", "check", "start", "board", "close")),
        "riders.view_rider:own",
        "riders.view_passage:own",
        # An incident on their own run: reported from the phone, its steps recorded as done.
        "riders.report_trip:own",
        "riders.view_incident:own",
        "riders.step_incident:own",
    }
)
# Reading everything a school holds, without personal-data unmasking.
_READ_ALL = frozenset({"*.view_*"})
# The district's catalogue of what schools buy: everyone on the district host reads it.
_CATALOGUE = frozenset({"procurement.view_catalogueitem"})
# What a school buys from: the catalogue, the suppliers, and the framework contracts in force
# with their prices.
_BUYING = _CATALOGUE | {
    "procurement.view_supplier",
    "procurement.view_frameworkcontract",
    "procurement.view_contractprice",
}
# The centre's buying office: suppliers, the catalogue, evaluators, tenders and their committees,
# awards and contracts, and reading everything procurement holds. Not the schools' own acts
# (raising and approving requisitions, rating suppliers) nor the suppliers' (bidding): the
# officer's roles hold on every school's host too.
_PROCUREMENT_OFFICE = frozenset(
    {
        "procurement.view_*",
        *(
            f"procurement.*_{model}"
            for model in (
                "supplier",
                "supplieruser",
                "supplierevent",
                "qualification",
                "catalogueitem",
                "frameworkcontract",
                "contractprice",
                "evaluator",
                "tender",
                "lot",
                "tenderline",
                "criterion",
                "committeeseat",
                "award",
            )
        ),
    }
)
# Asking the meal-plan optimiser for a week priced at the school's own contracts, and editing it.
_PROPOSING = frozenset(
    {"optimiser.view_proposal", "optimiser.add_proposal", "optimiser.change_proposal"}
)
# Placing orders, receiving deliveries (with inspection and returns), and rating the school's
# suppliers each month. Recording invoices and paying them is the accountant's.
_ORDERING = _BUYING | {
    "orders.view_*",
    "orders.add_order",
    "orders.cancel_order",
    "orders.deliver_order",
    "procurement.view_supplierrating",
    "procurement.add_supplierrating",
}

# What a logistics director delegates in their own school: the roles whose grants they hold.
_DELEGATED = frozenset(
    {
        Role.CANTEEN_MANAGER,
        Role.DORM_MANAGER,
        Role.REPAIR_TECHNICIAN,
        Role.ASSET_KEEPER,
        Role.STAFF,
        Role.STUDENT,
        Role.ESCORT,
    }
)
# What the district administrator appoints: every role but their own and the supplier's.
_APPOINTED = _DELEGATED | {
    Role.PRINCIPAL,
    Role.LOGISTICS_DIRECTOR,
    Role.ACCOUNTANT,
    Role.NUTRITION_OFFICER,
    Role.PROCUREMENT_OFFICER,
    Role.TRANSPORT_OFFICER,
    Role.FINANCE_OFFICER,
    Role.AUDITOR,
    Role.EVALUATOR,
}

REGISTRY: dict[Role, RoleSpec] = {
    spec.role: spec
    for spec in [
        RoleSpec(
            Role.DISTRICT_ADMIN,
            Scope.DISTRICT,
            _("District administrator"),
            frozenset({"tenants.*", "accounts.*"}) | _CATALOGUE,
            appoints=_APPOINTED,
        ),
        RoleSpec(
            Role.NUTRITION_OFFICER,
            Scope.DISTRICT,
            _("Nutrition officer"),
            frozenset({"tenants.view_school", "standards.*", "optimiser.*"}) | _CATALOGUE,
        ),
        RoleSpec(
            Role.PROCUREMENT_OFFICER,
            Scope.DISTRICT,
            _("Procurement officer"),
            frozenset({"tenants.view_school"}) | _PROCUREMENT_OFFICE,
        ),
        RoleSpec(
            Role.TRANSPORT_OFFICER,
            Scope.DISTRICT,
            _("Transport officer"),
            # The fleet, drivers, routes, licences, runs and alarms (the district's side).
            frozenset({"tenants.view_school", "transport.*"}) | _CATALOGUE,
        ),
        RoleSpec(
            Role.FINANCE_OFFICER,
            Scope.DISTRICT,
            _("Finance officer"),
            frozenset(
                {
                    "tenants.view_school",
                    "subsidies.view_*",
                    "subsidies.add_programme",
                    "subsidies.change_programme",
                    "subsidies.add_budget",
                    # Supplementary budgets: one officer proposes, another approves.
                    "subsidies.supplement_budget",
                    "subsidies.approve_budgetsupplement",
                    "subsidies.carry_over_budget",
                    # Deciding and paying claims; preparing and submitting them is the school's.
                    "subsidies.approve_claim",
                    "subsidies.disburse_claim",
                    "reporting.*",
                    # Disposals of assets whose book value is above the district's threshold,
                    # confirmed on the school's host after the principal's approval.
                    "assets.view_disposal",
                    "assets.view_asset",
                    "assets.confirm_disposal",
                    "assets.reject_disposal",
                }
            )
            | _CATALOGUE,
        ),
        RoleSpec(
            Role.AUDITOR,
            Scope.DISTRICT,
            _("Auditor"),
            _READ_ALL | {"audit.add_finding", "audit.change_finding"},
        ),
        RoleSpec(
            Role.PRINCIPAL,
            Scope.SCHOOL,
            _("Principal"),
            _MEMBER
            | {
                "feedback.*",
                "accounts.view_membership",
                "accounts.view_user",
                "people.view_*",
                "canteen.view_*",
                # Leaders record the meals they eat with students (陪餐).
                "canteen.add_accompaniedmeal",
                # The principal approves the school's money decisions: the monthly claim, the
                # supplementary budgets the school asks for (the district confirms them), and
                # what the school asks the centre to buy.
                "subsidies.view_*",
                "subsidies.submit_claim",
                "subsidies.supplement_budget",
                "procurement.view_requisition",
                "procurement.approve_requisition",
                "reporting.view_*",
                "orders.view_*",
                "procurement.view_supplierrating",
                # Major repair work, and disposals of the school's assets.
                "repairs.view_*",
                "repairs.approve_repairrequest",
                "assets.view_*",
                "dorms.view_*",
                "riders.view_*",
                "assets.approve_disposal",
                "assets.reject_disposal",
                # The school's field trips by bus, before the district decides them.
                "transport.view_fieldtrip",
                "transport.endorse_fieldtrip",
            }
            | _BUYING,
        ),
        RoleSpec(
            Role.LOGISTICS_DIRECTOR,
            Scope.SCHOOL,
            _("Logistics director"),
            _MEMBER
            | {
                "feedback.*",
                "accounts.view_membership",
                "accounts.add_membership",
                "accounts.delete_membership",
                "accounts.view_user",
                "accounts.add_user",
                "accounts.set_password_user",
                # The student register and staff list, national ID numbers unmasked included.
                "people.*",
                "canteen.*",
                "subsidies.view_*",
                "subsidies.prepare_claim",
                # A change to a month closed by its claim, recorded as a correction.
                "subsidies.correct_claim",
                "procurement.view_requisition",
                "procurement.add_requisition",
                # Field trips by bus, asked for at least ten school days ahead.
                "transport.view_fieldtrip",
                "transport.add_fieldtrip",
            }
            | _ORDERING
            | _REPAIR_DESK
            | _ASSET_KEEPING
            | _BOARDING
            | _RIDING
            | _PROPOSING,
            appoints=_DELEGATED,
        ),
        RoleSpec(
            Role.CANTEEN_MANAGER,
            Scope.SCHOOL,
            _("Canteen manager"),
            _MEMBER
            | {
                "people.view_student",
                "canteen.*",
                "subsidies.view_*",
                "procurement.add_requisition",
                "procurement.view_requisition:own",
            }
            | _ORDERING
            | _PROPOSING,
        ),
        RoleSpec(
            Role.DORM_MANAGER,
            Scope.SCHOOL,
            _("Dormitory manager"),
            _MEMBER | {"people.view_student"} | _BOARDING_DESK,
        ),
        RoleSpec(
            Role.REPAIR_TECHNICIAN, Scope.SCHOOL, _("Repair technician"), _MEMBER | _REPAIR_WORK
        ),
        RoleSpec(
            Role.ACCOUNTANT,
            Scope.SCHOOL,
            _("Accountant"),
            _MEMBER
            | {
                "people.view_student",
                "canteen.view_*",
                "subsidies.view_*",
                "reporting.view_*",
                "procurement.view_requisition",
            }
            | _BUYING
            # The supplier's invoice matched against the order and what was accepted, and paid.
            | {"orders.view_*", "orders.invoice_order", "orders.pay_expenditure"}
            # Returns and price changes after an invoice was paid: credit and debit notes.
            | {"orders.note_invoice", "orders.settle_invoicenote"}
            # The finance ledger's fixed-asset balances, reconciled with the register.
            | {"assets.view_*", "assets.add_ledgerbalance"}
            # Boarding fees charged per term, and the refunds of pupils who left, paid back.
            | {"dorms.view_feecharge", "dorms.add_feecharge", "dorms.refund_feecharge"},
        ),
        RoleSpec(
            Role.ASSET_KEEPER,
            Scope.SCHOOL,
            _("Asset keeper"),
            # The orders and invoices that bought what is registered.
            _MEMBER | _ASSET_KEEPING | {"orders.view_*", "repairs.view_*"},
        ),
        RoleSpec(
            Role.STAFF,
            Scope.SCHOOL,
            _("Staff"),
            # Class teachers ask for their boarders' leave, for the guardians, and follow it.
            _MEMBER | {"dorms.add_leave", "dorms.view_leave:own"} | _ROOM_CHANGE_ASKING,
        ),
        RoleSpec(Role.STUDENT, Scope.SCHOOL, _("Student"), _MEMBER | _ROOM_CHANGE_ASKING),
        RoleSpec(Role.ESCORT, Scope.SCHOOL, _("Bus escort"), _MEMBER | _ESCORTING),
        RoleSpec(
            Role.SUPPLIER,
            Scope.DISTRICT,
            _("Supplier"),
            frozenset(
                {
                    "procurement.view_supplier:own",
                    "procurement.view_qualification:own",
                    "procurement.view_supplierevent:own",
                    "procurement.view_frameworkcontract:own",
                    "procurement.view_contractprice:own",
                    # Their own company's qualifications: which company is checked on adding.
                    "procurement.add_qualification",
                    # Published tenders (never their reserve prices) and their own bids.
                    "procurement.browse_tender",
                    "procurement.add_bid",
                    "procurement.view_bid:own",
                    "procurement.withdraw_bid:own",
                }
            )
            | _CATALOGUE,
            district_host_only=True,
        ),
        RoleSpec(
            Role.EVALUATOR,
            Scope.DISTRICT,
            _("Evaluation committee member"),
            frozenset(
                {
                    # Their own pool entry and sealing key, their seats, and the tenders they
                    # sit on (once opened: those tenders' bids and scores).
                    "procurement.view_evaluator:own",
                    "procurement.register_key_evaluator:own",
                    "procurement.view_committeeseat:own",
                    "procurement.declare_committeeseat:own",
                    "procurement.present_committeeseat:own",
                    "procurement.view_tender:own",
                    "procurement.open_tender:own",
                    "procurement.score_tender:own",
                }
            )
            | _CATALOGUE,
            district_host_only=True,
        ),
    ]
}

DISTRICT_ROLES = frozenset(r for r, s in REGISTRY.items() if s.scope is Scope.DISTRICT)
SCHOOL_ROLES = frozenset(r for r, s in REGISTRY.items() if s.scope is Scope.SCHOOL)
# Accounts of people outside the district's staff, each scoped to their company or seat.
EXTERNAL_ROLES = frozenset(r for r, s in REGISTRY.items() if s.district_host_only)
DISTRICT_STAFF_ROLES = DISTRICT_ROLES - EXTERNAL_ROLES
# A school's staff: every school role but the students'.
SCHOOL_STAFF_ROLES = SCHOOL_ROLES - {Role.STUDENT}
OWN = ":own"


def appointable_by(roles: frozenset[Role]) -> frozenset[Role]:
    """The roles that holders of `roles` may grant and revoke."""
    return frozenset(r for role in roles for r in REGISTRY[role].appoints)


def roles_allowed(perm: str) -> frozenset[Role]:
    """The roles whose grants allow `perm` outright."""
    return frozenset(r for r, spec in REGISTRY.items() if allows(spec.grants, perm))


@cache
def grants_of(roles: frozenset[Role]) -> frozenset[str]:
    return frozenset(g for role in roles for g in REGISTRY[role].grants)


@cache
def allows(grants: frozenset[str], perm: str) -> bool:
    return any(fnmatchcase(perm, g) for g in grants if not g.endswith(OWN))


@cache
def allows_own(grants: frozenset[str], perm: str) -> bool:
    return any(fnmatchcase(perm + OWN, g) for g in grants if g.endswith(OWN))
