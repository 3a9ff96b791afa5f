"""Only the client knows Procountor's paths: the Odoo layer and the mapping
modules call its typed methods, so a path changes in one place."""

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The top-level resources of API_NOTES.
RESOURCES = (
    "attachments",
    "bankaccounts",
    "bankstatements",
    "businesspartners",
    "coa",
    "company",
    "currencies",
    "dimensions",
    "fiscalyears",
    "invoices",
    "ledgerreceipts",
    "oauth",
    "payments",
    "products",
    "referencepayments",
    "reports",
    "sessioninfo",
    "users",
    "vats",
    "webhooks",
)
PATH = re.compile(r"^/(%s)(/|\?|$)" % "|".join(RESOURCES))


def _checked_files():
    for folder in ("models", "wizards", "procountor_api"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if re.fullmatch(r"procountor_api/client\w*\.py", name):
                continue
            yield name, path


def _path_literals(path):
    """``(line, text)`` of every string (or f-string start) that is a Procountor
    path."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parts = {
        id(value)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for value in node.values
    }
    for node in ast.walk(tree):
        text = None
        if id(node) in parts:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                text = first.value
        if text is not None and PATH.match(text.strip()):
            yield node.lineno, text


def test_no_procountor_path_outside_the_client():
    offenders = [
        f"{name}:{line}: {text!r}"
        for name, path in _checked_files()
        for line, text in _path_literals(path)
    ]
    assert offenders == []


def test_the_check_sees_paths(tmp_path):
    # The check itself must notice a path, plain or formatted.
    sample = tmp_path / "sample.py"
    sample.write_text(
        'A = "/ledgerreceipts"\nB = f"/invoices/{1}/approve"\nC = "/web"\n',
        encoding="utf-8",
    )
    found = sorted(text for _line, text in _path_literals(sample))
    assert found == ["/invoices/", "/ledgerreceipts"]
