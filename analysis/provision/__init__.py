"""Provision: who reaches whom, need, accessibility, classes, partners, robustness."""
