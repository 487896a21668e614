from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tenants.models import School


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    current = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, str]:
        data: dict[str, str] = super().clean() or {}
        if data.get("new") and data.get("again") and data["new"] != data["again"]:
            self.add_error("again", _("The two new passwords differ."))
        return data


def _new_password_fields(form: forms.Form) -> None:
    form.fields["password"] = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    form.fields["again"] = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _passwords_agree(form: forms.Form, data: dict[str, Any]) -> None:
    if data.get("password") and data.get("again") and data["password"] != data["again"]:
        form.add_error("again", _("The two passwords differ."))


class UserCreateForm(forms.Form):
    """A new account: for the school of this host, or, on the district host, for the school
    chosen (none: an account of the centre)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, schools: QuerySet[School] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if schools is not None:
            self.fields["school"] = forms.ModelChoiceField(
                schools,
                label=_("School"),
                required=False,
                empty_label=_("None: an account of the district centre"),
                help_text=_("Only that school's roles can be given to the account."),
            )
        _new_password_fields(self)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        _passwords_agree(self, data)
        return data


class PasswordSetForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _new_password_fields(self)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        _passwords_agree(self, data)
        return data


class GrantForm(forms.Form):
    """A role for a user: one of this host's roles; on the district host, a school's role in
    the school chosen, or a district role (no school)."""

    def __init__(
        self,
        *args: Any,
        roles: list[tuple[str, str]],
        schools: QuerySet[School] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"] = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *roles])
        if schools is not None:
            self.fields["school"] = forms.ModelChoiceField(
                schools,
                label=_("School"),
                required=False,
                empty_label=_("None: a role in the district centre"),
            )


class RevokeForm(forms.Form):
    """Taking a role away asks nothing more than the confirmation."""
