"""The rules a run must meet on its date (decree 617 arts. 7-9, 23, 25; GB 24407), each with a
code and the reason a person reads. Pure functions of rows already read: the services read and
lock the rows, then ask these which rules fail, and refuse the run naming every one.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from houqin.months import add_months
from shared_apps.transport.models import Driver, Licence, Offence, Provider, Route, Vehicle

MIN_AGE, MAX_AGE = 25, 60
YEARS_ON_CLASS = 3
EQUIPMENT = ("has_hammer", "has_extinguisher", "has_first_aid_kit", "has_gps_recorder")


def _label(field: str) -> str:
    return str(getattr(Vehicle._meta.get_field(field), "verbose_name", field))


@dataclass(frozen=True)
class Failure:
    """A rule not met: its code (stable, for clients) and why, in words."""

    code: str
    reason: str


def working_days_after(day: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day (Monday to Friday) after `day`: a licence step's timer."""
    while count:
        day += datetime.timedelta(days=1)
        if day.isoweekday() <= 5:
            count -= 1
    return day


def _years_before(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, -12 * years)


def age_on(born_on: datetime.date, day: datetime.date) -> int:
    return day.year - born_on.year - ((day.month, day.day) < (born_on.month, born_on.day))


def driver_failures(
    driver: Driver, offences: Iterable[Offence], on: datetime.date
) -> list[Failure]:
    """Every rule of art. 23 the driver fails on `on`."""
    failures = []
    age = age_on(driver.born_on, on)
    if not MIN_AGE <= age <= MAX_AGE:
        failures.append(
            Failure(
                "driver_age",
                _("The driver is %(age)s on the run's date; a bus driver is 25 to 60.")
                % {"age": age},
            )
        )
    if driver.licensed_since > _years_before(on, YEARS_ON_CLASS):
        failures.append(
            Failure(
                "driver_licence_years",
                _("The driver has held the licence class for less than 3 years."),
            )
        )
    kinds_since: dict[str, datetime.date] = {}
    for offence in offences:
        if offence.occurred_on <= on:
            latest = kinds_since.get(offence.kind)
            kinds_since[offence.kind] = max(latest or offence.occurred_on, offence.occurred_on)
    twelve = kinds_since.get(Offence.Kind.TWELVE_POINTS)
    if twelve and twelve > _years_before(on, 3):
        failures.append(
            Failure(
                "driver_twelve_points",
                _("The driver had a 12-point scoring period in the last 3 years."),
            )
        )
    if Offence.Kind.FATAL in kinds_since or Offence.Kind.SERIOUS_INJURY in kinds_since:
        failures.append(
            Failure(
                "driver_accident_liability",
                _("The driver was liable for an accident with death or serious injury."),
            )
        )
    if Offence.Kind.DRINK_DRIVING in kinds_since:
        failures.append(
            Failure("driver_drink_driving", _("The driver has a drink-driving record."))
        )
    recent = [kinds_since.get(kind) for kind in (Offence.Kind.OVERLOAD, Offence.Kind.SPEEDING)]
    if any(day and day > add_months(on, -12) for day in recent):
        failures.append(
            Failure(
                "driver_overload_or_speeding",
                _("The driver overloaded or sped in the last 12 months."),
            )
        )
    if driver.criminal_record:
        failures.append(Failure("driver_criminal_record", _("The driver has a criminal record.")))
    for field, code, reason in (
        ("health_valid_until", "driver_health", _("The driver's health check has lapsed.")),
        (
            "endorsement_valid_until",
            "driver_endorsement",
            _("The driver's school-bus endorsement has lapsed."),
        ),
        ("review_valid_until", "driver_review", _("The driver's annual review has lapsed.")),
    ):
        until = getattr(driver, field)
        if until is None or until < on:
            failures.append(Failure(code, reason))
    return failures


def vehicle_failures(vehicle: Vehicle, on: datetime.date) -> list[Failure]:
    """What keeps the vehicle off the road on `on`: an overdue inspection, missing equipment."""
    failures = []
    if vehicle.inspection_valid_until is None or vehicle.inspection_valid_until < on:
        failures.append(
            Failure("vehicle_inspection", _("The vehicle's safety inspection is overdue."))
        )
    missing = [_label(field) for field in EQUIPMENT if not getattr(vehicle, field)]
    if missing:
        failures.append(
            Failure(
                "vehicle_equipment",
                _("Equipment missing on board: %(missing)s.") % {"missing": ", ".join(missing)},
            )
        )
    return failures


def provider_failures(provider: Provider, on: datetime.date) -> list[Failure]:
    """A provider runs buses only while licensed (the school itself needs no operating licence)
    and insured."""
    failures = []
    if provider.kind != Provider.Kind.SCHOOL and (
        not provider.licence_number
        or provider.licence_expires is None
        or provider.licence_expires < on
    ):
        failures.append(
            Failure("provider_licence", _("The provider holds no valid operating licence."))
        )
    if provider.insurance_expires is None or provider.insurance_expires < on:
        failures.append(
            Failure(
                "provider_insurance", _("The provider's carrier-liability insurance has lapsed.")
            )
        )
    return failures


def licence_failures(licence: Licence, on: datetime.date) -> list[Failure]:
    """The licence must be approved and in force on the run's date."""
    if licence.status != Licence.Status.APPROVED:
        return [Failure("licence_not_approved", _("The bus licence is not approved."))]
    if not licence.valid_from <= on <= licence.valid_until:
        return [Failure("licence_validity", _("The bus licence is not valid on the run's date."))]
    return []


def route_failures(route: Route, unapproved_stops: int) -> list[Failure]:
    if unapproved_stops:
        return [
            Failure(
                "route_unapproved_stops",
                _("The route %(route)s has %(count)s stops that are not approved.")
                % {"route": route.code, "count": unapproved_stops},
            )
        ]
    return []
