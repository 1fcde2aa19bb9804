"""Settings: every documented default, typed, each with the reason for its value.

Values that differ between installations are read from the environment (named here);
everything else is a constant that functions take as the default of a keyword argument,
so a caller can always pass another value.
"""

from __future__ import annotations

import os
from typing import Final

SERVER_ADDRESS: Final[str] = os.environ.get("SAFETYNET_ADDRESS", "127.0.0.1")
"""Address the dashboard listens on. Loopback by default, so a laptop running ``make run``
is not reachable from its network; set ``SAFETYNET_ADDRESS=0.0.0.0`` (or the server's own
address) to serve others, normally behind a reverse proxy that adds TLS."""

SERVER_PORT: Final[int] = 8501
"""Port of the dashboard: Streamlit's own default, so its documentation applies as is."""

AREA_ENV: Final = "SAFETYNET_AREA"
"""Environment variable naming the area folder the dashboard shows (default: bundled Bristol),
so one installation can serve another authority built with ``build-area``."""
