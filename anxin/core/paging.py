"""Pagination shared by list screens."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 20


def paginate(request: HttpRequest, queryset: QuerySet | list, *, per_page: int = PER_PAGE) -> dict:
    """The page asked for (bad or too-large numbers give the nearest page) and the query string."""
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    return {"page": page, "paginator": paginator, "querystring": params.urlencode()}
