"""Duplication: pairs of local services doing the same thing for the same people.

Measured on services, never on ratios: two services are a duplicate pair when they are in
the same category, open to compatible audiences, both delivered locally in the same way
(both in person, or both area-based; never citywide, phone or online), and the need they
reach overlaps by a Jaccard index of at least the threshold (default 0.5). A ward holds the
pair when most of the need the two reach in common lives there — so an under-served ward
can still hold two food banks in the same street, exactly the waste worth talking about.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from analysis import settings
from analysis.model import (
    AREA_KIND,
    AUDIENCE,
    CATEGORY,
    CIRCLE_KINDS,
    JACCARD,
    NEED_IN_COMMON,
    REASON,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    WARD_CODE,
)
from analysis.provision.filters import OPEN_AUDIENCES

DUPLICATE_COLUMNS = (SERVICE_A, SERVICE_B, CATEGORY, JACCARD, NEED_IN_COMMON, WARD_CODE, REASON)


def audience_key(text: object) -> str:
    """A service's audience as compared for duplication: ``""`` when open to everyone."""
    key = " ".join(str(text or "").casefold().split())
    return "" if key in OPEN_AUDIENCES else key


@dataclass(frozen=True, eq=False)
class PairServices:
    """What duplication reads of each service: its id, way of reaching people, audience."""

    ids: np.ndarray
    in_person: np.ndarray
    audience: np.ndarray

    @classmethod
    def of(cls, services: pd.DataFrame) -> PairServices:
        return cls(
            ids=services[SERVICE_ID].astype(str).to_numpy(object),
            in_person=services[AREA_KIND].isin(CIRCLE_KINDS).to_numpy(bool),
            audience=np.array([audience_key(a) for a in services[AUDIENCE]], dtype=object),
        )


def duplicate_pairs(
    reach: sparse.csr_array,
    need: np.ndarray,
    services: PairServices,
    *,
    candidates: np.ndarray,
    zone_groups: np.ndarray,
    min_jaccard: float = settings.DUPLICATE_MIN_JACCARD,
) -> dict[str, np.ndarray]:
    """The duplicate pairs among ``candidates`` in one category, as columns.

    Parameters
    ----------
    reach
        Service × zone 0/1 reach in this category (rows in directory order).
    need
        Need per zone in this category (people).
    services
        The services' ids, ways of reaching people and audiences.
    candidates
        Per service: local (not remote) and filed under the category.
    zone_groups
        The area (ward or neighbourhood) code of each zone.
    min_jaccard
        Least Jaccard index of the need reached for a pair to count.

    Returns
    -------
    dict of numpy.ndarray
        ``service_a``, ``service_b`` (in id order), ``jaccard``, ``need_in_common`` and
        ``ward_code`` (the area that holds the pair: most of the shared need lives there).

    Notes
    -----
    With N(X) the need of the zones service X reaches, J(a, b) = N(a ∩ b) / N(a ∪ b).
    Services of one organisation are pairs too: one group running the same thing twice
    for the same people is worth a look as well.
    """
    rows = np.flatnonzero(candidates)
    if len(rows) < 2:
        return _no_pairs()
    local_reach = reach[rows]
    need = np.nan_to_num(need)
    weighted = local_reach @ sparse.diags_array(need)
    shared = (weighted @ local_reach.T).tocoo()
    own = np.asarray(weighted.sum(axis=1)).ravel()
    upper = shared.row < shared.col
    a, b, common = shared.row[upper], shared.col[upper], shared.data[upper]
    union = own[a] + own[b] - common
    jaccard = np.divide(common, union, out=np.zeros_like(common), where=union > 0)
    keep = (jaccard >= min_jaccard) & _compatible(services, rows[a], rows[b])
    a, b = a[keep], b[keep]
    if not len(a):
        return _no_pairs()
    ids = services.ids[rows]
    return {
        SERVICE_A: np.minimum(ids[a], ids[b]),
        SERVICE_B: np.maximum(ids[a], ids[b]),
        JACCARD: jaccard[keep],
        NEED_IN_COMMON: common[keep],
        WARD_CODE: _holding_area(local_reach, need, zone_groups, a, b),
    }


def pairs_frame(found: list[tuple[str, dict[str, np.ndarray]]]) -> pd.DataFrame:
    """One table of the pairs found per category, with the reason in words."""
    parts = [
        pd.DataFrame({**columns, CATEGORY: category})
        for category, columns in found
        if len(columns[SERVICE_A])
    ]
    if not parts:
        return pd.DataFrame(columns=list(DUPLICATE_COLUMNS))
    pairs = pd.concat(parts, ignore_index=True)
    pairs[REASON] = [
        f"both reach the same people: {share:.0%} of the need they reach is shared"
        for share in pairs[JACCARD]
    ]
    return pairs[list(DUPLICATE_COLUMNS)].sort_values(
        [WARD_CODE, CATEGORY, SERVICE_A, SERVICE_B], ignore_index=True
    )


def _no_pairs() -> dict[str, np.ndarray]:
    empty = np.empty(0, dtype=object)
    return {
        SERVICE_A: empty,
        SERVICE_B: empty,
        JACCARD: np.empty(0),
        NEED_IN_COMMON: np.empty(0),
        WARD_CODE: empty,
    }


def _compatible(services: PairServices, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Same way of reaching people (in person / area-based) and compatible audiences."""
    audience = services.audience
    same_way = services.in_person[a] == services.in_person[b]
    open_or_same = (audience[a] == "") | (audience[b] == "") | (audience[a] == audience[b])
    return same_way & open_or_same


def _holding_area(reach, need, zone_groups, a, b) -> np.ndarray:
    """For each pair, the area with the most need the two services reach in common."""
    both = reach[a].multiply(reach[b]).multiply(need[None, :]).tocsr()
    codes, group = np.unique(zone_groups, return_inverse=True)
    membership = sparse.csr_array(
        (np.ones(len(group)), (np.arange(len(group)), group)), shape=(len(group), len(codes))
    )
    by_area = (both @ membership).toarray()
    return codes[by_area.argmax(axis=1)]
