"""Services near a point: what a community group finds within walking or travelling distance.

Distances are straight lines between the services' ``location`` points and the given point,
in British National Grid (EPSG:27700) metres.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd
import shapely

from analysis.directory import Directory
from analysis.errors import AnalysisError
from analysis.model import (
    AREA_KIND,
    CATEGORIES,
    CITYWIDE,
    DELIVERY,
    DISTANCE_M,
    LOCATION,
    REMOTE_MODES,
    SERVICE_NAME,
)
from analysis.provision.coverage import has_geometry

REMOTE_DELIVERY: Final = REMOTE_MODES


def services_near(
    directory: Directory, easting: float, northing: float, radius_m: float
) -> pd.DataFrame:
    """Services whose location lies within ``radius_m`` of a point, nearest first.

    Parameters
    ----------
    directory
        The services (their ``location`` in EPSG:27700).
    easting, northing
        The point, in EPSG:27700 metres.
    radius_m
        Largest straight-line distance, in metres.

    Returns
    -------
    pandas.DataFrame
        `Directory.services_with_organisations` rows (without geometry) plus ``distance_m``;
        services with no location are left out (see `remote_services`).

    Raises
    ------
    AnalysisError
        When ``radius_m`` is negative or not a number.
    """
    if not radius_m >= 0:
        raise AnalysisError(
            f"radius_m {radius_m!r} is not a distance. Fix: pass a number of metres >= 0."
        )
    services = pd.DataFrame(directory.services_with_organisations().drop(columns="geometry"))
    services = services[has_geometry(services[LOCATION])]
    x, y = shapely.get_coordinates(services[LOCATION].to_numpy(object)).T
    distance = np.hypot(x - float(easting), y - float(northing))
    out = services.assign(**{DISTANCE_M: distance})[distance <= radius_m]
    return out.sort_values([DISTANCE_M, SERVICE_NAME], ignore_index=True)


def remote_services(directory: Directory) -> pd.DataFrame:
    """Services anyone in the area can use by phone or online: citywide and remote delivery.

    Returns
    -------
    pandas.DataFrame
        `Directory.services_with_organisations` rows (without geometry), by name: citywide
        ones whose delivery includes phone or online, and any delivered only by phone or
        online (the remote options of `analysis.provision.coverage.is_remote`).
    """
    services = pd.DataFrame(directory.services_with_organisations().drop(columns="geometry"))
    modes = services[DELIVERY]
    some_remote = modes.map(lambda ms: any(m in REMOTE_DELIVERY for m in ms))
    only_remote = modes.map(lambda ms: bool(ms) and all(m in REMOTE_DELIVERY for m in ms))
    keep = ((services[AREA_KIND] == CITYWIDE) & some_remote) | only_remote
    return services[keep.to_numpy()].sort_values(SERVICE_NAME, ignore_index=True)


def categories_without(services_df: pd.DataFrame, category_ids: Iterable[str]) -> tuple[str, ...]:
    """The ``category_ids`` that no service in ``services_df`` offers, in the order given."""
    offered = {c for cats in services_df[CATEGORIES] for c in cats}
    return tuple(c for c in category_ids if c not in offered)
