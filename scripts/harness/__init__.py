"""Test and development harness: real processes on 127.0.0.1, never shipped to users.

The end-to-end tests, the demo (``scripts/develop``), the benchmarks and the chaos run use
it: ``process`` (the one way a child process is started, awaited and stopped), ``ha`` and
``ha_client`` (a real ``hass`` and its APIs), ``mosquitto``, ``rtsp`` (the GStreamer test
cameras, ``rtsp_server.py``), ``stack`` and ``demo_front`` (the whole demo front),
``kit_simulator`` (a street kit on the command line), ``develop``, ``screenshots``,
``stdin`` and ``loop_thread`` (small pieces underneath).
"""
