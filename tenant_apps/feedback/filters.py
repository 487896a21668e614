import django_filters

from tenant_apps.feedback.models import Feedback


class FeedbackFilter(django_filters.FilterSet):
    class Meta:
        model = Feedback
        fields = ["category", "status"]
