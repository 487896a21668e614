from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants.models import School
from tenants.onboarding import COLUMNS, REQUIRED_COLUMNS

REASON_MAX = School._meta.get_field("status_reason").max_length


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the school suspended?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReinstateForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the school reinstated?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SchoolImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("List of schools (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "The first row names the columns: %(required)s are needed, %(optional)s may be "
            "given. A school whose code is already in the district is left as it is."
        ) % {
            # The columns' Chinese names, as the list's header writes them.
            "required": "、".join(COLUMNS[name][1] for name in REQUIRED_COLUMNS),
            "optional": "、".join(
                COLUMNS[name][1] for name in COLUMNS if name not in REQUIRED_COLUMNS
            ),
        }
