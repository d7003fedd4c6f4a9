"""The live wall of one stream (/live/<external_id>/), for staff and the provider users who may see it (DESIGN §10).

Without JavaScript the page is the stream's latest state (or, with ?minute=k, its state at minute k: the replay);
with JavaScript, live/static/live/wall.js opens the stream's socket and re-reads state.json at every push."""

from decimal import Decimal

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from live.selectors import stream_visible, wall_state
from pages import formats, labels


def _stream(request, external_id):
    stream = stream_visible(request.user, external_id)
    if stream is None:
        raise Http404  # not yours, or no such stream: the same answer
    return stream


def _minute(request):
    raw = request.GET.get("minute", "")
    if raw.isdigit() and len(raw) <= 4:
        return int(raw)
    if raw:
        raise Http404
    return None


def wall(request, external_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    stream = _stream(request, external_id)
    state = wall_state(stream, minute=_minute(request))
    return render(request, "live/wall.html", {"state": state, "stream": stream})


def _num(value):
    return None if value is None else (float(value) if isinstance(value, Decimal) else value)


def wall_json(request, external_id):
    """The wall's state for its script: the same selector as the page, as JSON."""
    if not request.user.is_authenticated:
        raise Http404
    stream = _stream(request, external_id)
    state = wall_state(stream, minute=_minute(request))
    tiles = state["tiles"] or {}
    # The figures as people read them, formatted here by pages.formats (the script only places the text).
    tile_text = {
        "gmv": formats.money,
        "online": formats.count,
        "peak": formats.count,
        "gpm": formats.money,
        "conversion_rate": formats.percent,
        "new_followers": formats.count,
        "paid_roi": formats.ratio,
    }
    return JsonResponse(
        {
            "external_id": stream.external_id,
            "ended": stream.ended,
            "minute": state["minute"],
            "tiles": {key: _num(value) for key, value in tiles.items()},
            "tiles_text": {key: tile_text[key](value) for key, value in tiles.items()},
            "curves": {
                "minute": [c["k"] for c in state["curves"]],
                "gmv": [_num(c["gmv"]) for c in state["curves"]],
                "online": [c["online_viewers"] for c in state["curves"]],
                "gpm": [_num(c["gpm"]) for c in state["curves"]],
                "conversion_rate": [_num(c["conversion_rate"]) for c in state["curves"]],
            },
            "events": [
                {"minute": int((e.at - stream.start_minute).total_seconds() // 60), "kind": e.kind, "label": e.label}
                for e in state["events"]
            ],
            "funnel": state["funnel"] or [],
            "funnel_text": [formats.count(n) for _name, n in state["funnel"] or []],
            "sources": state["sources"] or [],
            "sources_text": [[labels.source_label(name), formats.count(n)] for name, n in state["sources"] or []],
            "alerts": [
                {
                    "code": a["code"],
                    "label": labels.dimension_label(a["dimension"]),
                    "percentile": _num(a["percentile"]),
                    "baseline": _num(a["baseline"]),
                    "value": _num(a["value"]),
                    "text": " · ".join(
                        (
                            formats.dimension_value(a["value"], a["dimension"].unit, a["code"]),
                            f"{_('peer percentile')} {formats.percentile(a['percentile'])}",
                            f"{_('own baseline')} "
                            + formats.dimension_value(a["baseline"], a["dimension"].unit, a["code"]),
                        )
                    ),
                    "red": a["red"],
                }
                for a in state["alerts"]
            ],
        }
    )
