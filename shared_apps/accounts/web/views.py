"""The front door on every host: sign-in, the home page of whoever signed in (what waits for
them, from the panels the host's routes hand it), the hand-over from the district host to a
school's host, password change and sign-out."""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from houqin.exceptions import ServiceError, TooManyAttempts
from houqin.permissions import current_school_id, has_perm, restrict, roles_of
from houqin.roles import REGISTRY, SCHOOL_ROLES, appointable_by
from houqin.web.frame import address
from houqin.web.home import HomePanel, Panel
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts import selectors, services, signin
from shared_apps.accounts.actors import signed_in
from shared_apps.accounts.filters import UserFilter
from shared_apps.accounts.models import Membership, User
from shared_apps.accounts.selectors import schools_of
from shared_apps.accounts.web.forms import (
    GrantForm,
    PasswordChangeForm,
    PasswordSetForm,
    RevokeForm,
    SignInForm,
    UserCreateForm,
)
from tenants.models import School
from tenants.routing import school_host
from tenants.selectors import current_school, school_list


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


@method_decorator([sensitive_post_parameters("password"), csrf_protect, never_cache], "dispatch")
class SignInView(View):
    template_name = "accounts/signin.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return HttpResponseRedirect(_next(request))
        return self._page(request, SignInForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SignInForm(request.POST)
        if form.is_valid():
            try:
                signin.session_sign_in(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    request=request,
                )
            except TooManyAttempts as refused:
                form.add_error(None, refused.message)
                return self._page(request, form, status=429)
            except ServiceError as refused:
                form.add_error(None, refused.message)
            else:
                return HttpResponseRedirect(_next(request))
        return self._page(request, form, status=400)

    def _page(self, request: HttpRequest, form: SignInForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "next": _next(request), "title": _("Sign in")}
        return render(request, self.template_name, context, status=status)


class SignOutView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        logout(request)
        messages.success(request, _("You have signed out."))
        return HttpResponseRedirect(reverse("signin"))


def _hand_over(request: HttpRequest, school: School) -> HttpResponse:
    value = signin.handover_issue(user=signed_in(request), school=school)
    path = f"{reverse('signin-handover')}?t={value}"
    return HttpResponseRedirect(address(request, school_host(school.code), path))


class HomePage(Page):
    """What waits for this person here, counted and linked; on the district host, a member of
    schools only is sent on to their school (or chooses one)."""

    for_anyone_signed_in = True
    title = gettext_lazy("Home")
    template_name = "accounts/home.html"
    panels: ClassVar[Sequence[HomePanel]] = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if current_school_id() is None and not roles_of(request.user):
            schools = schools_of(user=signed_in(request))
            if len(schools) == 1:
                return _hand_over(request, schools[0])
            return render(
                request,
                "accounts/choose_school.html",
                {"schools": schools, "title": _("Choose a school")},
            )
        shown: list[Panel] = [p for p in (panel(request) for panel in self.panels) if p]
        return self.render_to_response(self.get_context_data(panels=shown))


class SchoolGoPage(Page):
    """From the district host's chooser to one of the user's schools."""

    for_anyone_signed_in = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        for school in schools_of(user=signed_in(request)):
            if school.pk == kwargs["school_id"]:
                return _hand_over(request, school)
        raise Http404


@never_cache
def handover(request: HttpRequest) -> HttpResponse:
    """Where the district host's pass lands on a school's host."""
    if signin.handover_take(value=request.GET.get("t", ""), request=request) is None:
        messages.error(request, _("That sign-in link has expired. Please sign in here."))
        return HttpResponseRedirect(reverse("signin"))
    return HttpResponseRedirect(reverse("home"))


@method_decorator(sensitive_post_parameters("current", "new", "again"), "dispatch")
class PasswordChangePage(FormPage):
    for_anyone_signed_in = True
    title = gettext_lazy("Change password")
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm

    def act(self, form: Any) -> str | None:
        user = signed_in(self.request)
        run(
            form,
            lambda: services.password_change(
                current=form.cleaned_data["current"], new=form.cleaned_data["new"], actor=user
            ),
        )
        if form.errors:
            return None
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password has been changed."))
        return reverse("home")


# Accounts and roles: the district administrator's on the district host, a school's logistics
# director's on its host; read-only for those who only read them (auditors, principals).

SECTION = gettext_lazy("Accounts and roles")
USER_SORTS = {
    "username": gettext_lazy("Username"),
    "display_name": gettext_lazy("Full name"),
    "date_joined": gettext_lazy("Opened"),
}
# Every role someone appoints (houqin.roles): what the district host's form offers.
_APPOINTED = appointable_by(frozenset(REGISTRY))


def _here() -> School | None:
    """The school of this host; None on the district host."""
    return current_school() if current_school_id() is not None else None


def _schools() -> QuerySet[School]:
    return school_list().filter(status=School.Status.ACTIVE).order_by("name")


def _role_choices() -> list[tuple[str, str]]:
    offered = _APPOINTED if _here() is None else SCHOOL_ROLES
    return [(role.value, str(spec.label)) for role, spec in REGISTRY.items() if role in offered]


def _user(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(restrict(selectors.user_list(), request.user, "view"), pk=pk)


class UserListPage(Page):
    permission = "accounts.view_user"
    title = gettext_lazy("Accounts")
    nav = Nav(SECTION, gettext_lazy("Accounts"), 40)
    template_name = "accounts/user_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        users = restrict(selectors.user_list(), request.user, "view").select_related("school")
        users = users.prefetch_related(
            Prefetch("memberships", queryset=selectors.membership_list().here())
        )
        found = listing(request, users, UserFilter, sorts=USER_SORTS, default_sort="username")
        context = self.get_context_data(
            listing=found, may_add=has_perm(request.user, "accounts.add_user")
        )
        return self.render_to_response(context)


class UserCreatePage(FormPage):
    permission = "accounts.add_user"
    title = gettext_lazy("Open an account")
    nav = Nav(SECTION, gettext_lazy("Open an account"), 50)
    template_name = "accounts/user_create.html"
    form_class = UserCreateForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"schools": _schools() if _here() is None else None}

    def act(self, form: Any) -> str | None:
        data = form.cleaned_data
        user = run(
            form,
            lambda: services.user_create(
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                email=data["email"],
                school=data.get("school") or _here(),
                actor=signed_in(self.request),
            ),
            field="username",
        )
        if user is None:
            return None
        messages.success(self.request, _("The account is open. Now give it its roles."))
        return reverse("accounts:user", kwargs={"pk": user.pk})


def _user_page(
    page: Page, request: HttpRequest, user: User, grant: GrantForm | None = None, status: int = 200
) -> HttpResponse:
    """One account: who it is, the roles it holds here (each taken away with one button by
    those who may), a role to grant, and a new password for those who may set one."""
    me = signed_in(request)
    other = me.pk != user.pk
    here = _here()
    if grant is None and other and has_perm(me, "accounts.add_membership"):
        grant = GrantForm(roles=_role_choices(), schools=_schools() if here is None else None)
    context = page.get_context_data(
        account=user,
        title=user.display_name or user.username,
        memberships=selectors.memberships_of(user=user).here(),
        may_revoke=other and has_perm(me, "accounts.delete_membership"),
        grant=grant,
        may_set_password=other and has_perm(me, "accounts.set_password_user"),
    )
    return page.render_to_response(context, status=status)


class UserPage(Page):
    permission = "accounts.view_user"
    shows = User
    template_name = "accounts/user.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _user_page(self, request, _user(request, kwargs["pk"]))


class MembershipGrantPage(Page):
    """The user's page's form to grant a role posts here; what the services refuse is shown
    next to the role."""

    permission = "accounts.add_membership"
    template_name = "accounts/user.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _user_page(self, request, _user(request, kwargs["pk"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = _user(request, kwargs["pk"])
        here = _here()
        form = GrantForm(
            request.POST, roles=_role_choices(), schools=_schools() if here is None else None
        )
        if form.is_valid():
            granted = run(
                form,
                lambda: services.membership_grant(
                    user=user,
                    role=form.cleaned_data["role"],
                    school=form.cleaned_data.get("school") or here,
                    actor=signed_in(request),
                ),
                field="role",
            )
            if granted is not None:
                messages.success(request, _("Role granted: %(role)s.") % {"role": granted})
                return HttpResponseRedirect(reverse("accounts:user", kwargs={"pk": user.pk}))
        return _user_page(self, request, user, grant=form, status=400)


class MembershipRevokePage(FormPage):
    """Take a role away: the button on the user's page posts here (asking first); this page
    asks too when opened, and shows what the services refused."""

    permission = "accounts.delete_membership"
    title = gettext_lazy("Take a role away")
    template_name = "accounts/membership_revoke.html"
    form_class = RevokeForm

    def membership(self) -> Membership:
        held = restrict(selectors.membership_list(), self.request.user, "delete")
        return get_object_or_404(held, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(membership=self.membership(), **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: Any) -> str | None:
        membership = self.membership()
        run(
            form,
            lambda: services.membership_revoke(
                membership=membership, actor=signed_in(self.request)
            ),
        )
        if form.errors:
            return None
        messages.success(self.request, _("Role taken away: %(role)s.") % {"role": membership})
        return reverse("accounts:user", kwargs={"pk": membership.user_id})


@method_decorator(sensitive_post_parameters("password", "again"), "dispatch")
class UserPasswordPage(FormPage):
    """A new password for someone who lost theirs, by those who may set it
    (accounts.services.user_password_set); never one's own (that is the password page)."""

    permission = "accounts.set_password_user"
    title = gettext_lazy("Set a new password")
    template_name = "accounts/user_password.html"
    form_class = PasswordSetForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(account=_user(self.request, self.kwargs["pk"]), **kwargs)

    def act(self, form: Any) -> str | None:
        user = _user(self.request, self.kwargs["pk"])
        run(
            form,
            lambda: services.user_password_set(
                user=user,
                password=form.cleaned_data["password"],
                school=_here(),
                actor=signed_in(self.request),
            ),
        )
        if form.errors:
            return None
        messages.success(
            self.request,
            _("The new password is set. Tell it to %(name)s in person, and ask them to change it.")
            % {"name": user.display_name or user.username},
        )
        return reverse("accounts:user", kwargs={"pk": user.pk})
