import django_filters

from shared_apps.optimiser.models import Proposal
from shared_apps.standards.models import AgeBand


class ProposalFilter(django_filters.FilterSet):
    age_band = django_filters.ChoiceFilter(choices=AgeBand.choices)
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices)

    class Meta:
        model = Proposal
        fields = ["week_start", "age_band", "status"]
