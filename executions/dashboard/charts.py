"""Charts drawn on the server as SVG: no JavaScript, no build step, readable
without a script (each mark has a <title>) and testable as markup (each mark
carries its numbers in data- attributes)."""
from datetime import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

PHASE_COLOURS = {
    "PENDING": "#9aa0a6", "IN_PROGRESS": "#2a7ae2", "WAITING_APPROVAL": "#8e44ad",
    "COMPLETED": "#2e9e44", "FAILED": "#d9363e", "CANCELLED": "#c69200",
}  # fmt: skip
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 760, 220, 40, 24, 10


def _n(value: float) -> str:
    """Coordinates as text: format_html escapes its arguments before
    formatting them, so format specs are applied here."""
    return f"{value:.1f}"


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000):
        if value <= step * 4:
            return step * 4
    return value


def stacked_hours(hours: list[datetime], per_hour: dict[datetime, dict[str, int]], phases: list[str]) -> SafeString:
    """Runs per hour, stacked by phase, oldest hour on the left."""
    peak = max((sum(counts.values()) for counts in per_hour.values()), default=0)
    top = _nice_max(max(peak, 1))
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(hours), 1)
    bar = max(slot * 0.8, 1)
    marks = []
    for i, hour in enumerate(hours):
        counts = per_hour.get(hour, {})
        y = TOP + plot_h
        x = LEFT + i * slot + (slot - bar) / 2
        for phase in phases:
            n = counts.get(phase, 0)
            if not n:
                continue
            h = n / top * plot_h
            y -= h
            marks.append(format_html(
                '<rect class="stigmer-mark" x="{}" y="{}" width="{}" height="{}" fill="{}" '
                'data-hour="{}" data-phase="{}" data-count="{}"><title>{} UTC: {} {}</title></rect>',
                _n(x), _n(y), _n(bar), _n(h), PHASE_COLOURS.get(phase, "#666"), hour.isoformat(), phase, n,
                hour.strftime("%Y-%m-%d %H:%M"), n, phase,
            ))  # fmt: skip
    grid = format_html_join("", (
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="stigmer-grid"/>'
        '<text x="{}" y="{}" class="stigmer-axis" text-anchor="end">{}</text>'
    ), ((LEFT, WIDTH - 4, _n(TOP + plot_h * (1 - f)), _n(TOP + plot_h * (1 - f)), LEFT - 4,
         _n(TOP + plot_h * (1 - f) + 4), int(top * f))
        for f in (0, 0.25, 0.5, 0.75, 1)))  # fmt: skip
    every = max(1, len(hours) // 8)
    labels = format_html_join("", '<text x="{}" y="{}" class="stigmer-axis" text-anchor="middle">{}</text>', (
        (_n(LEFT + i * slot + slot / 2), HEIGHT - 6, hour.strftime("%H:00") if len(hours) <= 48 else hour.strftime("%d %b"))
        for i, hour in enumerate(hours) if i % every == 0
    ))  # fmt: skip
    return format_html(
        '<svg class="stigmer-chart" data-chart="runs-per-hour" viewBox="0 0 {} {}" role="img" '
        'aria-label="Runs per hour by phase">{}{}{}</svg>',
        WIDTH, HEIGHT, grid, labels, mark_safe("".join(marks)),
    )


def horizontal_bars(name: str, rows: list[tuple[str, float, str]], colour: str = "#417690") -> SafeString:
    """One bar per (label, value, value as shown), longest first as given."""
    if not rows:
        return format_html('<p class="stigmer-empty" data-chart="{}">Nothing in this window.</p>', name)
    height, label_w = 22, 260
    peak = max(value for _, value, _ in rows) or 1
    marks = format_html_join("", (
        '<g class="stigmer-mark" data-label="{}" data-value="{}">'
        '<text x="{}" y="{}" class="stigmer-axis" text-anchor="end">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}" class="stigmer-axis">{}</text></g>'
    ), (
        (label, shown, label_w - 6, i * height + 15, label[:40] + ("…" if len(label) > 40 else ""),
         label_w, i * height + 4, _n(length), height - 8, colour,
         label, shown, _n(label_w + length + 6), i * height + 15, shown)
        for i, (label, shown, length) in enumerate(
            (label, shown, max(value / peak * (WIDTH - label_w - 110), 1)) for label, value, shown in rows
        )
    ))  # fmt: skip
    return format_html(
        '<svg class="stigmer-chart" data-chart="{}" viewBox="0 0 {} {}" role="img">{}</svg>',
        name, WIDTH, len(rows) * height + 4, marks,
    )
