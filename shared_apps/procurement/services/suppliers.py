"""Writes about suppliers: the company's record, its sign-in accounts, its qualifications (added
by the supplier or the officer, counting only once the officer has verified them against the
document), and its standing (suspended or reinstated, by hand or by the rating rule;
qualifications about to expire).

A suspended supplier keeps its framework contracts running and schools may still order under
them; suspension bars it from new tenders (the bidding service checks `Supplier.status`).
Each service runs in one transaction; a change of standing locks the supplier's row first.
"""

import os
import secrets
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, SystemActor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.images import ImageRefused, Refusal, image_cleaned
from shared_apps.accounts import services as accounts
from shared_apps.accounts.actors import person
from shared_apps.procurement.credit_codes import credit_code_cleaned
from shared_apps.procurement.models import (
    Category,
    Qualification,
    Supplier,
    SupplierEvent,
    SupplierUser,
)

# Who notices qualifications about to expire: the daily job (or a command).
EXPIRY_NOTICES = SystemActor("procurement.qualification_expiry")
SUPPLIER_FIELDS = (
    "name",
    "credit_code",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "categories",
)


def _categories(values: Sequence[str]) -> list[str]:
    unknown = [v for v in values if v not in Category.values]
    if unknown or not values:
        message = _("Name at least one category, from: {categories}.").format(
            categories=", ".join(Category.values)
        )
        raise InvalidInput(message, fields={"categories": [message]})
    return sorted(set(values))


def _text(values: dict[str, Any], field: str, *, required: bool = True) -> None:
    if field in values:
        values[field] = (values[field] or "").strip()
        if required and not values[field]:
            raise InvalidInput(
                _("This field is required."), fields={field: [_("This field is required.")]}
            )


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in values.items() if k in SUPPLIER_FIELDS}
    for field in ("name", "address", "contact_name", "contact_phone"):
        _text(values, field)
    _text(values, "contact_email", required=False)
    if "credit_code" in values:
        values["credit_code"] = credit_code_cleaned(values["credit_code"])
    if "categories" in values:
        values["categories"] = _categories(values["categories"])
    return values


def _duplicate_code() -> Conflict:
    return Conflict(
        _("A supplier with this unified social credit code is registered."),
        code="duplicate_supplier",
        fields={"credit_code": [_("Already registered.")]},
    )


@service
def supplier_create(
    *,
    name: str,
    credit_code: str,
    address: str,
    contact_name: str,
    contact_phone: str,
    categories: Sequence[str],
    contact_email: str = "",
    actor: Actor,
) -> Supplier:
    values = _cleaned(
        {
            "name": name,
            "credit_code": credit_code,
            "address": address,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "contact_email": contact_email,
            "categories": list(categories),
        }
    )
    try:
        with transaction.atomic():
            return Supplier.objects.create(**values)
    except IntegrityError:
        raise _duplicate_code() from None


@service
def supplier_update(*, supplier: Supplier, actor: Actor, **changes: object) -> Supplier:
    """Change a supplier's record (not its standing: see suspend and reinstate)."""
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    for field, value in _cleaned(changes).items():
        setattr(locked, field, value)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise _duplicate_code() from None
    return locked


# Accounts ----------------------------------------------------------------------------------------


@service
def supplier_account_create(
    *,
    supplier: Supplier,
    username: str,
    actor: Actor,
    display_name: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[SupplierUser, str | None]:
    """A sign-in account for one of the supplier's people: a user holding the supplier role, tied
    to this company. Without a password one is made up and returned, to be shown once (only its
    hash is kept)."""
    made_up = None if password else secrets.token_urlsafe(12)
    user = accounts.user_create(
        username=username,
        password=password or made_up or "",
        display_name=display_name,
        email=email,
        actor=actor,
    )
    # The procurement officer opens supplier accounts; granting this one external role is part
    # of it (other district roles are granted by the district administrator only).
    accounts.supplier_role_grant(user=user, actor=actor)
    account = SupplierUser.objects.create(user=user, supplier=supplier)
    return account, made_up


# Qualifications ----------------------------------------------------------------------------------


def _scan_stored(supplier: Supplier, scan: IO[bytes]) -> str:
    """Check and clean a licence's scan as every uploaded image is, and keep it: its name."""
    size = scan.seek(0, os.SEEK_END)
    scan.seek(0)
    try:
        clean = image_cleaned(
            scan,
            size=size,
            max_bytes=settings.PROCUREMENT_SCAN_MAX_BYTES,
            max_side=settings.PROCUREMENT_SCAN_MAX_SIDE,
        )
    except ImageRefused as refused:
        if refused.refusal is Refusal.NOT_AN_IMAGE:
            message = _("The scan must be an image (JPEG, PNG or WebP).")
            code = "not_an_image"
        elif refused.refusal is Refusal.TOO_MANY_PIXELS:
            message = _("The scan has too many pixels.")
            code = "scan_too_large"
        else:
            message = _("A scan of at most %(mb)d MB.") % {
                "mb": settings.PROCUREMENT_SCAN_MAX_BYTES // (1024 * 1024)
            }
            code = "scan_too_large"
        raise InvalidInput(message, code=code, fields={"scan": [message]}) from None
    name = f"procurement/qualifications/{supplier.pk}/{uuid.uuid4().hex}.jpg"
    return default_storage.save(name, ContentFile(clean.content))


@service
def qualification_add(
    *,
    supplier: Supplier,
    kind: str,
    number: str,
    valid_from: date,
    expires_on: date,
    issued_by: str = "",
    scan: IO[bytes] | None = None,
    actor: Actor,
) -> Qualification:
    """A licence as declared, with the scan of its document when one is sent, awaiting the
    officer's verification against the document."""
    number = (number or "").strip()
    if not number:
        raise InvalidInput(
            _("The licence number is required."), fields={"number": [_("This field is required.")]}
        )
    if kind not in Qualification.Kind.values:
        raise InvalidInput(_("Unknown kind of qualification."), fields={"kind": [_("Unknown.")]})
    if expires_on < valid_from:
        message = _("A qualification cannot expire before it is valid.")
        raise InvalidInput(message, fields={"expires_on": [message]})
    stored = _scan_stored(supplier, scan) if scan is not None else ""
    try:
        with transaction.atomic():
            return Qualification.objects.create(
                supplier=supplier,
                kind=kind,
                number=number,
                issued_by=(issued_by or "").strip(),
                valid_from=valid_from,
                expires_on=expires_on,
                scan=stored,
            )
    except IntegrityError:
        if stored:
            default_storage.delete(stored)
        raise Conflict(
            _("This supplier already holds this qualification."), code="duplicate_qualification"
        ) from None


def _decided(qualification: Qualification, status: str) -> Qualification:
    locked = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if locked.status == status:
        raise Conflict(
            _("This qualification is already %(status)s.")
            % {"status": locked.get_status_display()},
            code=f"already_{status}",
        )
    return locked


@service
def qualification_verify(*, qualification: Qualification, actor: Actor) -> Qualification:
    """The officer has checked the licence against its document (or the issuer's register): from
    now on it counts for tenders while in force. A rejected one may be verified after all."""
    locked = _decided(qualification, Qualification.Status.VERIFIED)
    locked.status = Qualification.Status.VERIFIED
    locked.verified_by = person(actor)
    locked.verified_at = timezone.now()
    locked.rejection_reason = ""
    locked.save(update_fields=["status", "verified_by", "verified_at", "rejection_reason"])
    return locked


@service
def qualification_reject(
    *, qualification: Qualification, reason: str, actor: Actor
) -> Qualification:
    """The licence does not match its document, or was withdrawn by its issuer: it does not count
    (a verified one stops counting), and the supplier reads why."""
    reason = _reason(reason)
    locked = _decided(qualification, Qualification.Status.REJECTED)
    locked.status = Qualification.Status.REJECTED
    locked.verified_by = person(actor)
    locked.verified_at = timezone.now()
    locked.rejection_reason = reason
    locked.save(update_fields=["status", "verified_by", "verified_at", "rejection_reason"])
    return locked


def _expiry_notice_days() -> int:
    return int(settings.PROCUREMENT_QUALIFICATION_NOTICE_DAYS)


@service
def qualification_expiry_notices(
    *, actor: Actor, today: date | None = None, days: int | None = None
) -> int:
    """Raise a QUALIFICATION_EXPIRING event for each verified qualification (one that counts)
    that expires within `days`
    (PROCUREMENT_QUALIFICATION_NOTICE_DAYS by default) from `today`, once per qualification,
    expiry date and notice period (a constraint of the table): running again raises nothing new,
    and a qualification renewed with a later expiry date is noticed again when that date comes
    near. Returns the number of events raised."""
    today = today or timezone.localdate()
    days = _expiry_notice_days() if days is None else days
    expiring = list(
        Qualification.objects.filter(
            status=Qualification.Status.VERIFIED,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=days),
        ).order_by("pk")
    )
    noticed = set(
        SupplierEvent.objects.filter(
            kind=SupplierEvent.Kind.QUALIFICATION_EXPIRING,
            qualification__in=expiring,
            notice_days=days,
        ).values_list("qualification_id", "expires_on")
    )
    events = [
        SupplierEvent(
            supplier_id=q.supplier_id,
            kind=SupplierEvent.Kind.QUALIFICATION_EXPIRING,
            automatic=True,
            qualification=q,
            expires_on=q.expires_on,
            notice_days=days,
            reason=_("%(kind)s No. %(number)s expires on %(date)s, in %(left)d days.")
            % {
                "kind": q.get_kind_display(),
                "number": q.number,
                "date": f"{q.expires_on:%Y-%m-%d}",
                "left": (q.expires_on - today).days,
            },
        )
        for q in expiring
        if (q.pk, q.expires_on) not in noticed
    ]
    # The unique constraint keeps a run racing this one from noticing twice.
    SupplierEvent.objects.bulk_create(events, ignore_conflicts=True)
    return len(events)


# Standing ----------------------------------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason."), fields={"reason": [_("This field is required.")]})
    return reason


@service
def supplier_suspend(
    *, supplier: Supplier, reason: str, actor: Actor, automatic: bool = False
) -> Supplier:
    """Suspend a supplier from new tenders, saying why; by the rating rule when `automatic`."""
    reason = _reason(reason)
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if locked.status == Supplier.Status.SUSPENDED:
        raise Conflict(_("This supplier is already suspended."), code="already_suspended")
    locked.status = Supplier.Status.SUSPENDED
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_reason"])
    SupplierEvent.objects.create(
        supplier=locked,
        kind=SupplierEvent.Kind.SUSPENDED,
        automatic=automatic,
        reason=reason,
        actor=person(actor),
    )
    return locked


@service
def supplier_reinstate(*, supplier: Supplier, reason: str, actor: Actor) -> Supplier:
    """Lift a suspension, whoever or whatever imposed it, saying why."""
    reason = _reason(reason)
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if locked.status != Supplier.Status.SUSPENDED:
        raise Conflict(_("This supplier is not suspended."), code="not_suspended")
    locked.status = Supplier.Status.ACTIVE
    locked.status_reason = ""
    locked.save(update_fields=["status", "status_reason"])
    SupplierEvent.objects.create(
        supplier=locked, kind=SupplierEvent.Kind.REINSTATED, reason=reason, actor=person(actor)
    )
    return locked
