"""Tests of the Mi Frente Seguro integration."""
