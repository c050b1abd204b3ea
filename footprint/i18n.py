"""French and English for what people read: gettext catalogues, and numbers, dates and units per language.

Texts are written in English in the code, marked ``_("...")``, and translated
by the standard gettext catalogue ``footprint/locale/<lang>/LC_MESSAGES/footprint.po``
(read by :mod:`gettext`; the ``.po`` file is compiled to the binary ``.mo``
form in memory by :func:`compile_po`, so no compiled file can fall out of date).
English needs no catalogue (the message ids are the English texts).

Numbers follow the language's typography: in French a decimal comma and a
narrow no-break space (U+202F) between thousands and before ``%``; in English a
decimal point and a comma between thousands.

References
----------
.. [1] GNU gettext manual, "The Format of GNU MO Files" (section 10.3) and "The Format of PO Files" (3).
.. [2] Imprimerie nationale, *Lexique des règles typographiques en usage à l'Imprimerie nationale* (2002):
   decimal comma, thin space between groups of three digits.
"""

from __future__ import annotations

import ast
import functools
import gettext
import io
import math
import re
import struct
from pathlib import Path

LANGUAGES = ("fr", "en")
DOMAIN = "footprint"
LOCALE_DIR = Path(__file__).with_name("locale")
NNBSP = "\u202f"  # narrow no-break space
#: Words inside units that are translated (``kWh/year`` -> ``kWh/an``).
UNIT_WORDS = ("year", "day", "task", "request", "billion")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def parse_po(text: str) -> dict:
    """``{msgid: msgstr}`` of a PO catalogue (singular messages; comments and fuzzy entries skipped).

    >>> parse_po('msgid "Status"\\nmsgstr "Statut"\\n\\n#, fuzzy\\nmsgid "a"\\nmsgstr "b"\\n')
    {'Status': 'Statut'}
    """
    out, entry, key, fuzzy = {}, {}, None, False

    def flush():
        if "msgid" in entry and "msgstr" in entry and not fuzzy and (entry["msgstr"] or entry["msgid"] == ""):
            out[entry["msgid"]] = entry["msgstr"]

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                if "msgid" in entry:
                    flush()
                    entry, key = {}, None
                fuzzy = True
            continue
        m = re.match(r'^(msgid|msgstr)\s+(".*")$', line)
        if m:
            if m.group(1) == "msgid" and "msgid" in entry:
                flush()
                entry, fuzzy = {}, False
            key = m.group(1)
            entry[key] = ast.literal_eval(m.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
        else:
            raise ValueError(f"PO catalogue: cannot read the line {raw!r}")
    flush()
    return out


def compile_po(messages: dict) -> bytes:
    """The GNU MO file of ``{msgid: msgstr}`` (little-endian, no hash table).

    >>> t = gettext.GNUTranslations(io.BytesIO(compile_po({"": "Content-Type: text/plain; charset=UTF-8\\n",
    ...                                                    "year": "an"})))
    >>> t.gettext("year")
    'an'
    """
    keys = sorted(messages)
    ids = [k.encode("utf-8") for k in keys]
    strs = [messages[k].encode("utf-8") for k in keys]
    n = len(keys)
    header = 7 * 4
    ids_table = header
    strs_table = ids_table + 8 * n
    data_start = strs_table + 8 * n
    offsets_ids, offsets_strs, blob = [], [], b""
    for b in ids:
        offsets_ids.append((len(b), data_start + len(blob)))
        blob += b + b"\0"
    for b in strs:
        offsets_strs.append((len(b), data_start + len(blob)))
        blob += b + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, n, ids_table, strs_table, 0, 0)
    out += b"".join(struct.pack("<2I", *o) for o in offsets_ids)
    out += b"".join(struct.pack("<2I", *o) for o in offsets_strs)
    return out + blob


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=None)
def translation(lang: str) -> gettext.NullTranslations:
    """The gettext translations of `lang` (``en``: the message ids themselves)."""
    check_language(lang)
    if lang == "en":
        return gettext.NullTranslations()
    text = catalogue_path(lang).read_text(encoding="utf-8")
    return gettext.GNUTranslations(io.BytesIO(compile_po(parse_po(text))))


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        from .errors import InputError

        raise InputError(f"--lang: unknown language '{lang}'; valid: {', '.join(LANGUAGES)}")
    return lang


def number(x, lang: str = "en", digits: int = 3) -> str:
    """`x` with `digits` significant figures (whole numbers kept whole), in the language's typography.

    >>> number(12871.83, "fr"), number(12871.83, "en")
    ('12\u202f872', '12,872')
    >>> number(2000, "en", 6), number(2.5, "en", 6)
    ('2,000', '2.50000')
    >>> number(0.13522, "fr"), number(1.5e-5, "fr"), number(None, "fr")
    ('0,135', '1,50\u202f×\u202f10⁻⁵', '–')
    >>> number(30 / 86400 * 86400), number(29.5)  # a whole number back from a unit conversion is whole
    ('30', '29.5')
    """
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    x = float(x)
    ax = abs(x)
    if ax == 0:
        return "0"
    if ax >= 1 and abs(x - round(x)) <= 1e-9 * ax:
        x = float(round(x))
    if 1e-3 <= ax < 1e12:
        decimals = 0 if (ax >= 1 and x == int(x)) else max(0, digits - 1 - int(math.floor(math.log10(ax))))
        text = f"{x:,.{decimals}f}"
    else:
        mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
        sup = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        text = f"{mantissa}{NNBSP}×{NNBSP}10{sup}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def percent(p, lang: str = "en") -> str:
    """A probability as a percentage.

    >>> percent(0.905, "fr"), percent(0.905, "en")
    ('90\u202f%', '90%')
    """
    if p is None:
        return "–"
    text = f"{float(p):.0%}"
    return text.replace("%", f"{NNBSP}%") if lang == "fr" else text


class Language:
    """Everything language-dependent of one output: ``_`` (gettext), numbers, dates, units."""

    def __init__(self, lang: str):
        self.lang = check_language(lang)
        self._t = translation(lang)

    def __call__(self, text: str) -> str:
        return self._t.gettext(text)

    def number(self, x, digits: int = 3) -> str:
        return number(x, self.lang, digits)

    def percent(self, p) -> str:
        return percent(p, self.lang)

    def date(self, iso: str | None) -> str:
        """``2025-03-14`` as ``14 mars 2025`` / ``14 March 2025``; '–' when absent."""
        if not iso:
            return "–"
        y, m, d = (int(x) for x in str(iso)[:10].split("-"))
        month = self(MONTHS[m - 1])
        return f"{'1er' if (d == 1 and self.lang == 'fr') else d} {month} {y}"

    def unit(self, unit: str) -> str:
        """A unit as people read it: ``kgCO2e/year`` -> ``kg CO2e/an`` in French, ``kg CO2e/year`` in English."""
        u = re.sub(r"^((?:k|M|G|T|m|)g|t)CO2e", r"\1 CO2e", unit or "")
        u = u.replace("CO2e", "CO₂e")
        u = re.sub(r"(?<![A-Za-z])(" + "|".join(UNIT_WORDS) + r")(?![A-Za-z])", lambda m: self(m.group(1)), u)
        return u
