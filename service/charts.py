"""Charts for letters: this pupil's sessions missed beside the class average (seed 004 App. 4)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def sessions_missed(
    pupil_label: str, pupil_missed: float, class_label: str, class_average: float, title: str
) -> bytes:
    """Return a small PNG bar chart; the same numbers give the same bytes (no timestamps)."""
    figure = Figure(figsize=(5.0, 2.6), dpi=150)
    axes = figure.subplots()
    bars = axes.bar(
        [pupil_label, class_label], [pupil_missed, class_average], color=["#1d70b8", "#b1b4b6"], width=0.5
    )
    axes.bar_label(bars, labels=[f"{pupil_missed:g}", f"{class_average:g}"], padding=2)
    axes.set_title(title, fontsize=10)
    axes.set_ylim(0, max(pupil_missed, class_average, 1) * 1.25)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    plt.close("all")
    return out.getvalue()
