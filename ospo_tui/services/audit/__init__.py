"""What auditors run against the trail: verification of the chain and of the state it records.

May import trail, access and review.
"""
