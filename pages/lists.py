"""Lists on pages: search by provider name or credit code, sort by a named column, paginate (two queries: count
and page, whatever the list's length)."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q

PER_PAGE = 50


@dataclass
class Listing:
    page: object  # django.core.paginator.Page
    q: str
    sort: str
    sorts: list  # [(key, label), ...]
    params: str  # the query string without page, for the pager's links

    @property
    def rows(self):
        return self.page.object_list


def listing(request, queryset, *, sorts: dict, default: str, search: tuple[str, ...] = (), per_page: int = PER_PAGE):
    """``sorts``: key → (label, order_by fields). ``search``: fields matched case-insensitively by ``q``."""
    q = request.GET.get("q", "").strip()[:100]
    if q and search:
        match = Q()
        for field in search:
            match |= Q(**{f"{field}__icontains": q})
        queryset = queryset.filter(match)
    sort = request.GET.get("sort", default)
    if sort not in sorts:
        sort = default
    queryset = queryset.order_by(*sorts[sort][1])
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return Listing(
        page=page, q=q, sort=sort, sorts=[(k, label) for k, (label, _) in sorts.items()], params=params.urlencode()
    )
