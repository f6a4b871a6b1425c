"""Running ScanCode: tree walk, worker pool, result cache, progress, publish.

May import everything ingest may, and ingest itself (one publish path).
"""
