import django_filters
from django.utils.translation import gettext_lazy as _

from houqin.filters import date_range
from shared_apps.procurement.models import Bid, CommitteeSeat, Evaluator, Requisition, Tender


class RequisitionFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(field_name="school__code")
    raised_from, raised_to = date_range("raised_at", _("Raised"))

    class Meta:
        model = Requisition
        fields = ["school", "status"]


class EvaluatorFilter(django_filters.FilterSet):
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = Evaluator
        fields = ["active"]


class TenderFilter(django_filters.FilterSet):
    published_from, published_to = date_range("published_at", _("Published"))

    class Meta:
        model = Tender
        fields = ["status", "number"]


class SeatFilter(django_filters.FilterSet):
    tender = django_filters.NumberFilter(field_name="tender_id", min_value=1, max_value=2**62)
    deadline_from, deadline_to = date_range("tender__deadline", _("Deadline"))

    class Meta:
        model = CommitteeSeat
        fields = ["tender"]


class BidFilter(django_filters.FilterSet):
    tender = django_filters.NumberFilter(field_name="lot__tender_id", min_value=1, max_value=2**62)
    lot = django_filters.NumberFilter(field_name="lot_id", min_value=1, max_value=2**62)
    submitted_from, submitted_to = date_range("submitted_at", _("Submitted"))

    class Meta:
        model = Bid
        fields = ["tender", "lot", "status"]
