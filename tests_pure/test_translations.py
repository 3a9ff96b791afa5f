"""The Finnish and Swedish translations must cover the whole template, faithfully.

Every term of ``i18n/procountor_connector.pot`` needs a translation in each
language file, with the same placeholders, HTML tags and line breaks, and
with the template's reference comments (Odoo loads a term as a model term or
as a code term according to them). A language file may not keep terms that
the template no longer has.
"""

import ast
import collections
import pathlib
import re

import pytest

I18N = pathlib.Path(__file__).resolve().parent.parent / "i18n"
TEMPLATE = I18N / "procountor_connector.pot"
LANGUAGES = ("fi", "sv")

Entry = collections.namedtuple("Entry", "msgid msgstr comments flags line")

# %(name)s, %s, %d, %r, %%; {name} / {0} / {}; HTML tags by name and attribute names.
_PRINTF = re.compile(r"%(?:\([A-Za-z0-9_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")
_BRACES = re.compile(r"\{[A-Za-z0-9_]*\}")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^>]*)>")
_ATTRIBUTE = re.compile(r"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=")


def _unquote(line):
    # PO strings use C escapes, which Python string literals read the same way.
    return ast.literal_eval(line)


def parse_po(path):
    """Entries of a PO file, in order; the header entry (empty msgid) first."""
    entries = []
    comments, flags = [], []
    field, current = None, {}
    start = None

    def flush():
        nonlocal comments, flags, current, field
        if "msgid" in current:
            entries.append(
                Entry(
                    current["msgid"],
                    current.get("msgstr", ""),
                    tuple(comments),
                    tuple(flags),
                    start,
                )
            )
        comments, flags, current, field = [], [], {}, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#,"):
            flags.extend(flag.strip() for flag in line[2:].split(","))
        elif line.startswith(("#.", "#:")):
            comments.append(line)
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgstr ", "msgctxt ")):
            if line.startswith("msgid ") and "msgid" in current:
                flush()
            field, _sep, value = line.partition(" ")
            if field == "msgid":
                start = number
            current[field] = _unquote(value)
        elif line.startswith('"') and field:
            current[field] += _unquote(line)
        else:
            raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
    flush()
    return entries


def _header(entries):
    assert entries and entries[0].msgid == "", "the file has no header entry"
    fields = {}
    for line in entries[0].msgstr.splitlines():
        key, _sep, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def placeholders(text):
    """What a translation must carry over unchanged, as a multiset."""
    found = collections.Counter()
    found.update(("printf", m.group(0)) for m in _PRINTF.finditer(text))
    found.update(("braces", m.group(0)) for m in _BRACES.finditer(text))
    for closing, tag, rest in _TAG.findall(text):
        found[("tag", closing + tag.lower())] += 1
        found.update(
            ("attribute", tag.lower(), name.lower())
            for name in _ATTRIBUTE.findall(rest)
        )
    found[("newlines",)] = text.count("\n")
    return found


def problems(template_entries, language_entries):
    """Plain sentences saying what is wrong with a language file (empty when all is
    well)."""
    found = []
    template = {entry.msgid: entry for entry in template_entries if entry.msgid}
    seen = collections.Counter(entry.msgid for entry in language_entries if entry.msgid)
    found += [f"{msgid!r} appears {n} times" for msgid, n in seen.items() if n > 1]
    translated = {entry.msgid: entry for entry in language_entries if entry.msgid}
    for msgid, entry in translated.items():
        if msgid not in template:
            found.append(f"line {entry.line}: {msgid!r} is not in the template")
    for msgid, source in template.items():
        entry = translated.get(msgid)
        if entry is None:
            found.append(f"{msgid!r} is missing")
            continue
        if not entry.msgstr.strip():
            found.append(f"line {entry.line}: {msgid!r} has no translation")
            continue
        if "fuzzy" in entry.flags:
            found.append(f"line {entry.line}: {msgid!r} is marked fuzzy")
        if placeholders(msgid) != placeholders(entry.msgstr):
            found.append(
                f"line {entry.line}: {msgid!r} and its translation "
                f"{entry.msgstr!r} differ in placeholders, tags or line breaks"
            )
        if entry.comments != source.comments:
            found.append(
                f"line {entry.line}: {msgid!r} has other reference comments "
                "than the template"
            )
    return found


@pytest.fixture(scope="module")
def template_entries():
    return parse_po(TEMPLATE)


def test_template_has_terms(template_entries):
    # Guards the parser: an empty result would make every other check pass.
    assert len([entry for entry in template_entries if entry.msgid]) > 400


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translation_covers_template(template_entries, lang):
    entries = parse_po(I18N / f"{lang}.po")
    assert problems(template_entries, entries) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translation_header(lang):
    fields = _header(parse_po(I18N / f"{lang}.po"))
    assert fields.get("Language") == lang
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"
    assert fields.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"


def _finnish_entries():
    entries = parse_po(I18N / "fi.po")
    index = {entry.msgid: i for i, entry in enumerate(entries)}
    return entries, index


def test_check_catches_a_blank_translation(template_entries):
    entries, index = _finnish_entries()
    i = index["Business ID"]
    entries[i] = entries[i]._replace(msgstr="")
    assert problems(template_entries, entries) == [
        f"line {entries[i].line}: 'Business ID' has no translation"
    ]


def test_check_catches_a_changed_placeholder(template_entries):
    entries, index = _finnish_entries()
    i = index["%(partner)s: %(reason)s"]
    entries[i] = entries[i]._replace(msgstr="%(partneri)s: %(reason)s")
    assert len(problems(template_entries, entries)) == 1
    assert "differ in placeholders" in problems(template_entries, entries)[0]


def test_check_catches_a_term_not_in_template(template_entries):
    entries, _index = _finnish_entries()
    entries.append(Entry("Gone from the code", "Poistunut", (), (), 99999))
    assert problems(template_entries, entries) == [
        "line 99999: 'Gone from the code' is not in the template"
    ]


def test_placeholders_see_html_and_line_breaks():
    assert placeholders('<p class="x">%s\n{name}</p>') == placeholders(
        '<p class="y">{name}\n%s</p>'
    )
    assert placeholders("<b>a</b>") != placeholders("a")
    assert placeholders("a\nb") != placeholders("a b")
    assert placeholders("%(a)s") != placeholders("%(b)s")


CODE_DIRS = ("models", "wizards", "controllers", "procountor_api")


def _translation_calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else getattr(func, "id", "")
            )
            if name in ("_", "_lt"):
                yield node


def test_translated_calls_hold_no_f_strings():
    # Odoo's term export reads each string inside a _() call with Babel, which
    # cannot evaluate an f-string there: it gives up on the rest of the file and
    # every later message of that file is left out of the template.
    root = I18N.parent
    offenders = []
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for call in _translation_calls(tree):
                if any(isinstance(node, ast.JoinedStr) for node in ast.walk(call)):
                    offenders.append(f"{path.relative_to(root)}:{call.lineno}")
    assert offenders == []
