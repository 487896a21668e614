"""The front door on every host: sign-in, the home page of whoever signed in (what waits for
them, from the panels the host's routes hand it), the hand-over from the district host to a
school's host, password change and sign-out."""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
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
from houqin.permissions import current_school_id, roles_of
from houqin.web.home import HomePanel, Panel
from houqin.web.pages import FormPage, Page, run
from shared_apps.accounts import services, signin
from shared_apps.accounts.actors import signed_in
from shared_apps.accounts.selectors import schools_of
from shared_apps.accounts.web.forms import PasswordChangeForm, SignInForm
from tenants.models import School
from tenants.routing import school_host


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


def _school_address(request: HttpRequest, school: School, path: str) -> str:
    port = request.get_port()
    shown = "" if port in ("80", "443") else f":{port}"
    return f"{request.scheme}://{school_host(school.code)}{shown}{path}"


def _hand_over(request: HttpRequest, school: School) -> HttpResponse:
    value = signin.handover_issue(user=signed_in(request), school=school)
    return HttpResponseRedirect(
        _school_address(request, school, f"{reverse('signin-handover')}?t={value}")
    )


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
