"""End-to-end tests: a real ``hass`` process driven only through its public interfaces."""
