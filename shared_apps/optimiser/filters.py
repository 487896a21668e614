import django_filters
from django.utils.translation import gettext_lazy as _

from houqin.filters import date_range
from shared_apps.optimiser.models import Proposal
from shared_apps.standards.models import AgeBand


class ProposalFilter(django_filters.FilterSet):
    week_start = django_filters.DateFilter(label=_("Week starting (Monday)"))
    age_band = django_filters.ChoiceFilter(choices=AgeBand.choices, label=_("Age band"))
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices, label=_("Status"))
    week_from, week_to = date_range("week_start", _("Week starting"))

    class Meta:
        model = Proposal
        fields = ["week_start", "age_band", "status"]
