"""Forms of the merchant pages: they validate input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jingdezhen.core import ceramics
from jingdezhen.core.platforms import Platform
from jingdezhen.core.widgets import DateInput, DayField

from .models import Merchant, Milestone, Review, TeamMember

SORT_CHOICES = [
    ("name", _("Name")),
    ("stage", _("Stage")),
    ("-days", _("Longest in incubation")),
    ("days", _("Newest in incubation")),
    ("-milestones", _("Most milestones")),
    ("-last_stream", _("Latest stream")),
    ("last_stream", _("Longest without a stream")),
    ("-last_review", _("Latest review")),
    ("last_review", _("Longest without a review")),
]


class MerchantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Merchant.Stage.choices]
    )
    milestone = forms.ChoiceField(
        label=_("Milestone reached"),
        required=False,
        choices=[("", _("Any")), *Milestone.Kind.choices],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)


class ApplicantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Merchant.Kind.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    reason = forms.CharField(label=_("Note on the application"), required=False)


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to"), choices=Merchant.Stage.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Merchant.Stage.choices)
        self.fields["stage"].choices = [(s, labels[s]) for s in allowed]


class StatusForm(forms.Form):
    """The reason for a suspension, or for lifting it (both are kept with who and when)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Review.Outcome.choices)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_on = DayField(label=_("Follow-up date"), required=False, widget=DateInput)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Merchant.Kind.choices)
    specialities = forms.MultipleChoiceField(
        label=_("Specialities"),
        required=False,
        choices=ceramics.WareType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    store_url = forms.URLField(label=_("Store link"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    role = forms.ChoiceField(label=_("Role"), choices=TeamMember.Role.choices)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    def __init__(self, *args, roles: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:  # the roles the caller may give (merchants.permissions)
            self.fields["role"].choices = roles


class PlatformAccountForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    handle = forms.CharField(label=_("Account name"), max_length=80)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    followers = forms.IntegerField(label=_("Followers"), min_value=0, required=False)


class ForeignAgentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    city = forms.CharField(label=_("City"), max_length=80)
    country = forms.CharField(label=_("Country code"), max_length=2, min_length=2)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    commission_rate = forms.DecimalField(
        label=_("Commission rate (%)"), min_value=0, max_value=100, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        # The team form on the same page has a "name" too: each label must find its own field.
        kwargs.setdefault("auto_id", "id_agent_%s")
        super().__init__(*args, **kwargs)


class InviteForm(forms.Form):
    """Whom to invite: an e-mail and a name; a merchant's owner also picks the team role."""

    email = forms.EmailField(label=_("E-mail"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=80)
    role = forms.ChoiceField(
        label=_("Team role"),
        choices=[c for c in TeamMember.Role.choices if c[0] != TeamMember.Role.OWNER],
    )

    def __init__(
        self, *args, with_role: bool = False, roles: list[tuple[str, str]] | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if not with_role:
            del self.fields["role"]
        elif roles is not None:  # the roles the caller may give (merchants.permissions)
            self.fields["role"].choices = roles


class AcceptInvitationForm(forms.Form):
    """The invited person's username and password (typed twice); the validators run in the
    service, on the user it is about to make."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
