"""Domain model and protocols of Mi Frente Seguro, free of Home Assistant.

Nothing in this package imports ``homeassistant`` (``tests/test_pure_package.py`` enforces it):
it holds the front and incident model, the kit protocol, evidence capture and police dispatch,
and is driven directly by plain-Python tests with an injected clock and HTTP session.
"""
