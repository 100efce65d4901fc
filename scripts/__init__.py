"""Developer tools: the demo, the real-HA harness, simulators and benchmarks."""
