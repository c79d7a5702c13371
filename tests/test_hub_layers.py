"""The hub's layers, read from its source: imports go downward, and no file grows past 400 lines.

From the bottom: the core (ingest, inventory, alerts, store...), the HTTP
toolkit (``hub/http/``), the slices (each owns its routers, models and
queries), the app that assembles them (``hub/app.py``), the service that runs
it (``hub/service.py``). The rules, each checked on every module's imports
(those inside functions and ``TYPE_CHECKING`` blocks too):

- the toolkit imports no slice, nor the app;
- a slice imports no other slice's router module (one that makes an
  ``APIRouter``), nor the app; it may import another slice's leaf modules
  (views, queries, dependencies);
- the core imports no router module and not the app;
- only ``hub/service.py`` imports the app;
- FastAPI and Starlette are imported only by the toolkit, the app, the
  service, router modules and the few edge helpers named in ``WEB_EDGE``:
  domain code raises domain errors, never HTTP ones.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TOOLKIT = "hub.http"
APP = "hub.app"
SERVICE = "hub.service"
#: slice -> the packages it is made of
SLICES: dict[str, tuple[str, ...]] = {
    "ingest status": ("hub.api.status",),
    "accounts": ("hub.api.accounts",),
    "inventory": ("hub.api.inventory",),
    "alerts": ("hub.api.alerts",),
    "devices": ("hub.api.devices",),
    "notifications": ("hub.api.notify",),
    "epcis": ("hub.api.epcis",),
    "cameras": ("hub.api.cameras",),
    "stock": ("hub.api.stock",),
    "reorder": ("hub.forecast",),
    "kiosk API": ("hub.assistant", "hub.recommend"),
    "privacy": ("hub.privacy",),
    "dashboard": ("hub.web",),
    "kiosk page": ("hub.kiosk_page",),
    "tags": ("hub.api.tags",),
    "fresh": ("hub.api.fresh",),
    "numbers": ("hub.api.kpis",),
    "markdowns": ("hub.api.markdowns",),
}
#: modules of a slice that speak HTTP without being routers: they may import FastAPI
WEB_EDGE = frozenset({"hub.forecast.forms", "hub.forecast.responses", "hub.privacy.deps", "hub.web",
                      "hub.web.render", "hub.web.i18n"})
WEB_FRAMEWORKS = ("fastapi", "starlette")
MAX_LINES = 400
#: Files still over MAX_LINES while they are being split (none since issue 18 merged); the list only shrinks.
KNOWN_OVER: frozenset[str] = frozenset()
#: Our own source; data files (YAML tables, JSON catalogs) are not counted.
SOURCE_SUFFIXES = (".py", ".js", ".css", ".html")


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    imports: frozenset[str]
    makes_router: bool


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_modules(root: Path, package: str = "hub") -> dict[str, Module]:
    """Every module of ``package`` under ``root`` with what it imports (``from a import b`` counts as ``a.b`` when
    ``b`` is a module) and whether it makes an ``APIRouter``."""
    paths = sorted((root / package).rglob("*.py"))
    names = {module_name(root, p) for p in paths}
    modules = {}
    for path in paths:
        name = module_name(root, path)
        tree = ast.parse(path.read_text(), filename=str(path))
        imports: set[str] = set()
        makes_router = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imports.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imports.add(node.module)
                imports.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in names)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id == "APIRouter"):
                makes_router = True
        modules[name] = Module(name, path, frozenset(imports), makes_router)
    return modules


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def slice_of(name: str) -> str | None:
    return next((s for s, packages in SLICES.items() if any(within(name, p) for p in packages)), None)


def layer_of(name: str) -> str:
    if within(name, TOOLKIT):
        return "toolkit"
    if name in (APP, SERVICE):
        return name
    return "slice" if slice_of(name) else "core"


def violations(modules: dict[str, Module]) -> Iterator[str]:
    routers = {m.name for m in modules.values() if m.makes_router}
    for module in modules.values():
        layer = layer_of(module.name)
        for target in sorted(module.imports):
            if not within(target, "hub"):
                if any(within(target, f) for f in WEB_FRAMEWORKS) and layer in ("core", "slice") \
                        and module.name not in routers and module.name not in WEB_EDGE:
                    yield f"{module.name} imports {target}: only the web edge speaks HTTP (raise a domain error)"
                continue
            if within(target, APP) and module.name != SERVICE:
                yield f"{module.name} imports the app ({target}): only {SERVICE} does"
            elif layer == "toolkit" and slice_of(target):
                yield f"{module.name} (toolkit) imports {target}, of the slice '{slice_of(target)}'"
            elif layer == "slice" and target in routers and slice_of(target) != slice_of(module.name):
                yield (f"{module.name} (slice '{slice_of(module.name)}') imports {target}, a router of the slice "
                       f"'{slice_of(target)}'")
            elif layer == "core" and target in routers:
                yield f"{module.name} (core) imports {target}, a router of the slice '{slice_of(target)}'"


def oversized(root: Path, package: str = "hub") -> dict[str, int]:
    sizes = {}
    for path in sorted((root / package).rglob("*")):
        if path.suffix in SOURCE_SUFFIXES and path.is_file():
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                sizes[path.relative_to(root).as_posix()] = lines
    return sizes


def test_hub_imports_run_downward() -> None:
    modules = read_modules(ROOT)
    assert APP in modules and any(within(m, TOOLKIT) for m in modules)
    assert not list(violations(modules))


def test_every_hub_module_has_a_layer_and_every_slice_a_router() -> None:
    """A slice renamed or moved must be renamed here too, or its rules would silently stop applying."""
    modules = read_modules(ROOT)
    for name, packages in SLICES.items():
        assert any(m.makes_router and slice_of(m.name) == name for m in modules.values()), f"{name}: no router"
        assert all(p in modules for p in packages), f"{name}: a package of {packages} is gone"
    assert set(modules) >= WEB_EDGE, f"modules named in WEB_EDGE are gone: {sorted(WEB_EDGE - set(modules))}"


def test_no_hub_source_file_is_over_400_lines() -> None:
    sizes = oversized(ROOT)
    assert set(sizes) <= KNOWN_OVER, f"over {MAX_LINES} lines (split them): {sizes}"
    # a known file that was split, or moved, leaves the list: it must not come back unnoticed
    assert set(sizes) == KNOWN_OVER, f"no longer over {MAX_LINES}: remove {sorted(KNOWN_OVER - set(sizes))}"


def _tree(root: Path, files: dict[str, str]) -> dict[str, Module]:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return read_modules(root)


def test_the_rules_catch_imports_that_run_back_up(tmp_path: Path) -> None:
    """The checker itself: each kind of upward import in a small tree is named."""
    router = "from fastapi import APIRouter\nrouter = APIRouter()\n"
    modules = _tree(tmp_path, {
        "hub/__init__.py": "",
        "hub/app.py": "from hub.web import pages\n",
        "hub/service.py": "from hub.app import create_app\n",
        "hub/http/__init__.py": "",
        "hub/http/deps.py": "from hub.privacy.deps import Tokens\n",
        "hub/web/__init__.py": "",
        "hub/web/pages.py": router,
        "hub/privacy/__init__.py": "",
        "hub/privacy/deps.py": "",
        "hub/forecast/__init__.py": "",
        "hub/forecast/page.py": router + "from hub.web import pages\n",
        "hub/forecast/schedule.py": "from fastapi import HTTPException\n",
        "hub/ingest.py": "def f():\n    from hub.forecast.page import router\n",
        "hub/cli.py": "import hub.app\n",
    })
    found = sorted(violations(modules))
    assert found == sorted([
        "hub.cli imports the app (hub.app): only hub.service does",
        "hub.forecast.page (slice 'reorder') imports hub.web.pages, a router of the slice 'dashboard'",
        "hub.forecast.schedule imports fastapi: only the web edge speaks HTTP (raise a domain error)",
        "hub.http.deps (toolkit) imports hub.privacy.deps, of the slice 'privacy'",
        "hub.ingest (core) imports hub.forecast.page, a router of the slice 'reorder'",
    ]), found
