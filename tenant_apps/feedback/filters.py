import django_filters
from django.utils.translation import gettext_lazy as _

from houqin.filters import date_range
from tenant_apps.feedback.models import Feedback


class FeedbackFilter(django_filters.FilterSet):
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = Feedback
        fields = ["category", "status"]
