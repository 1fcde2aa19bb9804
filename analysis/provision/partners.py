"""Partners: similar services (possible duplication, or collaboration) and complementary ones.

For a service, an organisation or a place (a ward or a postcode), every other service is
compared by the people both reach, from the coverage table; each suggestion says why.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse

from analysis import settings
from analysis.directory import Directory
from analysis.errors import AnalysisError
from analysis.geography import AreaSet, lookup_postcode
from analysis.model import (
    CATEGORIES,
    COMPLEMENTARY,
    LSOA_CODE,
    ORG_ID,
    OTHER_CATEGORIES,
    OVERLAP_COEFFICIENT,
    PAIR_COLUMNS,
    PARTNER_COLUMNS,
    PEOPLE_IN_COMMON,
    POPULATION,
    REASON,
    RELATION,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    SHARED_CATEGORIES,
    SIMILAR,
    WARD_CODE,
)
from analysis.provision.coverage import Coverage, default_reach
from analysis.taxonomy import Taxonomy


def partners_of_service(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    service_id: str,
    *,
    min_overlap: float = settings.PARTNER_MIN_OVERLAP,
    taxonomy: Taxonomy | None = None,
) -> pd.DataFrame:
    """Similar and complementary services for one service.

    Parameters
    ----------
    coverage, directory, area
        The coverage table of ``directory``'s services over ``area``.
    service_id
        The service to find partners for.
    min_overlap
        Least overlap coefficient of the people reached, 0-1 (default 0.5).
    taxonomy
        When given, reasons name categories by their labels.

    Returns
    -------
    pandas.DataFrame
        Columns `PARTNER_COLUMNS`, similar first, then by overlap (largest first).

    Raises
    ------
    AnalysisError
        When the service is not in the directory.

    Notes
    -----
    With P(X) the residents of the neighbourhoods X reaches (the coverage table), the
    overlap coefficient of the service a and another service b is
    oc(a, b) = P(a ∩ b) / min(P(a), P(b)): 1 when one's people all lie within the other's.
    b is *similar* when it shares a category with a and oc >= ``min_overlap`` (possible
    duplication, or a partner); *complementary* when it has a category a lacks and
    oc >= ``min_overlap`` (somewhere to signpost the same people). Services of the same
    organisation are included.
    """
    services = directory.services
    found = services[SERVICE_ID].astype(str) == str(service_id)
    if not found.any():
        raise AnalysisError(
            f"service {service_id!r} is not in the directory. Fix: use a service_id from the "
            "services file."
        )
    row = services[found].iloc[0]
    reach = _service_reach(coverage, area, [str(service_id)])
    return _partners(
        coverage,
        directory,
        area,
        reach,
        categories=tuple(row[CATEGORIES]),
        exclude={str(service_id)},
        min_overlap=min_overlap,
        taxonomy=taxonomy,
    )


def partners_of_organisation(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    org_id: str,
    *,
    min_overlap: float = settings.PARTNER_MIN_OVERLAP,
    taxonomy: Taxonomy | None = None,
) -> pd.DataFrame:
    """Similar and complementary services of other organisations, for one organisation.

    The organisation is taken as the union of its services: the people any of them reach
    and every category any of them is filed under. Its own services are left out. See
    `partners_of_service` for the rules and columns.

    Raises
    ------
    AnalysisError
        When the organisation runs no service in the directory.
    """
    services = directory.services
    own = services[services[ORG_ID].astype(str) == str(org_id)]
    if own.empty:
        raise AnalysisError(
            f"organisation {org_id!r} runs no service in the directory. Fix: use an org_id "
            "of the services file."
        )
    reach = _service_reach(coverage, area, own[SERVICE_ID].astype(str))
    categories = tuple(dict.fromkeys(c for cats in own[CATEGORIES] for c in cats))
    return _partners(
        coverage,
        directory,
        area,
        reach,
        categories=categories,
        exclude=set(own[SERVICE_ID].astype(str)),
        min_overlap=min_overlap,
        taxonomy=taxonomy,
    )


def partners_of_place(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    *,
    ward_code: str | None = None,
    postcode: str | None = None,
    categories: Iterable[str] = (),
    min_overlap: float = settings.PARTNER_MIN_OVERLAP,
    taxonomy: Taxonomy | None = None,
) -> pd.DataFrame:
    """Services reaching a ward or a postcode: similar to ``categories``, or complementary.

    A community group gives its place and its own categories: services of those categories
    reaching the same people are *similar*, the others *complementary* (where to signpost).
    With no categories every service found is complementary. The place is a ward's
    neighbourhoods, or the neighbourhood holding the postcode. See `partners_of_service`
    for the overlap coefficient.

    Raises
    ------
    AnalysisError
        Unless exactly one of ``ward_code`` and ``postcode`` is given, or for an unknown
        ward code.
    PostcodeError
        For a postcode that is malformed or not in the area.
    """
    if (ward_code is None) == (postcode is None):
        raise AnalysisError(
            "a place is one ward or one postcode. Fix: pass exactly one of ward_code= and "
            "postcode=."
        )
    zones = area.neighbourhoods
    if ward_code is not None:
        inside = (zones[WARD_CODE] == ward_code).to_numpy()
        if not inside.any():
            raise AnalysisError(
                f"ward {ward_code!r} has no neighbourhood in {area.name}. Fix: use a ward "
                "code of the area, e.g. " + ", ".join(area.wards[WARD_CODE].head(3)) + "."
            )
    else:
        place = lookup_postcode(area, str(postcode))
        inside = (zones[LSOA_CODE] == place.lsoa_code).to_numpy()
    reach = inside.astype(float)
    return _partners(
        coverage,
        directory,
        area,
        reach,
        categories=tuple(categories),
        exclude=set(),
        min_overlap=min_overlap,
        taxonomy=taxonomy,
    )


def find_similar_pairs(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    *,
    min_overlap: float = settings.PARTNER_MIN_OVERLAP,
    ward_code: str | None = None,
    taxonomy: Taxonomy | None = None,
) -> pd.DataFrame:
    """Every pair of services sharing a category whose people overlap: possible duplication.

    Parameters
    ----------
    ward_code
        When given, only pairs where both services reach some of this ward's people.

    Returns
    -------
    pandas.DataFrame
        Columns `PAIR_COLUMNS`, one row per unordered pair (``service_a`` < ``service_b``),
        largest overlap first.

    Notes
    -----
    oc(a, b) = P(a ∩ b) / min(P(a), P(b)) >= ``min_overlap``, as in `partners_of_service`,
    computed for all pairs at once as the sparse product W diag(pop) Wᵀ.
    """
    _check_overlap(min_overlap)
    coverage.check_area(area)
    services = directory.services.reset_index(drop=True)
    ids = services[SERVICE_ID].astype(str)
    matrix = default_reach(coverage)[coverage.rows_for(ids)]
    if ward_code is not None:
        in_ward = (area.neighbourhoods[WARD_CODE] == ward_code).to_numpy()
        touching = np.flatnonzero((matrix @ in_ward.astype(float)) > 0)
        services, ids, matrix = services.iloc[touching], ids.iloc[touching], matrix[touching]
        services = services.reset_index(drop=True)
        ids = ids.reset_index(drop=True)
    population = area.neighbourhoods[POPULATION].to_numpy(float)
    reached = matrix @ population
    common = sparse.triu(matrix @ sparse.diags_array(population) @ matrix.T, k=1).tocoo()
    smaller = np.minimum(reached[common.row], reached[common.col])
    overlap = np.divide(common.data, smaller, out=np.zeros_like(common.data), where=smaller > 0)
    keep = overlap >= min_overlap
    rows, cols, people, overlap = (
        common.row[keep],
        common.col[keep],
        common.data[keep],
        overlap[keep],
    )
    cats = services[CATEGORIES].to_numpy()
    shared = [
        tuple(c for c in cats[a] if c in set(cats[b])) for a, b in zip(rows, cols, strict=True)
    ]
    pairs = pd.DataFrame(
        {
            SERVICE_A: ids.to_numpy()[rows],
            SERVICE_B: ids.to_numpy()[cols],
            SHARED_CATEGORIES: shared,
            PEOPLE_IN_COMMON: people,
            OVERLAP_COEFFICIENT: overlap,
        }
    )
    remote = (
        coverage.is_remote[coverage.rows_for(pairs[SERVICE_A])]
        | coverage.is_remote[coverage.rows_for(pairs[SERVICE_B])]
    )
    pairs = pairs[(pairs[SHARED_CATEGORIES].map(len) > 0) & ~remote]
    swap = pairs[SERVICE_A] > pairs[SERVICE_B]
    pairs.loc[swap, [SERVICE_A, SERVICE_B]] = pairs.loc[swap, [SERVICE_B, SERVICE_A]].to_numpy()
    pairs[REASON] = [
        f"both offer {_names(shared_cats, taxonomy)}; {people:,.0f} residents in common "
        f"({share:.0%} of the smaller reach)"
        for shared_cats, share, people in zip(
            pairs[SHARED_CATEGORIES],
            pairs[OVERLAP_COEFFICIENT],
            pairs[PEOPLE_IN_COMMON],
            strict=True,
        )
    ]
    return pairs.sort_values(
        [OVERLAP_COEFFICIENT, SERVICE_A, SERVICE_B],
        ascending=[False, True, True],
        ignore_index=True,
    ).reindex(columns=list(PAIR_COLUMNS))


def _service_reach(coverage: Coverage, area: AreaSet, service_ids: Iterable[str]) -> np.ndarray:
    coverage.check_area(area)
    rows = coverage.rows_for(service_ids)
    return (np.asarray(default_reach(coverage)[rows].sum(axis=0)).ravel() > 0).astype(float)


def _partners(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    reach: np.ndarray,
    *,
    categories: tuple[str, ...],
    exclude: set[str],
    min_overlap: float,
    taxonomy: Taxonomy | None,
) -> pd.DataFrame:
    """Services whose people overlap the subject's (0/1 per zone ``reach``) by ``min_overlap``."""
    _check_overlap(min_overlap)
    coverage.check_area(area)
    services = directory.services_with_organisations().reset_index(drop=True)
    ids = services[SERVICE_ID].astype(str)
    matrix = default_reach(coverage)[coverage.rows_for(ids)]
    population = area.neighbourhoods[POPULATION].to_numpy(float)
    subject_people = float(reach @ population)
    reached = matrix @ population
    common = matrix @ (reach * population)
    smaller = np.minimum(reached, subject_people)
    overlap = np.divide(common, smaller, out=np.zeros_like(common), where=smaller > 0)
    candidate = (common > 0) & (overlap >= min_overlap) & ~ids.isin(exclude).to_numpy()
    subject = set(categories)
    out = services[candidate].copy()
    out[PEOPLE_IN_COMMON] = common[candidate]
    out[OVERLAP_COEFFICIENT] = overlap[candidate]
    out[SHARED_CATEGORIES] = out[CATEGORIES].map(
        lambda cats: tuple(c for c in cats if c in subject)
    )
    out[OTHER_CATEGORIES] = out[CATEGORIES].map(
        lambda cats: tuple(c for c in cats if c not in subject)
    )
    # A phone line or a citywide service reaches everyone, so it overlaps every group by
    # construction: it is somewhere to signpost to, never a duplicate.
    remote = coverage.is_remote[coverage.rows_for(out[SERVICE_ID].astype(str))]
    similar = (out[SHARED_CATEGORIES].map(len) > 0) & ~remote
    complementary = ~similar & (out[CATEGORIES].map(len) > 0)
    # A remote service in the group's own categories is signposted to for those.
    signposted = complementary & (out[OTHER_CATEGORIES].map(len) == 0)
    out.loc[signposted, OTHER_CATEGORIES] = out.loc[signposted, CATEGORIES]
    out = out[similar | complementary]
    out[RELATION] = np.where(similar[similar | complementary], SIMILAR, COMPLEMENTARY)
    out[REASON] = [
        _reason(relation, shared, other, share, people, taxonomy)
        for relation, shared, other, share, people in zip(
            out[RELATION],
            out[SHARED_CATEGORIES],
            out[OTHER_CATEGORIES],
            out[OVERLAP_COEFFICIENT],
            out[PEOPLE_IN_COMMON],
            strict=True,
        )
    ]
    out[SERVICE_ID] = out[SERVICE_ID].astype(str)
    out = out.sort_values(
        [RELATION, OVERLAP_COEFFICIENT, PEOPLE_IN_COMMON, SERVICE_ID],
        ascending=[False, False, False, True],
        ignore_index=True,
    )
    return pd.DataFrame(out.reindex(columns=list(PARTNER_COLUMNS)))


def _reason(
    relation: str,
    shared: tuple[str, ...],
    other: tuple[str, ...],
    share: float,
    people: float,
    taxonomy: Taxonomy | None,
) -> str:
    common = f"{people:,.0f} residents in common ({share:.0%} of the smaller reach)"
    if relation == SIMILAR:
        return f"also offers {_names(shared, taxonomy)}; {common}"
    return f"offers {_names(other, taxonomy)} to the same people; {common}"


def _names(category_ids: Iterable[str], taxonomy: Taxonomy | None) -> str:
    if taxonomy is None:
        return ", ".join(category_ids)
    known = set(taxonomy.ids())
    return ", ".join(taxonomy.get(c).label if c in known else c for c in category_ids)


def _check_overlap(min_overlap: float) -> None:
    if not 0 < min_overlap <= 1:
        raise AnalysisError(
            f"min_overlap {min_overlap!r} is not in (0, 1]. Fix: pass a share such as 0.5 "
            "(half the people of the smaller service in common)."
        )
