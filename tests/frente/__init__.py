"""Plain-Python tests of the pure ``frente`` subpackage (no ``hass``)."""
