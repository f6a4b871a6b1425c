"""Loaded by the scan pool's fork server: importing it loads ScanCode's license index once.

Pool workers are forked from that server, so each starts with the index already in memory
(shared copy-on-write) and a worker killed for a runaway file is replaced in milliseconds.
Nothing else should import this module.
"""

from ospo_tui.services.scanning.engine import warm_up

try:
    warm_up()
except Exception:  # noqa: BLE001 - the fork server must start anyway; workers then warm up alone
    pass
