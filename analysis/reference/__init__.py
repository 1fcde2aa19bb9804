"""Reference geography, built from raw public files (build time only)."""
