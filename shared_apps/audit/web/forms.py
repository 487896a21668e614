from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from houqin.filters import BoundedDateField
from shared_apps.audit.models import Finding

TITLE_MAX = Finding._meta.get_field("title").max_length


class FindingForm(forms.Form):
    """A finding about the school chosen (none: the centre itself)."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("What was found"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    rectify_by = BoundedDateField(
        label=_("Rectify by"),
        required=False,
        help_text=_("The day by which it must be rectified (整改期限)."),
    )

    def __init__(self, *args: Any, schools: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"] = forms.ModelChoiceField(
            schools,
            label=_("School"),
            required=False,
            empty_label=_("None: the district centre itself"),
        )
        self.order_fields(["school"])


class FindingFollowUpForm(forms.Form):
    """Following a finding up: its status, severity and deadline."""

    status = forms.ChoiceField(label=_("Status"), choices=Finding.Status.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    rectify_by = BoundedDateField(label=_("Rectify by"), required=False)
