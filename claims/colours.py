"""WCAG 2 colour contrast: the text colour that stays readable on a verdict's colour.

Verdict colours come from the admin, so the text on them is chosen, never assumed.
Pure black and white, because one of them always reaches 4.58:1 on any colour (WCAG AA
asks 4.5:1); a softer near-black does not: on some mid colours it falls to 4.2:1. The
public pages and the verdict cards use the same rule.
"""


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours, from 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(colour: str) -> str:
    """Black or white, whichever contrasts more with `colour`."""
    if contrast_ratio(colour, "#000000") >= contrast_ratio(colour, "#ffffff"):
        return "#000000"
    return "#ffffff"
