"""ScanCode output into the database: streamed JSON parsing and batched, atomic writes.

May import trail, access, licenses, policy and review (decision reuse).
"""
