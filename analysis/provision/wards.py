"""Wards: coverage seen from a ward, the share of its residents each service reaches.

Built on the coverage table of `analysis.provision.coverage` (each service's reach with its
own catchment, `default_reach`): which neighbourhoods make up each ward, the population
share of each ward that each service reaches, and the services reaching one ward (the
ward page and the printable ward profile list them).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from analysis.directory import Directory
from analysis.geography import AreaSet
from analysis.model import POPULATION, SERVICE_ID, SERVICE_NAME, SHARE, WARD_CODE
from analysis.provision.coverage import Coverage, default_reach


def zone_membership(
    zones_df: pd.DataFrame, ward_codes: Iterable[str]
) -> tuple[sparse.csr_array, pd.Index]:
    """Zone × ward indicator matrix G (G[z, W] = 1 when zone z is in ward W) and ward order.

    Zones whose ward is not among ``ward_codes`` belong to no column.
    """
    wards = pd.Index(list(ward_codes))
    column = wards.get_indexer(zones_df[WARD_CODE])
    inside = np.flatnonzero(column >= 0)
    matrix = sparse.csr_array(
        (np.ones(len(inside)), (inside, column[inside])), shape=(len(zones_df), len(wards))
    )
    return matrix, wards


def ward_coverage(coverage: Coverage, area: AreaSet) -> pd.DataFrame:
    """Population share of each ward that each service reaches, for the pairs that are > 0.

    Returns
    -------
    pandas.DataFrame
        Columns ``service_id``, ``ward_code``, ``share`` (0-1], sorted by service and ward.

    Notes
    -----
    share(s, W) = Σ_{z in W} pop_z r(s, z) / Σ_{z in W} pop_z, with r the 0/1 reach of the
    service's own catchment (`default_reach`). A ward without population has no share.
    """
    coverage.check_area(area)
    membership, ward_codes = zone_membership(area.neighbourhoods, area.wards[WARD_CODE])
    population = area.neighbourhoods[POPULATION].to_numpy(float)
    ward_population = membership.T @ population
    reach = default_reach(coverage)
    covered = (reach @ sparse.diags_array(population) @ membership).tocoo()
    share = covered.data / np.where(ward_population > 0, ward_population, np.inf)[covered.col]
    frame = pd.DataFrame(
        {
            SERVICE_ID: coverage.service_ids.to_numpy()[covered.row],
            WARD_CODE: ward_codes.to_numpy()[covered.col],
            SHARE: share,
        }
    )
    return frame[frame[SHARE] > 0].sort_values([SERVICE_ID, WARD_CODE], ignore_index=True)


def services_in_ward(
    coverage: Coverage, directory: Directory, area: AreaSet, ward_code: str
) -> gpd.GeoDataFrame:
    """The services reaching a ward, with their organisation, largest share first.

    Returns
    -------
    geopandas.GeoDataFrame
        `analysis.directory.Directory.services_with_organisations` rows of the services
        reaching the ward, with ``share``: the share of the ward's residents each reaches
        (`ward_coverage`). Ties sorted by service name.
    """
    shares = ward_coverage(coverage, area)
    shares = shares[shares[WARD_CODE] == ward_code][[SERVICE_ID, SHARE]]
    services = directory.services_with_organisations()
    services = services.assign(**{SERVICE_ID: services[SERVICE_ID].astype(str)})
    merged = services.merge(shares, on=SERVICE_ID, how="inner")
    return merged.sort_values([SHARE, SERVICE_NAME], ascending=[False, True], ignore_index=True)
