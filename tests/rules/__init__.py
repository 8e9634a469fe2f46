"""Tests of the pure rules in :mod:`casadmin.rules` (a package, so test module names stay unique)."""
