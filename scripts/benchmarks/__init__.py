"""Benchmarks (``scripts/bench``), never timed tests: figures printed beside their targets.

Dev code, never shipped: ``run`` is the run (``__main__`` its command line), ``ha`` the
benchmarks' Home Assistant and ``handbuilt`` the chain a coordinator would wire by hand,
``receiver`` the police endpoint, ``alarm`` the latency and burst scenarios, ``outage``,
``evidence``, ``garbage``, ``storm`` and ``destinations`` the others, ``stats``, ``tables`` and ``report`` the
figures and docs/benchmarks.md, and ``probe`` the custom component loaded only into the
run's HA, which measures its event loop from inside. It runs on ``scripts.harness``.
"""
