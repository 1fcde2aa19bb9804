"""Outputs: exports (CSV, XLSX, GeoJSON, HTML), the printable ward profile, the palette."""
