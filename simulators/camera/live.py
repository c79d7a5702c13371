"""A camera on a bay of the running store world: facings follow the world, shoppers appear when they pick.

The world runs in the asyncio loop; the HTTP server renders from its own
threads. The two meet on a snapshot of the bay's facings, replaced whole at
every change (never mutated), so a frame never sees half an update.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from simulators.camera.bay import BaySpec, world_bay
from simulators.camera.render import BayRenderer
from simulators.camera.server import CameraServer
from simulators.world import Change, World


class WorldCamera:
    """Serves the bay ``bay_id`` of ``world`` on an MJPEG server.

    ``shopper_s``: how long (simulated seconds, the world's time) a shopper
    who picked from this bay stays in front of the camera: at 60x, real
    seconds would hide the shelf for minutes of shop time.
    """

    def __init__(
        self,
        world: World,
        bay_id: str,
        *,
        size: tuple[int, int] = (960, 540),
        geometry_seed: int = 0,
        shopper_s: float = 10.0,
        **server_options: object,
    ) -> None:
        self.world = world
        self.bay: BaySpec = world_bay(world, bay_id)
        self._slot_ids = {s.slot_id for s in self.bay.slots}
        self.renderer = BayRenderer(self.bay, size, geometry_seed=geometry_seed)
        self.shopper_s = shopper_s
        self._shopper_until: datetime | None = None
        self._facings = self._read_facings()
        self.server = CameraServer(self.renderer, self.facings, **server_options)  # type: ignore[arg-type]
        self._unsubscribe = world.subscribe(self._on_change)

    def _read_facings(self) -> dict[str, int]:
        return {slot_id: self.world.facings(slot_id) for slot_id in self._slot_ids}

    def facings(self) -> dict[str, int]:
        until = self._shopper_until
        if until is not None and self.world.now > until:
            self._shopper_until = None
            self.server.set_shopper(False)
        return self._facings

    def _on_change(self, change: Change) -> None:
        touched = {w.slot for w in (change.before, change.after) if w is not None and w.slot is not None}
        if not touched & self._slot_ids:
            return
        self._facings = self._read_facings()
        if change.kind == "picked" and self.shopper_s > 0:
            self.server.set_shopper(True)
            self._shopper_until = self.world.now + timedelta(seconds=self.shopper_s)

    def start(self) -> WorldCamera:
        self.server.start()
        return self

    def stop(self) -> None:
        self._unsubscribe()
        self.server.stop()
