"""What every page is handed: the view, the area, the categories, the services in use and
their analysis."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.geography import AreaSet
from analysis.provision.pipeline import Analysis
from analysis.taxonomy import Taxonomy
from dashboard.auth import Viewer
from dashboard.data import DirectorySource, area_identity, get_analysis
from dashboard.state import ViewState


@dataclass(frozen=True)
class PageContext:
    """Inputs of a page's ``render``; the page returns the (possibly changed) view."""

    state: ViewState
    area: AreaSet
    taxonomy: Taxonomy
    source: DirectorySource
    viewer: Viewer | None = None
    """Who is looking (None where no page needs to know: the public)."""

    @property
    def analysis(self) -> Analysis:
        """The pipeline over the services in use, shared by every session that shows them."""
        area_key = area_identity(self.area)
        return get_analysis(self.source.key, area_key, self.source.directory, self.area)
