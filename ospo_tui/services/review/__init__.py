"""The review itself: queue, inspector, decisions, bulk, reuse, questions, history.

May import trail, access, licenses and policy.
"""
