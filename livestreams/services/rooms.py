"""The base's booking rules (``StreamSettings``) and its live rooms: a manager's writes."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jingdezhen.core import bounds
from jingdezhen.core.errors import Conflict, DomainError, NotAllowed
from jingdezhen.core.tenancy import Reach
from merchants.models import Base

from .. import access
from ..models import LiveRoom, StreamSettings


def settings_for(*, base_id: int) -> StreamSettings:
    """The base's booking rules; a base that never set them gets the defaults."""
    obj = StreamSettings.objects.filter(base_id=base_id).first()
    return obj or StreamSettings(base_id=base_id)


@transaction.atomic
def settings_update(*, reach: Reach, base: Base, **values) -> StreamSettings:
    access.require_base_manager(reach)
    if not reach.is_admin and reach.base_id != base.pk:
        raise NotAllowed(_("You may change only your own base's rules."))
    obj, _created = StreamSettings.objects.get_or_create(base=base)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def room_save(*, reach: Reach, base: Base, room: LiveRoom | None = None, **values) -> LiveRoom:
    access.require_base_manager(reach)
    if not reach.is_admin and reach.base_id != base.pk:
        raise NotAllowed(_("You may change only your own base's rooms."))
    room = room or LiveRoom(base=base)
    for name in ("name", "equipment"):
        if isinstance(values.get(name), str):
            bounds.check_text(values[name], field=name)
    for name, value in values.items():
        setattr(room, name, value)
    if room.closes_hour <= room.opens_hour:
        raise DomainError(_("A room must close after it opens."), field="closes_hour")
    if room.prime_end_hour < room.prime_start_hour:
        raise DomainError(_("Prime time must end after it starts."), field="prime_end_hour")
    if LiveRoom.objects.filter(base=base, name=room.name).exclude(pk=room.pk).exists():
        raise Conflict(_("The base already has a room of this name."), field="name")
    room.save()
    return room
