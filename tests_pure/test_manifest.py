"""The manifest's Python dependencies: resolvable the way Odoo checks them,
and named in the README and its fragment."""

import ast
import importlib.metadata
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _python_dependencies():
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text(encoding="utf-8"))
    return manifest["external_dependencies"]["python"]


def _text(*parts):
    return " ".join(ROOT.joinpath(*parts).read_text(encoding="utf-8").split())


def test_stdnum_is_declared():
    # procountor_api checks business IDs, VAT numbers, IBANs and references with it.
    assert "python-stdnum" in _python_dependencies()


@pytest.mark.parametrize("name", _python_dependencies())
def test_dependency_resolves_as_odoo_checks_it(name):
    # Odoo 18 looks the name up as a distribution first (module.py,
    # check_python_external_dependency) and only warns when it is an import name.
    assert importlib.metadata.version(name)


@pytest.mark.parametrize("name", _python_dependencies())
def test_dependency_named_in_readme_and_fragment(name):
    assert f"``{name}``" in _text("README.rst")
    assert f"`{name}`" in _text("readme", "DEVELOP.md")
