"""Who is acting and what their role allows: roles, identity and members.

Every permission check goes through ``access.roles.require``. Imports only trail.
"""
