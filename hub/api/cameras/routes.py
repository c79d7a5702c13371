"""The cameras API: slots drawn on a still, stills on request or on a schedule, models offered to a camera.

Staff and managers call the ``/api/cameras/{camera}`` endpoints from the
camera page; the camera itself calls two, with the device token its retained
config carries: ``PUT .../stills`` (a JPEG) and ``GET .../model/{sha256}``.
Every change is published at once as the camera's whole retained config.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response

from comptoir.contract import DeviceConfig
from comptoir.contract.topics import check_id
from hub.api.cameras import page
from hub.api.cameras.book import CameraBook, CameraError, NotFound
from hub.api.cameras.models import CameraOut, ModelOfferIn, SlotsIn, StillOut, StillsEvery
from hub.devices import model_version
from hub.http.deps import Hub, HubState, Manager, Staff
from hub.http.errors import ErrorOut
from hub.http.params import NOT_FOUND
from hub.timeutil import ts

api = APIRouter(prefix="/api/cameras", tags=["staff"])

CAMERA_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"  # a topic level (comptoir/contract/topics.py)
NO_STILL = {409: {"model": ErrorOut, "description": "the camera has sent no still yet: take one first"}}
DRAWN_WRONG = {422: {"model": ErrorOut, "description": "a corner outside the still, a slot not in the planogram or "
                     "drawn twice, slots drawn on a picture of another size; or a field fails validation"}}
DEVICE_ONLY = {401: {"model": ErrorOut, "description": "no valid device token (the camera's retained config has it)"}}
NO_MQTT = {503: {"model": ErrorOut, "description": "this hub has no MQTT link to send the camera's config on"}}


def book_of(hub: HubState) -> CameraBook:
    return CameraBook(hub.db, Path(hub.config.db).resolve().parent)


async def camera_id(camera: Annotated[str, PathParam(pattern=CAMERA_ID, description="the camera's device id")]) -> str:
    return check_id(camera, "camera id")


Camera = Annotated[str, Depends(camera_id)]


def _refused(exc: CameraError) -> HTTPException:
    return HTTPException(404 if isinstance(exc, NotFound) else 422, str(exc))


def _publish(hub: HubState, request: Request, camera: str, settings: dict[str, Any], token: str,
             command: dict[str, Any] | None, who: str | None) -> None:
    """Save the camera's settings and publish them whole, retained (the hub's outbox keeps it through outages)."""
    link = getattr(hub, "link", None)
    if link is None:
        raise HTTPException(503, "this hub has no MQTT link: the camera's config cannot be sent")
    settings = {**settings, "hub_url": str(request.base_url)}
    book_of(hub).save(camera, settings, token, command, ts(hub.clock.now()), who)
    link.emit(DeviceConfig, target=camera, settings={**settings, "token": token},
              commands=[command] if command else [])


def _view(hub: HubState, camera: str) -> dict[str, Any]:
    book = book_of(hub)
    settings, _, _ = book.config(camera)
    device = hub.ingest.devices.get(camera)
    still = book.still_info(camera)
    offer = settings.get("model")
    return {
        "camera": camera,
        "state": device.state if device else None,
        "model": model_version(device.software) if device else None,
        "offered": {k: offer[k] for k in ("version", "sha256", "size")} if offer else None,
        "slots": settings.get("slots"),
        "stills_every_min": settings.get("stills_every_min"),
        "still": {"name": still.name, "width": still.width, "height": still.height} if still else None,
        "planogram": book.planogram(camera),
    }


@api.get("", response_model=list[str])
async def cameras(hub: Hub, staff: Staff) -> list[str]:
    """Every camera the hub knows of: in the planogram, set from here, or heard on MQTT."""
    return book_of(hub).known()


@api.get("/{camera}", response_model=CameraOut)
async def camera(hub: Hub, staff: Staff, camera: Camera) -> dict[str, Any]:
    return _view(hub, camera)


@api.put("/{camera}/slots", response_model=CameraOut, responses={**NO_STILL, **DRAWN_WRONG, **NO_MQTT})
async def save_slots(request: Request, hub: Hub, staff: Staff, camera: Camera, body: SlotsIn) -> dict[str, Any]:
    """The slots drawn on the camera's latest still, each linked to a planogram slot; sent to the camera at once."""
    book = book_of(hub)
    still = book.still_info(camera)
    if still is None:
        raise HTTPException(409, f"camera {camera} has sent no still yet: take one first, then draw on it")
    if (body.width, body.height) != (still.width, still.height):
        raise HTTPException(422, f"slots drawn on a {body.width}x{body.height} picture; camera {camera}'s still is "
                                 f"{still.width}x{still.height}")
    planogram = {p["slot"]: p for p in book.planogram(camera)}
    slots, seen = [], set()
    for drawn in body.slots:
        linked = planogram.get(drawn.slot)
        if linked is None:
            raise HTTPException(422, f"slot {drawn.slot} is not in the planogram")
        if drawn.slot in seen:
            raise HTTPException(422, f"slot {drawn.slot} is drawn twice")
        seen.add(drawn.slot)
        for x, y in drawn.polygon:
            if not (0 <= x <= body.width and 0 <= y <= body.height):
                raise HTTPException(422, f"slot {drawn.slot}: corner ({x:g}, {y:g}) is outside the "
                                         f"{body.width}x{body.height} picture")
        slots.append({"slot": drawn.slot, "gtin": linked["gtin"], "capacity": linked["capacity"],
                      "polygon": [[round(x, 1), round(y, 1)] for x, y in drawn.polygon]})
    settings, token, _ = book.config(camera)
    settings["slots"] = {"width": body.width, "height": body.height, "slots": slots}
    _publish(hub, request, camera, settings, token, None, staff.username)
    return _view(hub, camera)


@api.post("/{camera}/stills/request", status_code=202, response_model=CameraOut, responses=NO_MQTT)
async def request_still(request: Request, hub: Hub, staff: Staff, camera: Camera) -> dict[str, Any]:
    """Ask the camera for one still now (a one-shot command in its retained config)."""
    settings, token, _ = book_of(hub).config(camera)
    command = {"id": f"still-{secrets.token_hex(6)}", "name": "STILL"}
    _publish(hub, request, camera, settings, token, command, staff.username)
    return _view(hub, camera)


@api.put("/{camera}/stills/schedule", response_model=CameraOut, responses=NO_MQTT)
async def still_schedule(request: Request, hub: Hub, staff: Staff, camera: Camera,
                         body: StillsEvery) -> dict[str, Any]:
    settings, token, command = book_of(hub).config(camera)
    settings["stills_every_min"] = body.every_min
    _publish(hub, request, camera, settings, token, command, staff.username)
    return _view(hub, camera)


@api.get("/{camera}/stills/latest", response_class=FileResponse, responses={
    **NOT_FOUND, 200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
                       "description": "the latest still"}})
async def latest_still(hub: Hub, staff: Staff, camera: Camera) -> FileResponse:
    path = book_of(hub).latest_still(camera)
    if path is None:
        raise HTTPException(404, f"camera {camera} has sent no still yet")
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@api.post("/{camera}/model", response_model=CameraOut, responses={**NOT_FOUND, **NO_MQTT})
async def offer_model(request: Request, hub: Hub, manager: Manager, camera: Camera,
                      body: ModelOfferIn) -> dict[str, Any]:
    """Offer ``models/<file>`` to the camera: it downloads it, checks it, tries it, and switches or refuses."""
    book = book_of(hub)
    try:
        offer = book.model_offer(camera, body.file, body.version)
    except CameraError as exc:
        raise _refused(exc) from None
    settings, token, command = book.config(camera)
    settings["model"] = offer
    _publish(hub, request, camera, settings, token, command, manager.username)
    return _view(hub, camera)


# -- what the camera itself calls, with its device token ------------------------------------
async def device_token(request: Request, hub: Hub, camera: Camera) -> str:
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    if not book_of(hub).token_matches(camera, token):
        raise HTTPException(401, f"camera {camera}: a device token from its retained config is needed",
                            headers={"WWW-Authenticate": "Bearer"})
    return camera


Device = Annotated[str, Depends(device_token)]


@api.put("/{camera}/stills", status_code=201, response_model=StillOut, responses={
    **DEVICE_ONLY, 413: {"model": ErrorOut, "description": "the still is over the hub's api.max_body_bytes"},
    415: {"model": ErrorOut, "description": "not sent as Content-Type: image/jpeg"},
    422: {"model": ErrorOut, "description": "not a whole JPEG (truncated, empty, another format)"}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}})
async def upload_still(request: Request, hub: Hub, camera: Device,
                       reason: Annotated[str, Query(pattern=r"^(request|schedule)$")] = "request") -> dict[str, Any]:
    """A still from the camera (a JPEG body, at most the API's max_body_bytes); kept for labelling and the editor."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "image/jpeg":
        raise HTTPException(415, "send the still as Content-Type: image/jpeg")
    try:
        still = book_of(hub).add_still(camera, await request.body(), ts(hub.clock.now()))
    except CameraError as exc:
        raise _refused(exc) from None
    return {"name": still.name, "width": still.width, "height": still.height, "reason": reason}


@api.get("/{camera}/model/{sha256}", response_class=FileResponse, responses={
    **DEVICE_ONLY, **NOT_FOUND, 200: {"content": {"application/octet-stream": {
        "schema": {"type": "string", "format": "binary"}}}, "description": "the offered ONNX file"}})
async def model_file(hub: Hub, camera: Device,
                     sha256: Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")]) -> Response:
    book = book_of(hub)
    settings, _, _ = book.config(camera)
    try:
        path = book.model_path(settings, sha256)
    except CameraError as exc:
        raise _refused(exc) from None
    if not path.is_file():
        raise HTTPException(404, f"model file {path.name} is no longer in the hub's models folder")
    return FileResponse(path, media_type="application/octet-stream")


#: the API and the camera page, included in the app as one
router = APIRouter()
router.include_router(api)
router.include_router(page.router)
