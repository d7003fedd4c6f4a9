"""Text and focus rings meet WCAG 2.2 AA contrast: the stylesheets' colours against the backgrounds they sit on."""

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
CSS = (BASE / "static" / "saima.css").read_text() + (BASE / "pages" / "static" / "pages" / "pages.css").read_text()
WHITE, PAGE = "#ffffff", "#f7f8fa"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def variable(name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


def test_text_colours_reach_4_5_to_1_on_white_and_the_page():
    for name in ("ink", "muted", "brand", "ok", "bad", "warn"):
        for background in (WHITE, PAGE):
            assert contrast(variable(name), background) >= 4.5, (name, background)
    assert contrast("#ffffff", variable("brand")) >= 4.5  # a button's white label
    assert contrast("#1d4ed8", WHITE) >= 4.5  # links
    assert contrast("#991b1b", WHITE) >= 4.5  # destructive buttons' label


def test_focus_ring_reaches_3_to_1():
    rings = re.findall(r"outline(?:-color)?:\s*(?:\d+px solid )?(#[0-9a-fA-F]{6})", CSS)
    assert rings, "no focus ring"
    for colour in rings:
        assert contrast(colour, WHITE) >= 3 and contrast(colour, PAGE) >= 3, colour
