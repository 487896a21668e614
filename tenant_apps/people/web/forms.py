from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.people.register import COLUMNS, REQUIRED_COLUMNS


class StudentImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Student register (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file; save nothing"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "The first row names the columns: %(required)s are needed, %(optional)s may be "
            "given. Students are matched by student number: new ones are added, registered "
            "ones updated, none removed. If any row has a problem, nothing is saved."
        ) % {
            # The columns' Chinese names, as the register's header writes them.
            "required": "、".join(COLUMNS[name][-1] for name in REQUIRED_COLUMNS),
            "optional": "、".join(
                COLUMNS[name][-1] for name in COLUMNS if name not in REQUIRED_COLUMNS
            ),
        }


class RevealForm(forms.Form):
    """Reading a national ID number unmasked asks nothing more than the confirmation."""
