"""Read and compile gettext catalogs in pure Python: no GNU gettext needed.

`manage.py compilemessages` needs GNU gettext's msgfmt. The compiled
catalogs (``locale/*/LC_MESSAGES/django.mo``) are therefore kept in the
repository, so that a fresh machine runs the desk in every language without
gettext, and ``tests/test_i18n.py`` uses this module to check that each ``.mo``
says exactly what its ``.po`` says.

On a machine without gettext, after editing translations in a ``.po``::

    uv run python locale/msgfmt.py          # writes every locale/*/LC_MESSAGES/*.mo

(Extracting new strings, ``makemessages``, still needs GNU gettext.)

The compiler follows CPython's ``Tools/i18n/msgfmt.py``: fuzzy and untranslated
entries are left out, as GNU msgfmt leaves them out, and the output is read by
Python's ``gettext.GNUTranslations`` (hence by Django) like msgfmt's own.
"""

from __future__ import annotations

import array
import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

CONTEXT_SEPARATOR = "\x04"


@dataclass
class Entry:
    """One message of a .po file."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    # Index -> text: {0: "..."} for a simple message, {0: ..., 1: ..., ...} for plurals.
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def key(self) -> str:
        """The msgid as a compiled catalog stores it (context first, if any)."""
        if self.msgctxt is None:
            return self.msgid
        return self.msgctxt + CONTEXT_SEPARATOR + self.msgid


def _unquote(text: str, path, number: int) -> str:
    text = text.strip()
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        raise ValueError(f"{path}:{number}: expected a quoted string, got {text!r}")
    # A PO string is a C string literal; Python's literal syntax reads the
    # escapes PO files use (\n \t \" \\ and octal) the same way.
    return ast.literal_eval(text)


def parse_po(path: str | Path) -> list[Entry]:
    """The entries of a .po file, header included (msgid ""), obsolete ones (#~) left out."""
    path = Path(path)
    entries: list[Entry] = []
    entry: Entry | None = None
    section: tuple[str, int] | None = None  # the field that continuation lines extend
    flags: set[str] = set()  # from "#," comments, for the next entry

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        keyword, _, rest = line.partition(" ")
        starts_entry = keyword in ("msgctxt", "msgid") or line.startswith("#")
        if entry is not None and section is not None and section[0] == "msgstr" and starts_entry:
            entries.append(entry)
            entry, section = None, None
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith('"'):
            if entry is None or section is None:
                raise ValueError(f"{path}:{number}: a string that continues nothing")
            name, index = section
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line, path, number)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line, path, number))
            continue
        if entry is None:
            if not starts_entry:
                raise ValueError(f"{path}:{number}: {keyword} before msgid")
            entry, flags = Entry(flags=flags, line=number), set()
        value = _unquote(rest, path, number)
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, keyword, value)
            section = (keyword, 0)
        elif keyword == "msgstr" or (keyword.startswith("msgstr[") and keyword.endswith("]")):
            index = 0 if keyword == "msgstr" else int(keyword[len("msgstr[") : -1])
            entry.msgstr[index] = value
            section = ("msgstr", index)
        else:
            raise ValueError(f"{path}:{number}: unknown keyword {keyword!r}")
    if entry is not None:
        entries.append(entry)
    return entries


def _compiled_msgstr(entry: Entry, index: int) -> str:
    text = entry.msgstr[index]
    if not entry.msgid:
        # Like GNU msgfmt, leave out the header's POT-Creation-Date: the
        # compiled file then changes only when a translation does.
        text = "".join(
            line
            for line in text.splitlines(keepends=True)
            if not line.startswith("POT-Creation-Date:")
        )
    return text


def catalog(entries: list[Entry]) -> dict:
    """What ``gettext.GNUTranslations`` holds once the compiled file is read.

    Keys are msgids (``context\\x04msgid`` with a context), or ``(msgid, n)``
    for the n-th plural form; fuzzy and untranslated entries are left out.
    """
    result: dict = {}
    for entry in entries:
        if entry.fuzzy and entry.msgid:
            continue
        if not entry.translated:
            continue
        if entry.msgid_plural is None:
            result[entry.key] = _compiled_msgstr(entry, 0)
        else:
            for index in sorted(entry.msgstr):
                result[(entry.key, index)] = _compiled_msgstr(entry, index)
    return result


def compile_entries(entries: list[Entry]) -> bytes:
    """The .mo file for `entries` (CPython's msgfmt.py, generate())."""
    messages: dict[bytes, bytes] = {}
    for entry in entries:
        if (entry.fuzzy and entry.msgid) or not entry.translated:
            continue
        msgid = entry.key.encode("utf-8")
        if entry.msgid_plural is None:
            msgstr = _compiled_msgstr(entry, 0).encode("utf-8")
        else:
            msgid += b"\0" + entry.msgid_plural.encode("utf-8")
            msgstr = b"\0".join(entry.msgstr[i].encode("utf-8") for i in sorted(entry.msgstr))
        messages[msgid] = msgstr
    keys = sorted(messages)
    offsets, ids, strs = [], b"", b""
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    # The header is 7 32-bit words; then the two tables of (length, offset)
    # pairs, then the msgids, then the translations. No hash table.
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets, voffsets = [], []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack(
        "Iiiiiii",
        0x950412DE,  # magic
        0,  # version
        len(keys),
        7 * 4,  # start of the key index
        7 * 4 + len(keys) * 8,  # start of the value index
        0,  # size of the hash table
        0,  # offset of the hash table
    )
    return header + array.array("i", koffsets + voffsets).tobytes() + ids + strs


def compile_po(po_path: str | Path, mo_path: str | Path | None = None) -> Path:
    po_path = Path(po_path)
    mo_path = Path(mo_path) if mo_path else po_path.with_suffix(".mo")
    mo_path.write_bytes(compile_entries(parse_po(po_path)))
    return mo_path


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent
    paths = [Path(p) for p in argv] or sorted(root.glob("*/LC_MESSAGES/*.po"))
    for po_path in paths:
        print(f"{po_path} -> {compile_po(po_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
