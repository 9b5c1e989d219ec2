"""Demo data for `ptce load-demo`: the tables in `data`, the builder in `builder`."""

from ptce.poles.demo.builder import COUNTED, ReferenceMissing, build, summary
from ptce.poles.demo.data import DEMO_DOMAIN, DEMO_PASSWORD, GENERATED_HUBS, REAL_HUBS, REAL_NAMES

__all__ = [
    "COUNTED",
    "DEMO_DOMAIN",
    "DEMO_PASSWORD",
    "GENERATED_HUBS",
    "REAL_HUBS",
    "REAL_NAMES",
    "ReferenceMissing",
    "build",
    "summary",
]
