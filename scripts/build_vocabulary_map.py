"""Build data/vocabulary_map.csv: UK directory vocabularies mapped to the need categories.

``python scripts/build_vocabulary_map.py [--vocabularies DIR] [--out PATH]``. It reads the
raw vocabularies in ``../shared/data/vocabularies/`` (their sources and licences are in
that folder's SOURCES.md) and the taxonomy (``data/taxonomy.csv``, ``data/broad_terms.csv``),
and writes, for every term that stands for a need category or is broad, one line
``vocabulary,code,label,category``. A term that stands for nothing is left out: a feed's
term of that id falls back to its name. The output is reproducible: the same inputs give
the same bytes, which ``tests/test_build_vocabulary_map.py`` checks.

How a term is decided, first rule that applies (docs/taxonomy.md, "Other vocabularies"):

1. an explicit decision of `DECISIONS` (below, each with its reason);
2. its label is a category's id, label or synonym (that category), or a broad term;
3. in the service-directory vocabularies (`PHRASE_VOCABULARIES`), its label's whole-word
   phrases suggest exactly one category (`analysis.ingest.suggest`);
4. in the hierarchies of `INHERITING`, its parent's category (a child of "Food" is food);
5. a situation of Open Eligibility (who a service is for) is broad;
6. otherwise nothing.

The LGA esd lists are council services of every kind (licences, planning, waste): phrase
matching there files "Food safety inspections" under food, so only rules 1 and 2 apply to
them, and `ESD_SERVICES` lists by category the services for residents that a category
covers.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from analysis.ingest.suggest import phrase_index, suggest_categories  # noqa: E402
from analysis.model import SERVICE_NAME  # noqa: E402
from analysis.taxonomy import Taxonomy  # noqa: E402
from analysis.taxonomy_file import VOCABULARY_MAP_NAME, load_taxonomy  # noqa: E402
from analysis.vocabulary_map import (  # noqa: E402
    BROAD,
    ESD_FUNCTION,
    ESD_SERVICE,
    FAMILY_HUBS,
    MAP_COLUMNS,
    OPEN_ELIGIBILITY,
    OPEN_ELIGIBILITY_SITUATIONS,
    OUTPOST,
    VocabularyTerm,
)

VOCABULARIES_DIR: Final = REPO_ROOT.parent / "shared" / "data" / "vocabularies"
OUT_PATH: Final = REPO_ROOT / "data" / VOCABULARY_MAP_NAME
SOURCE_FILES: Final = {
    ESD_SERVICE: "esd_service_types.csv",
    ESD_FUNCTION: "esd_functions.csv",
    FAMILY_HUBS: "family_hubs_taxonomy.csv",
    OPEN_ELIGIBILITY: "open_eligibility_services.csv",
    OPEN_ELIGIBILITY_SITUATIONS: "open_eligibility_situations.csv",
    OUTPOST: "outpost_default_lists.csv",
}
ATTRIBUTION: Final = (
    "Need categories of UK directory vocabularies, built by scripts/build_vocabulary_map.py "
    "(docs/taxonomy.md). Sources:",
    "esd_service, esd_function: contains public sector information from the Local "
    "Government Association esd-standards Services and Functions lists, licensed under the "
    "Open Government Licence v3.0.",
    "family_hubs: DfE Family Hubs service directory categories, MIT licence, Copyright (c) "
    "2022 Department for Education - Digital; Copyright (c) 2023 Crown Copyright "
    "(Department for Education).",
    "open_eligibility, open_eligibility_situations: Open Eligibility taxonomy v2.0 (c) Aunt "
    "Bertha, Inc., CC BY-SA 3.0 (openeligibility.org); the lines of these vocabularies are "
    "an adaptation, shared under CC BY-SA 3.0.",
    "outpost: Outpost default lists, wearefuturegov/outpost, Apache License 2.0.",
)
NOTHING: Final = ""
"""A decision that a term stands for no category (left out of the map)."""

PHRASE_VOCABULARIES: Final = frozenset(
    {FAMILY_HUBS, OPEN_ELIGIBILITY, OPEN_ELIGIBILITY_SITUATIONS, OUTPOST}
)
"""Vocabularies of human services only, where a label's words say what it is."""
INHERITING: Final = frozenset({FAMILY_HUBS, OPEN_ELIGIBILITY})
"""Hierarchies whose terms meet their parent's need unless their own words say otherwise."""
AUDIENCES: Final = frozenset({OPEN_ELIGIBILITY_SITUATIONS})
"""Vocabularies of who a service is for: broad, unless they name a need."""

# esd Services list (LGA): services for residents that a category covers, by category. The
# list's other 1,400 services (licences, planning, waste, council business) stand for none.
ESD_SERVICES: Final[dict[str, str]] = {
    "food": "4 315 1089",
    "prescriptions": "1547",
    "befriending": "241 640",
    "mental_health": "7 163 328 727 729 730 1284 1373",
    # Benefits, allowances and council tax or housing benefit claims: the help a resident
    # seeks is advice on them, which money advice gives.
    "money_advice": (
        "62 63 64 65 66 67 68 69 70 71 72 73 189 190 269 352 651 671 787 917 1147 1360 "
        "1445 1529 1534 1541 1542 1545 1552 1558 1652"
    ),
    "employment": "52 239 299 343 345 887 1281 1493",
    "housing": (
        "84 89 91 92 103 107 108 109 110 112 116 117 119 132 230 652 665 911 1123 1124 "
        "1148 1154 1714"
    ),
    "domestic_abuse": "164 266 310 731",
    "digital": "442",
    "transport": "3 40 221 272 273 275 276 280 891 901 907 945 1135 1546 1565",
    "carers": "162 225 227 260 298 300 1437",
    "families": (
        "2 8 9 10 12 18 19 20 21 47 50 53 159 160 250 261 263 642 643 700 736 737 831 837 "
        "840 888 893 897 918 919 927 1282 1451 1579 1601 1722 1741"
    ),
    "language": "6 169",
    "physical_health": (
        "180 199 202 204 205 246 264 293 436 924 1395 1402 1428 1434 1441 1442 1462 1746 1747 1749"
    ),
    "practical_help": "130 136 137 147 178 200 271 313 832 833 1054",
    # Generic settings and care of any kind: broad, like their words.
    BROAD: "27 209 242 296 297 312",
}

# Explicit decisions: (vocabulary, code) -> (category, BROAD or NOTHING; why).
DECISIONS: Final[dict[tuple[str, str], tuple[str, str]]] = {
    # esd Functions list: groups of council functions.
    (ESD_FUNCTION, "1"): (BROAD, "advice and benefits, grants and community support together"),
    (ESD_FUNCTION, "2"): ("money_advice", "advice and welfare rights"),
    (ESD_FUNCTION, "5"): ("money_advice", "grants and aid to residents"),
    (ESD_FUNCTION, "24"): (BROAD, "adult education of any kind"),
    (ESD_FUNCTION, "25"): ("families", "early years and childcare"),
    (ESD_FUNCTION, "29"): ("families", "special educational needs (SEND)"),
    (ESD_FUNCTION, "59"): (BROAD, "adult services of any kind"),
    (ESD_FUNCTION, "60"): ("housing", "care homes, supported and sheltered housing"),
    (ESD_FUNCTION, "62"): (BROAD, "a venue, not a need"),
    (ESD_FUNCTION, "63"): ("families", "children and family care"),
    (ESD_FUNCTION, "64"): ("physical_health", "doctors, GPs and hospitals"),
    (ESD_FUNCTION, "65"): ("physical_health", "health and medical advice"),
    (ESD_FUNCTION, "67"): ("housing", "council and community housing"),
    (ESD_FUNCTION, "68"): ("housing", "homelessness and its prevention"),
    (ESD_FUNCTION, "89"): (NOTHING, "food licensing (under Licences, permits and permissions)"),
    (ESD_FUNCTION, "91"): (NOTHING, "transport licensing (under Licences)"),
    (ESD_FUNCTION, "113"): ("transport", "transport schemes for residents"),
    # Family Hubs: services for children and families.
    (FAMILY_HUBS, "4d362474-79cc-449a-bafe-b128ab3b4f63"): (BROAD, "activities of any kind"),
    (FAMILY_HUBS, "e48bd335-ac3c-44ce-a0f7-57c91a823a2f"): (BROAD, "activities of any kind"),
    (FAMILY_HUBS, "94713493-8f49-4e96-8828-13aa12484866"): (
        "money_advice",
        "money, benefits and housing: mostly advice on money and benefits (one category a term)",
    ),
    (FAMILY_HUBS, "75fe2e44-69c8-4da7-b4bd-d2d042acc657"): (BROAD, "public health of any kind"),
    (FAMILY_HUBS, "2b2489d5-aee8-42ef-8c97-d8fcccdb5a8b"): (
        "mental_health",
        "perinatal mental health support",
    ),
    (FAMILY_HUBS, "38bf4fc2-f6b9-4c15-bc07-b03b707659bd"): (
        "families",
        "speech, language and communication needs are SEND, not interpreting",
    ),
    # Open Eligibility services: US human services.
    (OPEN_ELIGIBILITY, "1104"): (BROAD, "goods of any kind"),
    (OPEN_ELIGIBILITY, "1105"): ("transport", "transit"),
    (OPEN_ELIGIBILITY, "1111"): (BROAD, "legal help of any kind"),
    (OPEN_ELIGIBILITY, "1113"): ("money_advice", "emergency payments"),
    (OPEN_ELIGIBILITY, "1121"): ("housing", "emergency shelter"),
    (OPEN_ELIGIBILITY, "1124"): ("domestic_abuse", "help to escape violence"),
    (OPEN_ELIGIBILITY, "1126"): ("mental_health", "psychiatric emergency services"),
    (OPEN_ELIGIBILITY, "1127"): (NOTHING, "community gardens grow food; no help at home"),
    (OPEN_ELIGIBILITY, "1167"): ("food", "personal care items are essentials"),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1169", "1203", "1240")),
        ("physical_health", "medical supplies"),
    ),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1170", "1208")),
        ("physical_health", "assistive technology is disability equipment"),
    ),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1176", "1205", "1242")),
        ("transport", "transportation for healthcare"),
    ),
    (OPEN_ELIGIBILITY, "1184"): ("physical_health", "dental care"),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1185", "1287")),
        ("physical_health", "end-of-life care"),
    ),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1187", "1289")),
        (NOTHING, "burial and funeral help is no care"),
    ),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1190", "1333")),
        ("physical_health", "health education"),
    ),
    (OPEN_ELIGIBILITY, "1191"): (NOTHING, "daily life skills"),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1193", "1335")),
        ("physical_health", "family planning is contraception"),
    ),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1115", "1199", "1236", "1232", "1262")),
        ("money_advice", "financial help"),
    ),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1263", "1328")),
        ("money_advice", "credit counselling is debt advice, not therapy"),
    ),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1143", "1264", "1329")),
        ("housing", "foreclosure counselling is housing advice, not therapy"),
    ),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1200", "1237", "1257")),
        ("money_advice", "disability benefits are benefits"),
    ),
    (OPEN_ELIGIBILITY, "1206"): ("physical_health", "medical care"),
    (OPEN_ELIGIBILITY, "1207"): ("physical_health", "alternative medicine is no prescription"),
    (OPEN_ELIGIBILITY, "1225"): ("physical_health", "physical therapy"),
    (OPEN_ELIGIBILITY, "1226"): ("physical_health", "specialised therapy"),
    (OPEN_ELIGIBILITY, "1231"): ("mental_health", "psychiatric emergency services"),
    **dict.fromkeys(
        ((OPEN_ELIGIBILITY, code) for code in ("1271", "1376")),
        ("families", "adoption and foster care"),
    ),
    (OPEN_ELIGIBILITY, "1277"): (BROAD, "daytime care of any kind"),
    (OPEN_ELIGIBILITY, "1279"): ("families", "afterschool care"),
    (OPEN_ELIGIBILITY, "1283"): ("families", "day camp"),
    (OPEN_ELIGIBILITY, "1285"): (BROAD, "recreation"),
    (OPEN_ELIGIBILITY, "1286"): ("carers", "relief for caregivers is respite"),
    (OPEN_ELIGIBILITY, "1292"): (BROAD, "navigating the system is signposting"),
    (OPEN_ELIGIBILITY, "1293"): ("money_advice", "help to fill out forms (benefits)"),
    (OPEN_ELIGIBILITY, "1303"): (BROAD, "a support network of any kind"),
    (OPEN_ELIGIBILITY, "1305"): ("mental_health", "help hotlines are crisis lines"),
    (OPEN_ELIGIBILITY, "1309"): (BROAD, "one-on-one support of any kind"),
    (OPEN_ELIGIBILITY, "1316"): (BROAD, "virtual support of any kind"),
    (OPEN_ELIGIBILITY, "1342"): ("families", "special education (SEND)"),
    (OPEN_ELIGIBILITY, "1386"): ("employment", "workplace rights"),
    # Open Eligibility situations: who a service is for.
    (OPEN_ELIGIBILITY_SITUATIONS, "20025"): ("mental_health", "mental illness"),
    (OPEN_ELIGIBILITY_SITUATIONS, "20051"): ("mental_health", "mental illness"),
    (OPEN_ELIGIBILITY_SITUATIONS, "20030"): ("mental_health", "grieving: bereavement"),
    (OPEN_ELIGIBILITY_SITUATIONS, "20045"): ("physical_health", "Alzheimer's is dementia"),
    (OPEN_ELIGIBILITY_SITUATIONS, "20050"): ("mental_health", "substance dependency"),
    (OPEN_ELIGIBILITY_SITUATIONS, "20067"): ("language", "limited English"),
    (OPEN_ELIGIBILITY_SITUATIONS, "20084"): ("domestic_abuse", "human trafficking: modern slavery"),
    (OPEN_ELIGIBILITY_SITUATIONS, "20086"): ("domestic_abuse", "sexual assault"),
    # Outpost: accessibility is about the building, not a need.
    (OUTPOST, "send_needs:Cognitive"): ("physical_health", "cognitive impairment: disability"),
    (OUTPOST, "suitabilities:Visual and / or hearing impediment"): (
        "physical_health",
        "sensory impairment",
    ),
}
NOTHING_UNDER: Final = frozenset({(OUTPOST, "accessibilities")})
"""Lists whose terms stand for no need (facilities of a building)."""


@dataclasses.dataclass(frozen=True)
class _Term:
    code: str
    label: str
    parent: str


def read_vocabulary(path: Path) -> list[_Term]:
    """The terms of one raw vocabulary file (columns id, label, parent_id)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            _Term(row["id"].strip(), row["label"].strip(), row["parent_id"].strip())
            for row in csv.DictReader(handle)
        ]


def decide_terms(vocabulary: str, terms: Sequence[_Term], taxonomy: Taxonomy) -> list[str]:
    """The category (or `BROAD`, or `NOTHING`) of each term, by the module's rules."""
    index = phrase_index(taxonomy)
    listed = {
        (ESD_SERVICE, code): category
        for category, codes in ESD_SERVICES.items()
        for code in codes.split()
    }
    by_code = {term.code: term for term in terms}
    decided: dict[str, str] = {}

    def decide(term: _Term) -> str:
        if term.code in decided:
            return decided[term.code]
        key = (vocabulary, term.code)
        if key in DECISIONS:
            found = DECISIONS[key][0]
        elif key in listed:
            found = listed[key]
        else:
            parent = by_code.get(term.parent)
            inherited = decide(parent) if parent and vocabulary in INHERITING else NOTHING
            found = _by_rules(vocabulary, term, taxonomy, index, inherited)
        decided[term.code] = found
        return found

    return [decide(term) for term in terms]


def _by_rules(vocabulary, term, taxonomy, index, inherited: str) -> str:
    """Rules 2 to 6 of the module docstring."""
    hit = taxonomy.match(term.label)
    if hit is not None:
        return hit
    if taxonomy.is_broad(term.label):
        return BROAD
    if (vocabulary, term.parent) in NOTHING_UNDER:
        return NOTHING
    if vocabulary in PHRASE_VOCABULARIES:
        suggestion = suggest_categories({SERVICE_NAME: term.label}, index)
        if suggestion is not None and len(suggestion.category_ids) == 1:
            return suggestion.category_ids[0]
    if inherited not in (NOTHING, BROAD):
        return inherited
    return BROAD if vocabulary in AUDIENCES else NOTHING


def build_map(vocabularies_dir: Path, taxonomy: Taxonomy) -> list[VocabularyTerm]:
    """Every term that stands for a category or is broad, vocabulary by vocabulary.

    ``taxonomy`` must hold no vocabulary map itself (its labels would decide terms): load
    it with ``with_vocabulary_map=False``.
    """
    out: list[VocabularyTerm] = []
    for vocabulary, name in SOURCE_FILES.items():
        terms = read_vocabulary(vocabularies_dir / name)
        for term, category in zip(terms, decide_terms(vocabulary, terms, taxonomy), strict=True):
            if category != NOTHING:
                out.append(VocabularyTerm(vocabulary, term.code, term.label, category))
    return out


def render_map(terms: Iterable[VocabularyTerm]) -> str:
    """The map file's text: the attribution as comment lines, the header, one term a line."""
    buffer = io.StringIO()
    buffer.writelines(f"# {line}\n" for line in ATTRIBUTION)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MAP_COLUMNS)
    writer.writerows((t.vocabulary, t.code, t.label, t.category) for t in terms)
    return buffer.getvalue()


def write_map(
    out_path: Path = OUT_PATH,
    *,
    vocabularies_dir: Path = VOCABULARIES_DIR,
    taxonomy_path: Path | None = None,
) -> Path:
    """Build the map from the raw vocabularies and write it (UTF-8, LF line endings)."""
    taxonomy = load_taxonomy(taxonomy_path, with_vocabulary_map=False)
    text = render_map(build_map(vocabularies_dir, taxonomy))
    out_path.write_text(text, encoding="utf-8", newline="\n")
    return out_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocabularies", type=Path, default=VOCABULARIES_DIR)
    parser.add_argument("--out", type=Path, default=OUT_PATH)
    args = parser.parse_args(argv)
    missing = [n for n in SOURCE_FILES.values() if not (args.vocabularies / n).is_file()]
    if missing:
        print(
            f"error: {args.vocabularies} lacks {', '.join(missing)}. Fix: give the folder of "
            "the raw vocabularies with --vocabularies",
            file=sys.stderr,
        )
        return 2
    path = write_map(args.out, vocabularies_dir=args.vocabularies)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
