import django_filters

from shared_apps.procurement.models import Bid, CommitteeSeat, Evaluator, Requisition, Tender


class RequisitionFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(field_name="school__code")

    class Meta:
        model = Requisition
        fields = ["school", "status"]


class EvaluatorFilter(django_filters.FilterSet):
    class Meta:
        model = Evaluator
        fields = ["active"]


class TenderFilter(django_filters.FilterSet):
    class Meta:
        model = Tender
        fields = ["status", "number"]


class SeatFilter(django_filters.FilterSet):
    tender = django_filters.NumberFilter(field_name="tender_id", min_value=1, max_value=2**62)

    class Meta:
        model = CommitteeSeat
        fields = ["tender"]


class BidFilter(django_filters.FilterSet):
    tender = django_filters.NumberFilter(field_name="lot__tender_id", min_value=1, max_value=2**62)
    lot = django_filters.NumberFilter(field_name="lot_id", min_value=1, max_value=2**62)

    class Meta:
        model = Bid
        fields = ["tender", "lot", "status"]
