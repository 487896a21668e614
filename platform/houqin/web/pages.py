"""Page classes: every page of every app is one of these.

A page answers signed-in callers only (anyone else goes to the sign-in page and comes back after
it) who hold `permission` on this host (the role registry, as the API asks it); to everyone else
it does not exist (404), as the API answers. `nav` puts the page in the frame's navigation for
those who may open it. Pages read through the app's selectors and write through its services
only; a form's `run` shows what a service refused next to the field it names, and `row_or_404`
finds the one row a page is about among the rows the caller may see or act on.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.functional import Promise
from django.views.generic import TemplateView
from django_filters import FilterSet
from typing_extensions import override

from houqin.errors import error_response
from houqin.exceptions import ServiceError
from houqin.permissions import current_school_id, has_perm, roles_of

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Nav:
    """Where a page sits in the navigation: its section, its label and its place there."""

    section: Promise
    label: Promise
    order: int = 100


class Page(TemplateView):
    """A page for signed-in callers holding a role here and, when it names one, `permission`.
    The front door's own pages (home, password) are `for_anyone_signed_in`: every holder of a
    role here, and on the district host every signed-in member of a school as well."""

    permission: ClassVar[str] = ""
    for_anyone_signed_in: ClassVar[bool] = False
    title: ClassVar[Promise | str] = ""
    nav: ClassVar[Nav | None] = None
    # The model one row of which this page shows, its route naming the row as `pk`: the audit
    # trail links that model's rows here (houqin.web.frame.object_path).
    shows: ClassVar[type[models.Model] | None] = None

    @override
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not self.allowed(request):
            raise Http404
        try:
            return super().dispatch(request, *args, **kwargs)
        except ServiceError as refused:
            # A refusal outside a form (an act on a row that moved on): said on a page of its own.
            return error_response(request, refused.status, refused.code, refused.message)

    @classmethod
    def allowed(cls, request: HttpRequest) -> bool:
        if cls.for_anyone_signed_in:
            # On the district host, members of schools too (the front door sends them on).
            return current_school_id() is None or bool(roles_of(request.user))
        if cls.permission:
            return has_perm(request.user, cls.permission)
        return bool(roles_of(request.user))

    @override
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.title)
        return context


def run(form: forms.Form, call: Callable[[], T], *, field: str | None = None) -> T | None:
    """Call a service for a valid form: its result, or None with what it refused put on the
    form (next to the fields it names, else next to `field` when given, else above the form), so
    that `form.errors` tells."""
    try:
        return call()
    except ServiceError as error:
        fields: Mapping[str, Any] = error.fields if isinstance(error.fields, Mapping) else {}
        named = False
        for name, messages in fields.items():
            if name in form.fields:
                for message in messages if isinstance(messages, list | tuple) else [messages]:
                    form.add_error(name, str(message))
                named = True
        if not named:
            form.add_error(field, error.message)
        return None


class FormPage(Page):
    """A page with one form: GET shows it, POST checks it and hands it to `act`, which calls the
    service (through `run`) and answers with where to go, or None to show the form again with
    what was refused and what was typed."""

    form_class: ClassVar[type[forms.Form]]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {}

    def get_form(self, data: Any = None, files: Any = None) -> forms.Form:
        return self.form_class(data, files, **self.get_form_kwargs())

    @override
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            target = self.act(form)
            if target is not None:
                return HttpResponseRedirect(target)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def act(self, form: forms.Form) -> str | None:
        raise NotImplementedError


@dataclass
class Listing:
    """One page of a filtered, sorted list, with what the template needs to link the others."""

    filter: FilterSet
    page: PaginatorPage[Any]
    sort: str
    sorts: Mapping[str, Promise | str]
    query: str


def listing(
    request: HttpRequest,
    queryset: "models.QuerySet[M]",
    filterset_class: type[FilterSet],
    *,
    sorts: Mapping[str, Promise | str],
    default_sort: str,
    per_page: int = 25,
) -> Listing:
    """The rows the request's filters (the API's FilterSet) keep, sorted by one of `sorts` (a
    leading "-" for descending) and cut into pages; unknown sorts fall back to the default."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset.none()
    if not filterset.is_bound:
        rows = queryset
    sort = request.GET.get("sort", default_sort)
    if sort.removeprefix("-") not in sorts:
        sort = default_sort
    rows = rows.order_by(sort, "-pk" if sort.startswith("-") else "pk")
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return Listing(filterset, page, sort, sorts, query.urlencode())
