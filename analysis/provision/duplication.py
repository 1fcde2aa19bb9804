"""Duplication: pairs of local services doing the same thing for the same people.

Measured on services, never on ratios: two services are a duplicate pair when two
organisations run them in the same category, open to compatible audiences, both delivered
locally in the same way (both in person, or both area-based; never citywide, phone or
online), and the need they reach (decay-weighted, as in their ratios) overlaps by a Jaccard
index of at least the threshold (default 0.5). A ward holds the pair when most of the need
the two reach in common lives there — so an under-served ward can still hold two food
banks in the same street, exactly the waste worth talking about.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from analysis import settings
from analysis.model import (
    AREA_KIND,
    AUDIENCE,
    CATEGORY,
    CIRCLE_KINDS,
    DISTANCE_M,
    JACCARD,
    LOCATION,
    LOCATIONS,
    NEED_IN_COMMON,
    ORG_ID,
    REASON,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    WARD_CODE,
)
from analysis.provision.coverage import has_geometry
from analysis.provision.filters import OPEN_AUDIENCES

DUPLICATE_COLUMNS = (
    SERVICE_A,
    SERVICE_B,
    CATEGORY,
    JACCARD,
    NEED_IN_COMMON,
    DISTANCE_M,
    WARD_CODE,
    REASON,
)


OPEN: Final = -1
"""The audience code of a service open to everyone (`PairServices.audience_codes`)."""


def audience_key(text: object) -> str:
    """A service's audience as compared for duplication: ``""`` when open to everyone."""
    key = " ".join(str(text or "").casefold().split())
    return "" if key in OPEN_AUDIENCES else key


@dataclass(frozen=True, eq=False)
class PairServices:
    """What duplication reads of each service: id, way of reaching people, audience, venues."""

    ids: np.ndarray
    orgs: np.ndarray
    in_person: np.ndarray
    audience: np.ndarray
    venues: np.ndarray  # a (multi)point per venue-based service, else None (EPSG:27700)

    @cached_property
    def org_codes(self) -> np.ndarray:
        """The organisations as integers, for fast comparison of many pairs."""
        return pd.factorize(self.orgs)[0]

    @cached_property
    def audience_codes(self) -> np.ndarray:
        """The audiences as integers, `OPEN` for services open to everyone."""
        codes = pd.factorize(self.audience)[0]
        return np.where(self.audience == "", OPEN, codes)

    @classmethod
    def of(cls, services: pd.DataFrame) -> PairServices:
        in_person = services[AREA_KIND].isin(CIRCLE_KINDS).to_numpy(bool)
        many = services[LOCATIONS] if LOCATIONS in services.columns else services[LOCATION]
        every, first = many.to_numpy(object), services[LOCATION].to_numpy(object)
        places = np.where(has_geometry(every), every, first)
        venues = np.where(in_person & has_geometry(places), places, None)
        return cls(
            ids=services[SERVICE_ID].astype(str).to_numpy(object),
            orgs=services[ORG_ID].astype(str).to_numpy(object),
            in_person=in_person,
            audience=services[AUDIENCE].map(audience_key).to_numpy(object),
            venues=venues,
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
        Service × zone decay weights w(s, z) in this category (rows in directory order).
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
        ``service_a``, ``service_b`` (in id order), ``jaccard``, ``need_in_common`` (people),
        ``distance_m`` (between the nearest venues; NaN for area-based services) and
        ``ward_code`` (the area that holds the largest part of the need the two share).

    Notes
    -----
    The need a service reaches is the same as in its ratio R_s: x_sz = w(s, z) N_z, the
    decay-weighted need of each zone in its catchment. The weighted (Ruzicka) Jaccard index
    J(a, b) = Σ_z min(x_az, x_bz) / Σ_z max(x_az, x_bz) is the share of that need the two
    have in common; with no decay it is N(a ∩ b) / N(a ∪ b), the need of the zones both
    reach over the need of the zones either reaches.
    Two services of one organisation are never a pair: duplication here is between
    organisations, the effort that working together could share.
    """
    rows = np.flatnonzero(candidates)
    if len(rows) < 2:
        return _no_pairs()
    local_reach = sparse.csr_array(reach[rows])
    need = np.nan_to_num(need)
    a, b, common = _shared_need(local_reach, need)
    own = local_reach @ need
    union = own[a] + own[b] - common
    jaccard = np.divide(common, union, out=np.zeros_like(common), where=union > 0)
    keep = (jaccard >= min_jaccard) & _compatible(services, rows[a], rows[b])
    a, b = a[keep], b[keep]
    if not len(a):
        return _no_pairs()
    ids = services.ids[rows]
    first = ids[a] <= ids[b]
    return {
        SERVICE_A: np.where(first, ids[a], ids[b]),
        SERVICE_B: np.where(first, ids[b], ids[a]),
        JACCARD: jaccard[keep],
        NEED_IN_COMMON: common[keep],
        DISTANCE_M: _venue_distance(services, rows[a], rows[b]),
        WARD_CODE: _holding_area(local_reach, need, zone_groups, a, b),
    }


def _shared_need(
    reach: sparse.csr_array, need: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of rows (a < b) reaching a zone in common, with Σ_z N_z min(w_az, w_bz).

    The decay weights take few values (1, 0.68, 0.22), so the minimum is a sum over
    levels t_k of (t_k - t_(k-1)) × [w_a ≥ t_k][w_b ≥ t_k]: one sparse product per level
    instead of a loop over zones.
    """
    levels = np.unique(reach.data[reach.data > 0])
    steps = np.diff(np.concatenate([[0.0], levels]))
    shared = None
    for level, step in zip(levels, steps, strict=True):
        above = sparse.csr_array(reach >= level, dtype=float)
        term = (above.multiply(need[None, :] * step).tocsr() @ above.T).tocsr()
        shared = term if shared is None else shared + term
    if shared is None:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    shared = sparse.triu(shared, k=1).tocoo()
    return shared.row.astype(np.int64), shared.col.astype(np.int64), shared.data


def _venue_distance(services: PairServices, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Metres between the nearest venues of each pair; NaN where one has no venue."""
    return shapely.distance(services.venues[a], services.venues[b]).astype(float)


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
    pairs[REASON] = pair_reasons(pairs[JACCARD].to_numpy(float), pairs[DISTANCE_M].to_numpy(float))
    return pairs[list(DUPLICATE_COLUMNS)].sort_values(
        [WARD_CODE, CATEGORY, SERVICE_A, SERVICE_B], ignore_index=True
    )


def pair_reasons(jaccard: np.ndarray, distance_m: np.ndarray) -> np.ndarray:
    """Why each pair is a duplicate pair, in plain words; each wording is written once."""
    percent = np.rint(jaccard * 100).astype(np.int64)
    # Distances as read aloud: -1 none, 0 the same address, metres in 10s below 1 km
    # (1..99), else tenths of a kilometre (above 100).
    finite = np.isfinite(distance_m)
    safe = np.where(finite, distance_m, 0.0)
    tens = np.rint(safe / 10)
    spoken = np.where(tens < 100, np.maximum(tens, 1), 100 + np.rint(safe / 100))
    spoken = spoken.astype(np.int64)
    spoken = np.where(finite, np.where(safe < 10, 0, spoken), -1)
    keys, position = np.unique(np.stack([percent, spoken]), axis=1, return_inverse=True)
    words = np.array([_reason(int(p), int(d)) for p, d in keys.T], dtype=object)
    return words[position.ravel()]


def _reason(percent: int, spoken: int) -> str:
    reason = f"{percent}% of the need they reach is shared"
    if spoken == 0:
        return reason + "; venues at the same address"
    if spoken > 100:
        return reason + f"; venues {(spoken - 100) / 10:.1f} km apart"
    if spoken > 0:
        return reason + f"; venues {spoken * 10:,} m apart"
    return reason


def _no_pairs() -> dict[str, np.ndarray]:
    empty = np.empty(0, dtype=object)
    return {
        SERVICE_A: empty,
        SERVICE_B: empty,
        JACCARD: np.empty(0),
        NEED_IN_COMMON: np.empty(0),
        DISTANCE_M: np.empty(0),
        WARD_CODE: empty,
    }


def _compatible(services: PairServices, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two organisations, same way of reaching people (in person / area-based), and
    compatible audiences."""
    audience, orgs = services.audience_codes, services.org_codes
    same_way = services.in_person[a] == services.in_person[b]
    open_or_same = (audience[a] == OPEN) | (audience[b] == OPEN) | (audience[a] == audience[b])
    return same_way & open_or_same & (orgs[a] != orgs[b])


def _holding_area(reach, need, zone_groups, a, b) -> np.ndarray:
    """For each pair, the area holding the largest part of the (decay-weighted) need shared."""
    # min(w_a, w_b) N = min(w_a N, w_b N), need being never negative.
    reach_need = sparse.csr_array(reach.multiply(need[None, :]))
    both = reach_need[a].minimum(reach_need[b])
    codes, group = np.unique(zone_groups, return_inverse=True)
    membership = sparse.csr_array(
        (np.ones(len(group)), (np.arange(len(group)), group)), shape=(len(group), len(codes))
    )
    by_area = (both @ membership).tocoo()
    # Per pair, the area with the largest part: sort by pair, then largest first.
    order = np.lexsort((-by_area.data, by_area.row))
    rows, areas = by_area.row[order], by_area.col[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    holding = np.full(len(a), codes[0], dtype=codes.dtype)
    holding[rows[first]] = codes[areas[first]]
    return holding
