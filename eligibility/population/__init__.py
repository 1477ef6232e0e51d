"""Population runs: synthetic households in a flat column scheme, simulated partition by partition on Dask."""

DEFAULT_PARTITION = 100_000  # households per partition: about 0.5 GiB per worker at the peak
DEFAULT_MEMORY_LIMIT = "4GiB"  # per local worker; the work itself stays well under 2 GiB
