"""The API's pages: `?page=` and `?page_size=`, each answer with the list's count."""

from typing import Any

from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.pagination import PageNumberPagination


class CountWhereNeededPaginator(DjangoPaginator):  # type: ignore[type-arg]
    """Counts the list only when its first page does not hold it all: a first page shorter than
    the page size is the whole list, and its length is the count. The first page's rows are read
    once, counted or not."""

    def page(self, number: Any) -> "Page[Any]":
        if str(number) != "1" or self.orphans or not self.allow_empty_first_page:
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)  # Paginator.count is a cached property
        return Page(rows, 1, self)


class Pagination(PageNumberPagination):
    django_paginator_class = CountWhereNeededPaginator
    page_size_query_param = "page_size"
    max_page_size = 500
    # No page controls drawn in a browsable page: deciding whether to draw them counts the list.
    template = None
