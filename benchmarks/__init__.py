"""asv benchmarks for statnorm: one module per method, ``bench_<method>.py``."""
