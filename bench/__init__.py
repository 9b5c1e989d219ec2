"""Benchmarks run by `make bench` (`python -m bench`).

A benchmark module exposes `run(report: Report) -> None`, builds its data at realistic size
with a fixed seed, and calls `report(...)` once per figure. Each figure is compared with a
baseline measured in the same run (the naive algorithm), as a ratio where > 1 means the
figure is better than the baseline, and checked against its targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Report", "Result", "format_header", "format_row"]


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    baseline: float | None = None  # the same figure for the naive algorithm
    higher_is_better: bool = True
    target: float | None = None  # worst acceptable value
    target_ratio: float | None = None  # smallest acceptable ratio

    @property
    def ratio(self) -> float | None:
        """How many times better than the baseline (> 1: better)."""
        if self.baseline is None or self.baseline == 0 or self.value == 0:
            return None
        return self.value / self.baseline if self.higher_is_better else self.baseline / self.value

    @property
    def met(self) -> bool:
        ok = True
        if self.target is not None:
            ok = self.value >= self.target if self.higher_is_better else self.value <= self.target
        if self.target_ratio is not None:
            ok = ok and self.ratio is not None and self.ratio >= self.target_ratio
        return ok

    @property
    def target_text(self) -> str:
        parts = []
        if self.target is not None:
            parts.append(f"{'>=' if self.higher_is_better else '<='} {_number(self.target)}")
        if self.target_ratio is not None:
            parts.append(f"ratio >= {self.target_ratio:g}")
        return ", ".join(parts)


class Report(Protocol):
    def __call__(
        self,
        *,
        name: str,
        value: float,
        unit: str,
        baseline: float | None = None,
        higher_is_better: bool = True,
        target: float | None = None,
        target_ratio: float | None = None,
    ) -> None: ...


def _number(x: float | None) -> str:
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


_COLUMNS = (("benchmark", 52), ("figure", 12), ("unit", 9), ("baseline", 10), ("ratio", 8))


def format_header() -> str:
    head = "".join(
        f"{title:<{width}}" if i < 1 else f"{title:>{width}}"
        for i, (title, width) in enumerate(_COLUMNS)
    )
    return f"{head}  {'target':<26}status\n{'-' * (len(head) + 34)}"


def format_row(result: Result) -> str:
    ratio = result.ratio
    cells = (
        result.name,
        _number(result.value),
        result.unit,
        _number(result.baseline),
        "-" if ratio is None else f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.3g}x",
    )
    row = "".join(
        f"{cell:<{width}}" if i < 1 else f"{cell:>{width}}"
        for i, (cell, (_, width)) in enumerate(zip(cells, _COLUMNS, strict=True))
    )
    status = "" if not result.target_text else "ok" if result.met else "MISSED"
    return f"{row}  {result.target_text:<26}{status}"
