"""Exports for auditors: decision log, SPDX, CycloneDX and attribution notices.

May import trail, access, licenses, policy, review, audit and ingest.
"""
