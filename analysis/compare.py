"""A file against the directory: which services are in both, and which in only one.

The data page's what-if ("compare my file with the directory") shows it before anyone
imports the file. A service of the file is in the directory when the directory holds a
service with the same id, or — among the services no id pairs — with the same organisation
and service names (case, spaces and punctuation aside): a file that derives its ids from
names, or gives ids of its own, is matched either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.directory import Directory
from analysis.model import CATEGORIES, ORG_NAME, SERVICE_ID, SERVICE_NAME
from analysis.taxonomy import Taxonomy

_NOT_WORD = re.compile(r"[\W_]+")
IN_FILE = "In your file"
IN_DIRECTORY = "In the directory"
CATEGORY_COLUMN = "Category"


@dataclass(frozen=True)
class DirectoryComparison:
    """How a file's services meet the directory's.

    Attributes
    ----------
    in_both
        Services of the file the directory holds too.
    only_in_file
        Services of the file the directory lacks: organisation, service (in file order).
    only_in_directory
        How many services of the directory the file does not list.
    by_category
        Per category: services in the file, services in the directory.
    """

    in_both: int
    only_in_file: pd.DataFrame
    only_in_directory: int
    by_category: pd.DataFrame


def _name_key(organisation: object, service: object) -> str:
    def plain(text: object) -> str:
        return _NOT_WORD.sub(" ", str(text or "")).strip().casefold()

    return f"{plain(organisation)}|{plain(service)}"


def _keys(directory: Directory) -> pd.DataFrame:
    services = directory.services_with_organisations()
    return pd.DataFrame(
        {
            SERVICE_ID: services[SERVICE_ID].astype(str).to_numpy(),
            "name_key": [
                _name_key(org, name)
                for org, name in zip(services[ORG_NAME], services[SERVICE_NAME], strict=True)
            ],
            ORG_NAME: services[ORG_NAME].to_numpy(),
            SERVICE_NAME: services[SERVICE_NAME].to_numpy(),
        }
    )


def _category_counts(directory: Directory) -> pd.Series:
    return directory.services[CATEGORIES].explode().dropna().value_counts()


def compare_directories(
    mine: Directory, directory: Directory, *, taxonomy: Taxonomy
) -> DirectoryComparison:
    """Compare the services of a file (``mine``) with the directory's."""
    file_keys, held = _keys(mine), _keys(directory)
    # Ids first; names only pair what no id paired (a directory may hold two services of
    # one name, told apart by their ids).
    file_by_id = file_keys[SERVICE_ID].isin(held[SERVICE_ID])
    held_by_id = held[SERVICE_ID].isin(file_keys[SERVICE_ID])
    file_names, held_names = file_keys["name_key"], held["name_key"]
    found_in_directory = file_by_id | file_names.isin(held_names[~held_by_id])
    listed_in_file = held_by_id | held_names.isin(file_names[~file_by_id])
    mine_counts, held_counts = _category_counts(mine), _category_counts(directory)
    by_category = pd.DataFrame(
        {
            CATEGORY_COLUMN: [taxonomy.get(cid).label for cid in taxonomy.ids()],
            IN_FILE: [int(mine_counts.get(cid, 0)) for cid in taxonomy.ids()],
            IN_DIRECTORY: [int(held_counts.get(cid, 0)) for cid in taxonomy.ids()],
        }
    )
    return DirectoryComparison(
        in_both=int(found_in_directory.sum()),
        only_in_file=file_keys.loc[~found_in_directory, [ORG_NAME, SERVICE_NAME]].reset_index(
            drop=True
        ),
        only_in_directory=int((~listed_in_file).sum()),
        by_category=by_category,
    )
