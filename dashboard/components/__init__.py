"""Reusable pieces of the dashboard pages: widgets, tables and panels (maps: `dashboard.maps`)."""
