"""`python -m bench [module ...]`: run the benchmarks and print their figures.

Add a benchmark by writing `bench/<name>.py` with `run(report)` and listing it in MODULES.
The exit status is 1 when a benchmark fails (an exception, e.g. a wrong answer), or when a
target is missed and `--strict` is given; figures alone never fail `make bench`.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback

from bench import Result, format_header, format_row

MODULES: tuple[str, ...] = (
    "bench.territories",
    "bench.actors_map",
    "bench.pooling_allocation",
    "bench.pooling_bookings",
    "bench.pooling_employees",
    "bench.directory_search",
    "bench.cooperation_synergies",
    "bench.sirene_import",
    "bench.observatory",
    "bench.financing_allotment",
)


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    modules = [m for m in MODULES if not wanted or m.rsplit(".", 1)[-1] in wanted]
    unknown = set(wanted) - {m.rsplit(".", 1)[-1] for m in MODULES}
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    results: list[Result] = []
    failed: list[str] = []

    def report(
        *,
        name: str,
        value: float,
        unit: str,
        baseline: float | None = None,
        higher_is_better: bool = True,
        target: float | None = None,
        target_ratio: float | None = None,
    ) -> None:
        result = Result(name, value, unit, baseline, higher_is_better, target, target_ratio)
        results.append(result)
        print(format_row(result), flush=True)

    print(format_header(), flush=True)
    for module_name in modules:
        started = time.perf_counter()
        try:
            importlib.import_module(module_name).run(report)
        except Exception:
            failed.append(module_name)
            traceback.print_exc()
        print(f"  ({module_name}: {time.perf_counter() - started:.1f} s)", flush=True)

    missed = [r.name for r in results if not r.met]
    if missed:
        print(f"\ntargets missed: {'; '.join(missed)}")
    if failed:
        print(f"\nbenchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 1 if strict and missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
