"""The append-only, hash-chained audit trail that every change writes to.

The lowest service layer: it imports only the models.
"""
