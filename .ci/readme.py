"""Build README.rst from __manifest__.py and the readme/*.md fragments.

A test-time tool (standard library only), run by ``make readme``. It reads the
Markdown subset the fragments use: headings, paragraphs, bullet and numbered
lists (nested blocks indented under their item), bold, italic, inline code,
links, indented or fenced code blocks and pipe tables.

    python3 .ci/readme.py            # write README.rst
    python3 .ci/readme.py --check    # exit 1 when README.rst is not up to date
"""

import ast
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (file name, section title); a missing or empty fragment leaves its section out
SECTIONS = [
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("DEVELOP.md", "Development"),
]
LICENSE_URLS = {
    "AGPL-3": "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
    "LGPL-3": "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    "GPL-3": "http://www.gnu.org/licenses/gpl-3.0-standalone.html",
}
# underline of a Markdown heading of level 1, 2, 3... inside a section
HEADING_UNDERLINES = '-~^"'
GENERATED_NOTE = (
    ".. This file is generated from __manifest__.py and readme/*.md by\n"
    "   .ci/readme.py: edit those and run 'make readme'."
)

BULLET = re.compile(r"^([-*+]) +")
NUMBER = re.compile(r"^(\d+)[.)] +")
HEADING = re.compile(r"^(#{1,6}) +(.*?) *#*$")
FENCE = re.compile(r"^(```|~~~)")
TABLE_RULE = re.compile(r"^\|? *:?-+:? *(\| *:?-+:? *)*\|? *$")
INLINE = re.compile(
    r"(?P<code>(?P<ticks>`+)(?P<literal>.+?)(?P=ticks))"
    r"|(?P<link>\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]+)\))",
    re.DOTALL,
)


def inline(text):
    """Markdown inline markup as reStructuredText (bold and italic read alike)."""

    def replace(match):
        if match.group("code"):
            return "``%s``" % match.group("literal").strip()
        return "`%s <%s>`__" % (match.group("text"), match.group("url"))

    return INLINE.sub(replace, text)


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _is_blank(line):
    return not line.strip()


def _starts_block(line):
    stripped = line.strip()
    return bool(
        BULLET.match(stripped)
        or NUMBER.match(stripped)
        or HEADING.match(stripped)
        or FENCE.match(stripped)
        or stripped.startswith("|")
    )


def _item_lines(lines, start, width):
    """The lines of the list item starting at ``start``, dedented by ``width``,
    and the index after it (lazy continuation lines of a paragraph included)."""
    body = [lines[start][width:]]
    index = start + 1
    while index < len(lines):
        line = lines[index]
        if _is_blank(line):
            following = next(
                (item for item in lines[index:] if not _is_blank(item)), None
            )
            if following is None or _indent(following) < width:
                break
            body.append("")
        elif _indent(line) >= width:
            body.append(line[width:])
        elif not _is_blank(body[-1]) and not _starts_block(line):
            body.append(line.strip())  # lazy continuation of the paragraph
        else:
            break
        index += 1
    return body, index


def _table(rows, rule):
    """A pipe table as a list-table; the dashes of each column of the rule under
    the header give its relative width (as pandoc reads them)."""
    cells = [
        [inline(cell.strip()) for cell in row.strip().strip("|").split("|")]
        for row in rows
    ]
    dashes = [cell.count("-") for cell in rule.strip().strip("|").split("|")]
    total = sum(dashes) or 1
    widths = [max(1, round(100 * count / total)) for count in dashes]
    out = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: %s" % " ".join(str(width) for width in widths),
        "",
    ]
    for row in cells:
        for col, cell in enumerate(row):
            out.append(("   * - " if col == 0 else "     - ") + cell)
    return out


def _list(lines, start):
    """A bullet or numbered list from ``start``: its lines and the index after it."""
    out = []
    index = start
    loose = False  # a blank line, or blocks of more than a paragraph, between items
    numbered = bool(NUMBER.match(lines[start]))
    pattern = NUMBER if numbered else BULLET
    while index < len(lines):
        match = pattern.match(lines[index])
        if not match:
            break
        body, index = _item_lines(lines, index, match.end())
        blocks = render(body)
        marker = "#. " if numbered else "* "
        if out and (loose or len(blocks) > 1):
            out.append("")
        item = []
        for number, line in enumerate(_join(blocks)):
            prefix = marker if number == 0 else " " * len(marker)
            item.append(prefix + line if line else "")
        out.extend(item)
        loose = len(blocks) > 1 or (index < len(lines) and _is_blank(lines[index]))
        following = index
        while following < len(lines) and _is_blank(lines[following]):
            following += 1
        if following < len(lines) and pattern.match(lines[following]):
            index = following
        else:
            break
    return out, index


def _join(blocks):
    lines = []
    for block in blocks:
        if lines:
            lines.append("")
        lines.extend(block)
    return lines


def render(lines):
    """reStructuredText blocks (lists of lines) of Markdown ``lines``."""
    blocks = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if _is_blank(line):
            index += 1
        elif HEADING.match(stripped):
            level, title = HEADING.match(stripped).groups()
            title = inline(title)
            underline = HEADING_UNDERLINES[max(len(level) - 2, 0)]
            blocks.append([title, underline * len(title)])
            index += 1
        elif FENCE.match(stripped):
            fence = FENCE.match(stripped).group(1)
            code = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(fence):
                code.append(lines[index])
                index += 1
            index += 1
            blocks.append(_code(blocks, code))
        elif _indent(line) >= 4:
            code = []
            while index < len(lines) and (
                _is_blank(lines[index]) or _indent(lines[index]) >= 4
            ):
                code.append(lines[index][4:])
                index += 1
            while code and _is_blank(code[-1]):
                code.pop()
            blocks.append(_code(blocks, code))
        elif stripped.startswith("|"):
            rows, rule = [], ""
            while index < len(lines) and lines[index].strip().startswith("|"):
                if TABLE_RULE.match(lines[index].strip()) and not rule:
                    rule = lines[index]
                else:
                    rows.append(lines[index])
                index += 1
            blocks.append(_table(rows, rule))
        elif BULLET.match(line) or NUMBER.match(line):
            block, index = _list(lines, index)
            blocks.append(block)
        else:
            paragraph = [stripped]
            index += 1
            while (
                index < len(lines)
                and not _is_blank(lines[index])
                and not _starts_block(lines[index])
            ):
                paragraph.append(lines[index].strip())
                index += 1
            blocks.append(inline("\n".join(paragraph)).split("\n"))
    return blocks


def _code(blocks, code):
    """A literal block; the paragraph before it ends in '::' when it ended in ':'."""
    if blocks and blocks[-1] and blocks[-1][-1].endswith(":"):
        blocks[-1][-1] += ":"
        return ["    " + line if line else "" for line in code]
    return ["::", "", *("    " + line if line else "" for line in code)]


def fragment(name):
    path = ROOT / "readme" / name
    if not path.is_file():
        return []
    return render(path.read_text(encoding="utf-8").splitlines())


def _section(title, underline, blocks):
    return [[title, underline * len(title)], *blocks] if blocks else []


def build():
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text(encoding="utf-8"))
    name = manifest["name"]
    license_name = manifest["license"]
    badge = "https://img.shields.io/badge/license-%s-blue.png" % license_name.replace(
        "-", "--"
    )
    blocks = [
        ["=" * len(name), name, "=" * len(name)],
        GENERATED_NOTE.split("\n"),
        [
            ".. |badge1| image:: %s" % badge,
            "    :target: %s" % LICENSE_URLS.get(license_name, manifest["website"]),
            "    :alt: License: %s" % license_name,
        ],
        ["|badge1|"],
        ["*%s*" % manifest["summary"]],
        *fragment("DESCRIPTION.md"),
        ["**Table of contents**"],
        [".. contents::", "   :local:"],
    ]
    for file_name, title in SECTIONS:
        blocks += _section(title, "=", fragment(file_name))
    credits = _section("Contributors", "-", fragment("CONTRIBUTORS.md"))
    blocks += _section("Credits", "=", credits)
    return "\n".join(_join(blocks)) + "\n"


def main(argv):
    readme = ROOT / "README.rst"
    text = build()
    if "--check" in argv:
        if readme.read_text(encoding="utf-8") != text:
            print("README.rst is not what readme/*.md make of it: run 'make readme'.")
            return 1
        return 0
    readme.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
