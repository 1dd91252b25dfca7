"""Charts for publication: a chart with its title, the filters and a source line drawn in, as PNG or SVG.

Rendering goes through Kaleido, which drives the Chromium already installed on the machine
(Debian's, as scripts/ensure-chromium installs it) with the plotly.js that ships in the plotly
package; MathJax, which Kaleido would otherwise load from a CDN, is turned off. Nothing is
downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

MIME = {"png": "image/png", "svg": "image/svg+xml"}
WIDTH, HEIGHT = 1000, 560
FONT = "Noto Sans CJK SC, WenQuanYi Zen Hei, Microsoft YaHei, PingFang SC, sans-serif"


@dataclass(frozen=True)
class Note:
    """What is written under an exported chart: the filters in words and the source line
    (govstats, N articles, data of DATE)."""

    filters: str
    source: str


def publishable(figure: go.Figure, note: Note) -> go.Figure:
    """A copy of `figure` with the filters and the source line drawn under it, sized for print.

    >>> figure = publishable(go.Figure(layout={"title": "搬迁户数"}), Note("城市: 郑州市", "govstats, 5 篇文章"))
    >>> [a.text for a in figure.layout.annotations], figure.layout.title.text
    (['城市: 郑州市', 'govstats, 5 篇文章'], '搬迁户数')
    """
    copy = go.Figure(figure)
    margin = copy.layout.margin
    copy.update_layout(
        width=WIDTH,
        height=HEIGHT,
        font={"family": FONT},
        margin={"l": margin.l or 60, "r": margin.r or 20, "t": max(margin.t or 0, 60), "b": 150},
        legend={"orientation": "h", "y": -0.18},
    )
    for position, text in enumerate((note.filters, note.source)):
        copy.add_annotation(
            text=text, xref="paper", yref="paper", x=0, y=0, yshift=-95 - 22 * position,
            xanchor="left", yanchor="top", showarrow=False, align="left", font={"size": 12, "color": "#444"},
        )  # fmt: skip
    return copy


def renderer_available() -> bool:
    """Whether a Chromium is installed for Kaleido to draw with (it is never downloaded)."""
    from choreographer.browsers.chromium import Chromium

    return Chromium.find_browser(skip_local=False) is not None


def image(figure: go.Figure, note: Note, kind: str) -> bytes:
    """The publishable chart as PNG or SVG bytes."""
    if kind not in MIME:
        raise ValueError(f"unknown image kind {kind!r}: use png or svg")
    import kaleido

    options = {"format": kind, "width": WIDTH, "height": HEIGHT, "scale": 2 if kind == "png" else 1}
    return kaleido.calc_fig_sync(publishable(figure, note).to_dict(), opts=options, kopts={"mathjax": False})
