"""ScanCode's license database and SPDX expressions: lookup, conversion, validation.

Imports no other service.
"""
