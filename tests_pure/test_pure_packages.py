"""The pure packages must run without Odoo, and the simulator must stay independent."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("procountor_api", "procountor_simulator")


def _imports(path):
    """Top-level module names imported by a file, plus relative-import markers."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # "from ..procountor_api import x" climbs out of the package.
                if node.level > 1 and node.module:
                    yield node.module
                continue
            yield node.module or ""


def _sources(package):
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_no_odoo_imports(package):
    files = _sources(package)
    if not files:
        pytest.skip(f"{package} has no sources yet")
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in _imports(path)
        if name.split(".")[0] == "odoo"
    ]
    assert offenders == []


def test_simulator_never_imports_the_client():
    # The simulator is an independent reading of API_NOTES; sharing code with the
    # client would let one wrong field name pass both sides (STYLE §1).
    files = _sources("procountor_simulator")
    if not files:
        pytest.skip("procountor_simulator has no sources yet")
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in _imports(path)
        if name.split(".")[0] == "procountor_api"
    ]
    assert offenders == []


def test_client_uses_relative_imports_only():
    # An absolute "import procountor_api" inside the package would load a second
    # copy of the exception classes under Odoo, and except clauses would stop matching.
    for path in _sources("procountor_api"):
        names = [
            name for name in _imports(path) if name.split(".")[0] == "procountor_api"
        ]
        assert names == [], path
