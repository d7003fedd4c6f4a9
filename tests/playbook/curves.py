"""Synthetic minute curves of a 600-minute stream, in the shape review_curves will return once wired to the wall."""

SERIES = ["entries", "exits", "online_viewers", "gmv", "orders", "new_followers"]


def curves(minutes: int = 600) -> dict:
    ks = list(range(minutes + 1))
    series = {name: [k * (i + 1) + (k // 100) * 40 * (name == "exits") for k in ks] for i, name in enumerate(SERIES)}
    events = [{"minute": m, "kind": "product_on", "label": f"SKU {m}"} for m in range(0, minutes, 30)]
    return {"minutes": ks, "series": series, "events": events}
