from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.accounts.models import User
from tenant_apps.people.models import GRADES
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


class _TeacherChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name or obj.username} ({obj.username})"


class ClassTeacherAssignForm(forms.Form):
    """The class teacher of one class for one school year: one of the school's staff."""

    user = _TeacherChoice(label=gettext_lazy("Class teacher"), queryset=User.objects.none())
    school_year = forms.IntegerField(
        label=gettext_lazy("School year (the year it begins)"), min_value=2000, max_value=2200
    )
    grade = forms.TypedChoiceField(
        label=gettext_lazy("Grade"), coerce=int, choices=[(g, str(g)) for g in GRADES]
    )
    class_name = forms.CharField(label=gettext_lazy("Class"), max_length=32)

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = staff


class ConfirmForm(forms.Form):
    """Nothing to type: the caller confirms."""
