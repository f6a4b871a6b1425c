"""License policies (ScanCode.io's policies.yml), their versions, alerts and queue priority.

May import trail, access and licenses.
"""
