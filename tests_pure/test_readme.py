"""README.rst is generated from the manifest and readme/*.md (make readme)."""

import importlib.util
import io
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("readme", ROOT / ".ci" / "readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_is_generated_from_the_fragments():
    expected = _generator().build()
    actual = (ROOT / "README.rst").read_text(encoding="utf-8")
    assert actual == expected, (
        "README.rst differs from what readme/*.md and __manifest__.py give: "
        "edit the fragments, then run 'make readme' (python3 .ci/readme.py)."
    )


def test_readme_is_valid_restructuredtext():
    core = pytest.importorskip("docutils.core")  # docutils comes with Odoo
    warnings = io.StringIO()
    core.publish_doctree(
        (ROOT / "README.rst").read_text(encoding="utf-8"),
        settings_overrides={"warning_stream": warnings, "report_level": 1},
    )
    assert warnings.getvalue() == ""


def test_markdown_subset():
    markdown = """\
Text with `code`, **bold**, *italic* and [a link](https://example.com), `over
two lines`:

    make demo

1. first item
   continued
2. second item with a table:

   | Name | Meaning |
   | ---- | ------------ |
   | `a` | *first* |

- a bullet
lazily continued
- another

## A heading
"""
    rst = _generator().render(markdown.splitlines())
    assert rst == [
        [
            "Text with ``code``, **bold**, *italic* and "
            "`a link <https://example.com>`__, ``over",
            "two lines``::",
        ],
        ["    make demo"],
        [
            "#. first item",
            "   continued",
            "",
            "#. second item with a table:",
            "",
            "   .. list-table::",
            "      :header-rows: 1",
            "      :widths: 25 75",
            "",
            "      * - Name",
            "        - Meaning",
            "      * - ``a``",
            "        - *first*",
        ],
        ["* a bullet", "  lazily continued", "* another"],
        ["A heading", "---------"],
    ]
