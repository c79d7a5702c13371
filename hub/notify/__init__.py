"""Notifications: alerts that reach a person's phone, the shop's own system or a mailbox (docs/integrations.md).

``settings`` (the ``notify:`` config section), ``rules`` (which notices to
queue, from the alerts table), ``records`` (the deliveries and channel health,
migration 17), ``channels`` (ntfy, signed webhook, e-mail), ``worker`` (the
thread that plans and sends; ingest never waits for it).
"""

from hub.notify.settings import NotifySettings
from hub.notify.worker import NotifyWorker

__all__ = ["NotifySettings", "NotifyWorker"]
