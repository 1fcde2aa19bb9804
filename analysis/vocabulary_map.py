"""Other directories' vocabularies mapped to the need categories (``data/vocabulary_map.csv``).

UK directories file services under published vocabularies: the LGA's esd Services and
Functions lists, the DfE Family Hubs service categories, Open Eligibility and Outpost's
lists. ``scripts/build_vocabulary_map.py`` decides, for each of their terms, which need
category it is (or that it is broad: too general to decide one), and writes the decisions
to ``data/vocabulary_map.csv``; `load_vocabulary_map` reads that file, and
`vocabulary_codes` turns the way a feed writes a term's vocabulary and id (an esd URI, a
CURIE such as ``esdServiceType:298``, a number with its vocabulary's name, a Family Hubs
GUID) into the keys the file uses.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from analysis.errors import TaxonomyError

BROAD: Final = "broad"
"""What a broad term maps to: no category. Reserved: never a category id."""

ESD_SERVICE: Final = "esd_service"
ESD_FUNCTION: Final = "esd_function"
FAMILY_HUBS: Final = "family_hubs"
OPEN_ELIGIBILITY: Final = "open_eligibility"
OPEN_ELIGIBILITY_SITUATIONS: Final = "open_eligibility_situations"
OUTPOST: Final = "outpost"
VOCABULARIES: Final = (
    ESD_SERVICE,
    ESD_FUNCTION,
    FAMILY_HUBS,
    OPEN_ELIGIBILITY,
    OPEN_ELIGIBILITY_SITUATIONS,
    OUTPOST,
)
"""The vocabularies the map file may name, as its ``vocabulary`` column writes them."""

MAP_COLUMNS: Final = ("vocabulary", "code", "label", "category")
COMMENT: Final = "#"
"""Lines of the map file starting with this are comments (its sources and licences)."""

# A feed's name for a vocabulary, compared as `_name_key`, -> the map's vocabulary.
_VOCABULARY_NAMES: Final[dict[str, str]] = {
    **dict.fromkeys(
        (
            "esdservicetypes",
            "esdservicetype",
            "esdservices",
            "esdservice",
            "esdservicelist",
            "lgsl",
            "englishandwelshservices",
            "localgovernmentserviceslist",
        ),
        ESD_SERVICE,
    ),
    **dict.fromkeys(("esdfunctions", "esdfunction", "lgfl"), ESD_FUNCTION),
    **dict.fromkeys(
        ("familyhubs", "familyhub", "familyhubsservicedirectory", "findsupportforyourfamily"),
        FAMILY_HUBS,
    ),
    **dict.fromkeys(("openeligibility", "openeligibilityservices"), OPEN_ELIGIBILITY),
    "openeligibilitysituations": OPEN_ELIGIBILITY_SITUATIONS,
    "outpost": OUTPOST,
}
_ESD_URI: Final = re.compile(r"id\.esd\.org\.uk/(service|function)/(\d+)", re.IGNORECASE)
_ESD_LIST_URI: Final = re.compile(
    r"esd\.org\.uk/.*list[/=%2F]*(services|englishAndWelshServices|functions)", re.IGNORECASE
)
_CURIE: Final = re.compile(r"([A-Za-z][A-Za-z0-9 _-]*):\s*(\S+)")
_GUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_NON_ALNUM: Final = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class VocabularyTerm:
    """One term of another vocabulary and the need category it stands for.

    Attributes
    ----------
    vocabulary
        One of `VOCABULARIES`, e.g. ``"esd_service"``.
    code
        The term's id in that vocabulary, e.g. ``"298"`` or a Family Hubs GUID.
    label
        The term's name as published, e.g. ``"Carers support groups"``.
    category
        A need category id, or `BROAD` for a term too general to decide one.
    """

    vocabulary: str
    code: str
    label: str
    category: str

    @property
    def key(self) -> tuple[str, str]:
        """``(vocabulary, code)``, the code case-folded (GUIDs are written either way)."""
        return self.vocabulary, self.code.casefold()


def vocabulary_codes(vocabulary: str, code: str) -> tuple[tuple[str, str], ...]:
    """The map keys a feed's term may stand for, given its vocabulary and id as written.

    Parameters
    ----------
    vocabulary
        The feed's name or URI of the term's vocabulary (``"esdServiceTypes"``,
        ``"http://id.esd.org.uk/list/services"``), or ``""``.
    code
        The term's id, code or URI (``"298"``, ``"esdServiceType:298"``,
        ``"http://id.esd.org.uk/service/298"``, a GUID).

    Returns
    -------
    tuple of (vocabulary, code)
        Most specific first; empty when the id belongs to no vocabulary the map knows.

    Notes
    -----
    An esd URI says its vocabulary itself; a CURIE's prefix and a vocabulary's name are
    compared ignoring case, spaces and punctuation and a trailing plural; a GUID is taken
    as a Family Hubs id whatever the vocabulary says (GUIDs are unique), and any other code
    needs a vocabulary the map knows.
    """
    text = code.strip()
    if not text:
        return ()
    uri = _ESD_URI.search(text)
    if uri:
        kind = ESD_SERVICE if uri.group(1).lower() == "service" else ESD_FUNCTION
        return ((kind, uri.group(2)),)
    if _GUID.fullmatch(text):
        return ((FAMILY_HUBS, text.casefold()),)
    curie = _CURIE.fullmatch(text)
    if curie and not text.lower().startswith(("http:", "https:")):
        named = vocabulary_name(curie.group(1))
        if named is not None:
            return ((named, curie.group(2).casefold()),)
    named = vocabulary_name(vocabulary)
    return ((named, text.casefold()),) if named is not None else ()


def vocabulary_name(text: str) -> str | None:
    """The map's vocabulary for a feed's name or URI of one (`VOCABULARIES`), else None."""
    listed = _ESD_LIST_URI.search(text)
    if listed:
        return ESD_FUNCTION if listed.group(1).lower() == "functions" else ESD_SERVICE
    return _VOCABULARY_NAMES.get(_name_key(text))


def _name_key(text: str) -> str:
    return _NON_ALNUM.sub("", text.casefold())


def load_vocabulary_map(path: Path | str) -> tuple[VocabularyTerm, ...]:
    """Read a vocabulary map file (columns `MAP_COLUMNS`; ``#`` lines are comments).

    Raises
    ------
    TaxonomyError
        When the file cannot be read, lacks a column, names a vocabulary other than
        `VOCABULARIES`, or maps one term twice; every problem is listed with its line.
    """
    map_path = Path(path)
    try:
        text = map_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TaxonomyError(
            f"Vocabulary map {map_path} could not be read ({error}). Fix: rebuild it with "
            "python scripts/build_vocabulary_map.py"
        ) from None
    # One term a line: labels hold no line breaks, and a line's number is its record's.
    rows = [
        (number, next(csv.reader([line])))
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not _is_comment(line)
    ]
    if not rows or tuple(name.strip() for name in rows[0][1]) != MAP_COLUMNS:
        raise TaxonomyError(
            f"Vocabulary map {map_path}: the first line that is not a comment must be the "
            f"header {','.join(MAP_COLUMNS)}. Fix: rebuild it with "
            "python scripts/build_vocabulary_map.py"
        )
    terms, problems = _terms(rows[1:])
    if problems:
        raise TaxonomyError(
            f"Vocabulary map {map_path} has problems:\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )
    return terms


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith(COMMENT)


def _terms(
    rows: Iterable[tuple[int, list[str]]],
) -> tuple[tuple[VocabularyTerm, ...], list[str]]:
    """The terms of the map's rows, and the problems of the rows that are not terms."""
    terms: list[VocabularyTerm] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for line, fields in rows:
        if len(fields) != len(MAP_COLUMNS):
            problems.append(
                f"line {line}: {len(fields)} fields, expected {len(MAP_COLUMNS)}. Fix: put "
                "values that contain commas in double quotes"
            )
            continue
        term = VocabularyTerm(*(value.strip() for value in fields))
        if term.vocabulary not in VOCABULARIES:
            problems.append(
                f"line {line}, column vocabulary: {term.vocabulary!r} is not one of "
                f"{', '.join(VOCABULARIES)}. Fix: use one of them"
            )
        elif not term.code or not term.category:
            problems.append(
                f"line {line}: a term needs a code and a category (or {BROAD!r}). Fix: fill "
                "them in or delete the line"
            )
        elif term.key in seen:
            problems.append(
                f"line {line}: {term.vocabulary} {term.code!r} is already mapped on line "
                f"{seen[term.key]}. Fix: keep one line per term"
            )
        else:
            seen[term.key] = line
            terms.append(term)
    return tuple(terms), problems
