"""The review itself: queue, inspector, decisions, bulk, reuse, questions, history.

Decisions and questions move a file's review state only through ``item_state``.
May import trail, access, licenses and policy.
"""
