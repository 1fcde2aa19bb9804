"""Reusable pieces of the dashboard pages: maps, tables, panels."""
