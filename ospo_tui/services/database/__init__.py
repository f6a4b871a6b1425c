"""Whole-database operations: backup, restore and copy between backends.

May import trail and access.
"""
