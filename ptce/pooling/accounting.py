"""Costs, allocation rules, periods, statements and adjustments of a hub's pooling: one
import for callers, the code being split by responsibility:

* `ptce.pooling.periods`: open a period, its lock, the closed-period rule, observers' totals;
* `ptce.pooling.costs`: amounts (`euros`, `parse_amount`), costs entered or imported from CSV;
* `ptce.pooling.statements`: allocation rules, statements, closing a period, adjustments.

The maths is `ptce.pooling.allocation` (pure): every resource's cost for a period is split
between the organisations that share it, in integer cents that add up exactly to the cost.
A period is computed as often as wanted while open; closing computes it one last time and
locks it (no cost, usage or statement change); later corrections are `Adjustment` entries.
"""

from __future__ import annotations

from collections.abc import Callable

from ptce.pooling.costs import (
    AMOUNT,
    HEADERS,
    MAX_IMPORT_ROWS,
    CostImport,
    CostRow,
    delete_cost,
    euros,
    import_costs,
    parse_amount,
    read_costs,
    record_cost,
)
from ptce.pooling.periods import (
    locked,
    open_period,
    period_end,
    period_totals,
    require_open,
)
from ptce.pooling.statements import (
    SHAPLEY_PERMUTATIONS,
    UNIT_OF,
    Share,
    add_adjustment,
    allocate,
    close_period,
    compute_statements,
    set_allocation_rule,
)

Formatter = Callable[[int], str]

__all__ = [
    "AMOUNT",
    "HEADERS",
    "MAX_IMPORT_ROWS",
    "SHAPLEY_PERMUTATIONS",
    "UNIT_OF",
    "CostImport",
    "CostRow",
    "Formatter",
    "Share",
    "add_adjustment",
    "allocate",
    "close_period",
    "compute_statements",
    "delete_cost",
    "euros",
    "import_costs",
    "locked",
    "open_period",
    "parse_amount",
    "period_end",
    "period_totals",
    "read_costs",
    "record_cost",
    "require_open",
    "set_allocation_rule",
]
