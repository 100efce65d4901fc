"""Dev code, never shipped to users: the harness, the benchmarks, the police console, chaos.

Packages named for their job: ``harness`` (the test and dev harness: real processes on
127.0.0.1, the demo), ``benchmarks`` (``scripts/bench``), ``console`` (the reference police
console, ``scripts/police_console``) and ``chaos_run`` (``scripts/chaos``). The shell
entries beside them (``setup``, ``test``, ``lint``, ``develop``, ...) run them.
"""
