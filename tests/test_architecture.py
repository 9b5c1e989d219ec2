"""The layering of ARCHITECTURE.md, enforced: delivery depends on services, never the reverse;
pure modules import no Django."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "ptce"
PURE_MODULES = [
    line.strip()
    for line in (ROOT.parent / "mypy-modules.txt").read_text().splitlines()
    if line.strip()
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def domain_files() -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*.py")
        if p.relative_to(ROOT).parts[0] not in {"web", "api"} and "migrations" not in p.parts
    ]


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_code_never_imports_delivery(path):
    if path.name in {"urls.py"} and path.parent == ROOT:
        return
    bad = {m for m in imported_modules(path) if m.startswith(("ptce.web", "ptce.api"))}
    assert not bad, f"{path} imports delivery modules {bad}"


def ptce_imports(path: Path) -> set[str]:
    """The ptce modules a file imports (`from ptce.x import y` counts as ptce.x.y when y is
    a module, as ptce.x otherwise)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ptce"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ptce"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (ROOT.parent / (candidate.replace(".", "/") + ".py")).exists()
                found.add(candidate if is_module else str(node.module))
    return found


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_import_no_django(module):
    imports = imported_modules(ROOT.parent / module)
    assert not {m for m in imports if m.split(".")[0] == "django"}
    pure = {p.removesuffix(".py").replace("/", ".") for p in PURE_MODULES}
    assert ptce_imports(ROOT.parent / module) <= pure
