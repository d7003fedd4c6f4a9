"""Staff's wall of walls (/console/live/): the streams live now, by GMV, with their alert counts (DESIGN §10)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from live.selectors import wall_of_walls
from pages.access import staff_page

PAGE = 100


@staff_page("live.view_livestream")
def walls(request):
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 7 else 1
    total, streams = wall_of_walls(limit=PAGE, offset=(max(number, 1) - 1) * PAGE)
    pages = Paginator(range(total), PAGE)
    return render(
        request,
        "live/walls.html",
        {"streams": streams, "total": total, "page": pages.get_page(number), "offset": (max(number, 1) - 1) * PAGE},
    )
