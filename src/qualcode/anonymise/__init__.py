"""The anonymisation gate: detection (presidio + UK recognisers), consistent pseudonyms, residual checks.

Import from the submodules; this package imports nothing heavy so the store can use `pseudonyms` alone.
"""
