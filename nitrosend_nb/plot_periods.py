"""Date axes for bars per day, week or month (the charts of :mod:`nitrosend_nb.plots`).

Each bar is centred on its period and covers 80 % of it (so a month's bar follows the month's length). The axis has one
tick at the centre of each bar, labelled by the period: the month ("Jan"), or a week's Monday and a day by their date
("Jan 5"), with the year on a second line under the first label and wherever the year changes. When the labels
would not fit side by side (measured in the tick labels' font at draw time, so a narrow axes or a long span is
labelled too), every 2nd, 3rd... period is labelled instead (months in steps that divide the year: every quarter
starts on January), so labels never touch.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.ticker import Formatter, Locator

# period code -> (noun, pandas period frequency)
PERIODS = {"D": ("day", "D"), "W": ("week", "W-SUN"), "M": ("month", "M")}
BAR_SHARE = 0.8  # of its period a bar covers: the rest is the gap between neighbours
# how many periods one label may stand for, smallest first (beyond the last: its multiples)
_STEPS = {"D": (1, 2, 7, 14, 28), "W": (1, 2, 4, 13, 26), "M": (1, 2, 3, 4, 6, 12)}
_GAP_EM = 0.6  # the least space between two labels, in the labels' font size (6 pt at 10 pt)


def resolve(code: str) -> tuple[str, str]:
    """(noun, pandas frequency) of a period code ("D", "W", "M"); a clear error for anything else."""
    try:
        return PERIODS[code]
    except KeyError:
        raise ValueError(f"period must be one of {sorted(PERIODS)}, not {code!r}") from None


def bars(starts: pd.DatetimeIndex, code: str) -> tuple[np.ndarray, np.ndarray]:
    """(centres as datetime64, widths in days) of the bars of the periods starting at ``starts``."""
    spans = pd.DatetimeIndex(starts).to_period(resolve(code)[1])
    begin, end = spans.start_time, (spans + 1).start_time
    length = end - begin
    return (begin + length / 2).to_numpy(), (length / pd.Timedelta(days=1)).to_numpy() * BAR_SHARE


def label_lines(day: pd.Timestamp, code: str) -> tuple[str, str]:
    """A period's label: its first line (the month, or the date) and its year."""
    first = f"{day:%b}" if code == "M" else f"{day:%b} {day.day}"
    return first, f"{day.year}"


def _period_start(value: float, code: str) -> pd.Timestamp:
    """The start of the period a date number (a tick at a bar's centre) falls in."""
    return pd.Timestamp(mdates.num2date(value)).tz_localize(None).to_period(resolve(code)[1]).start_time


def period_labels(starts: Sequence[pd.Timestamp], code: str) -> list[str]:
    """The labels of the periods starting at ``starts``, in order: the year under the first and wherever it changes."""
    labels, previous = [], None
    for start in starts:
        first, year = label_lines(start, code)
        labels.append(first if year == previous else f"{first}\n{year}")
        previous = year
    return labels


class PeriodLocator(Locator):
    """A tick at the centre of every period from ``starts``, or of every k-th one when the labels would touch."""

    def __init__(self, starts: pd.DatetimeIndex, code: str) -> None:
        self.starts = pd.DatetimeIndex(starts)
        self.code = code
        self.centres = mdates.date2num(bars(self.starts, code)[0])

    def __call__(self) -> np.ndarray:
        return self.tick_values(None, None)

    def tick_values(self, vmin: float | None, vmax: float | None) -> np.ndarray:
        """The centres of the periods labelled at the step that fits."""
        return self.centres[self.labelled(self.step())]

    def labelled(self, step: int) -> np.ndarray:
        """Which periods carry a label when one stands for ``step`` periods: months in calendar steps (every quarter
        from January, every other year...), days and weeks every ``step``-th from the first."""
        if self.code == "M":
            aligned = (self.starts.year * 12 + self.starts.month - 1) % step == 0
            if aligned.any():
                return aligned
        return np.arange(len(self.starts)) % step == 0

    def step(self) -> int:
        """The fewest periods per label with which neighbouring labels, as wide as they are drawn, keep a gap on the
        axis as it is laid out now."""
        if self.axis is None or len(self.starts) < 2:
            return 1
        font = FontProperties(size=mpl.rcParams["xtick.labelsize"])
        measure, widths = TextToPath(), {}

        def width(label: str) -> float:
            for line in label.split("\n"):
                if line not in widths:
                    widths[line] = measure.get_text_width_height_descent(line, font, ismath=False)[0]
            return max(widths[line] for line in label.split("\n"))

        axes = self.axis.axes
        points = axes.transData.transform(np.column_stack([self.centres, np.zeros_like(self.centres)]))[:, 0]
        points = points * 72 / axes.figure.dpi  # the font is measured in points
        gap = _GAP_EM * font.get_size_in_points()
        steps = _STEPS[self.code]
        candidates = [*steps, *(steps[-1] * k for k in range(2, len(self.starts) // steps[-1] + 2))]
        for step in candidates:
            keep = self.labelled(step)
            sizes = [width(label) for label in period_labels(self.starts[keep], self.code)]
            room = np.diff(points[keep])
            if all(room[i] >= (sizes[i] + sizes[i + 1]) / 2 + gap for i in range(len(room))):
                return step
        return candidates[-1]


class PeriodFormatter(Formatter):
    """Labels of the ticks :class:`PeriodLocator` places: the period, and its year under the first and wherever the
    year changes."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __call__(self, x: float, pos: int | None = None) -> str:
        first, year = label_lines(_period_start(x, self.code), self.code)
        return f"{first} {year}"  # one tick's label alone (the cursor's position) names the year

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        """Every tick's label at once (see :func:`period_labels`)."""
        return period_labels([_period_start(value, self.code) for value in values], self.code)


def period_axis(ax: Axes, starts: pd.DatetimeIndex, code: str) -> None:
    """Put the ticks and labels of the periods starting at ``starts`` (bars drawn at :func:`bars`) on ``ax``."""
    ax.xaxis.set_major_locator(PeriodLocator(starts, code))
    ax.xaxis.set_major_formatter(PeriodFormatter(code))
