"""Tests of the SIA DC-09 transport (frente/dispatch/sia)."""
