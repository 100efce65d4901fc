"""Fault injection with SIGKILL on a real Home Assistant (``scripts/chaos``).

An alarm, once pressed, survives kills: 0 lost, 0 extra. ``__main__`` is the command line,
``driver`` the run itself, ``harness`` the HA it kills, ``receiver`` the police endpoint,
``tally`` the count, ``report`` docs/chaos.md, and ``probe`` the custom component loaded
only into the run's HA, which kills it from inside at a chosen point. Dev code, never
shipped; it runs on ``scripts.harness``.
"""
