"""The direction of imports between the packages of webapp/, read from the source with `ast`.

Feature packages answer for their own tables; infrastructure (web/, i18n/) knows no feature;
only the modules that put the site together reach across everything.
"""

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from webapp import ROOT

PACKAGE = ROOT / "webapp"
FEATURES = {"contact", "mail", "staff", "inbox", "retention"}
# Modules that may import anything: the app factory, the start-up checks, /healthz and the
# pages, which put the features together.
ASSEMBLERS = {"webapp", "webapp.startup", "webapp.health", "webapp.pages", "webapp.root_files"}
# What each group may not import (a group is a subpackage, or "top" for the modules at the top).
FORBIDDEN = {
    "web": FEATURES | {"top"},
    "i18n": FEATURES | {"web", "top"},
    "mail": {"contact", "staff", "inbox", "retention"},
    "top": FEATURES | {"web"},
}
# Top-level modules every package may use: the base the features stand on.
BASE = {"atomic_write", "content", "db", "extensions", "office", "paths", "settings"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def group(module: str) -> str:
    """"web" for webapp.web.x, "top" for webapp.pages; a base module is its own group."""
    parts = module.split(".")
    if len(parts) == 1:
        return "top"
    if (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "base" if parts[1] in BASE else "top"


def imports(path: Path) -> set[str]:
    """Every webapp module `path` imports, as absolute names."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from . import x` may name a module: count both the package and its member.
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "webapp" or name.startswith("webapp.")}


def violations(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path)
        if module in ASSEMBLERS:
            continue
        mine = group(module)
        for target in sorted(imports(path)):
            theirs = group(target)
            if theirs != mine and theirs in FORBIDDEN.get(mine, set()) and target not in ASSEMBLERS - {"webapp"}:
                found.append(f"{module} ({mine}) imports {target} ({theirs})")
            if target in ASSEMBLERS and mine != "top" and target != "webapp":
                found.append(f"{module} ({mine}) imports {target}, which puts the site together")
    return found


def test_imports_keep_their_direction():
    assert violations() == []


def test_a_forbidden_import_is_found(tmp_path, monkeypatch):
    # A copy of the package with one import against the direction: web/ reaching into the form.
    copy = tmp_path / "webapp"
    subprocess.run(["cp", "-r", str(PACKAGE), str(copy)], check=True)
    target = copy / "web" / "security.py"
    target.write_text(target.read_text(encoding="utf-8") + "\nfrom ..contact import forms  # noqa\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", copy)
    assert violations(copy) == ["webapp.web.security (web) imports webapp.contact (contact)", "webapp.web.security (web) imports webapp.contact.forms (contact)"]


@pytest.mark.slow
def test_the_wheel_holds_every_package(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
    )
    (wheel,) = tmp_path.glob("webapp-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {module_name(p).replace(".", "/") + "/__init__.py" for p in PACKAGE.rglob("__init__.py")}
    assert packages <= names, sorted(packages - names)
