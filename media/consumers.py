"""Live processing progress of one asset, for the editors (and reviewers) watching its page.

`ws/media/assets/<id>/`: a logged-in user who may see the asset (media.access) joins the asset's
group (media.realtime.asset_group); the consumer first sends the current state, then forwards
every `asset.progress` message the processing task broadcasts:

    {"type": "state" | "progress", "asset": media.realtime.asset_state(...)}

Close codes: 4401 not logged in (or the login expired while idle), 4404 no such asset or not the
user's to see. The socket is read-only: anything the browser sends is ignored.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.api import session_end_reason

from .access import asset_visible
from .models import VideoAsset
from .realtime import asset_group, asset_state

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _visible_asset(user, asset_id: int) -> VideoAsset | None:
    asset = VideoAsset.objects.filter(pk=asset_id).first()
    if asset is None or not asset_visible(user, asset):
        return None
    return asset


@database_sync_to_async
def _current_state(asset_id: int) -> dict | None:
    asset = VideoAsset.objects.filter(pk=asset_id).first()
    return asset_state(asset) if asset else None


class AssetProgressConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        # Accept first: a close before accepting is an HTTP 403, and the code would be lost.
        await self.accept()
        user = self.scope.get("user")
        session = self.scope.get("session")
        if (
            user is None
            or not user.is_authenticated
            or (session is not None and await database_sync_to_async(session_end_reason)(session))
        ):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        asset_id = int(self.scope["url_route"]["kwargs"]["asset_id"])
        if await _visible_asset(user, asset_id) is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Join before reading the state, so that no update falls between the two.
        self.group = asset_group(asset_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        state = await _current_state(asset_id)
        if state is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.send_json({"type": "state", "asset": state})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        return  # read-only

    async def asset_progress(self, event: dict) -> None:
        await self.send_json({"type": "progress", "asset": event["asset"]})
