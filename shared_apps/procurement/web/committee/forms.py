from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.procurement.models import Criterion, Lot


class DeclareForm(forms.Form):
    """A member's declaration of interests (once, after the deadline)."""

    conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with a bidder?"),
        choices=[("no", _("No conflict of interest")), ("yes", _("I have a conflict of interest"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What the conflict is"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PresentForm(forms.Form):
    """A member's passphrase, which unlocks the share of the tender key sealed to them."""

    passphrase = forms.CharField(
        label=_("Your passphrase"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class SignForm(forms.Form):
    """Signing one's score sheet: nothing to fill in."""


def score_field(bid_id: int, criterion_id: int) -> str:
    return f"score-{bid_id}-{criterion_id}"


class ScoresForm(forms.Form):
    """A member's score of every valid bid of every lot on every criterion, each between 0 and
    the criterion's highest score; blanks are left for later."""

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        lots: list[Lot],
        criteria: list[Criterion],
    ) -> None:
        super().__init__(data, files)
        for lot in lots:
            for bid in lot.valid:  # type: ignore[attr-defined]
                given = {score.criterion_id: score.score for score in bid.mine}
                for criterion in criteria:
                    self.fields[score_field(bid.pk, criterion.pk)] = forms.DecimalField(
                        label=f"{bid.supplier.name} · {criterion.name}",
                        required=False,
                        min_value=Decimal(0),
                        max_value=Decimal(criterion.max_score),
                        max_digits=5,
                        decimal_places=2,
                        initial=given.get(criterion.pk),
                        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
                    )
