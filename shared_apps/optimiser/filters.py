import django_filters
from django.utils.translation import gettext_lazy as _

from houqin.filters import date_range
from shared_apps.optimiser.models import Proposal
from shared_apps.standards.models import AgeBand


class ProposalFilter(django_filters.FilterSet):
    age_band = django_filters.ChoiceFilter(choices=AgeBand.choices)
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices)
    week_from, week_to = date_range("week_start", _("Week starting"))

    class Meta:
        model = Proposal
        fields = ["week_start", "age_band", "status"]
