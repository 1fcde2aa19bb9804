"""What every page is handed: the view, the area, the categories and the services in use."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.geography import AreaSet
from analysis.taxonomy import Taxonomy
from dashboard.data import DirectorySource
from dashboard.state import ViewState


@dataclass(frozen=True)
class PageContext:
    """Inputs of a page's ``render``; the page returns the (possibly changed) view."""

    state: ViewState
    area: AreaSet
    taxonomy: Taxonomy
    source: DirectorySource
