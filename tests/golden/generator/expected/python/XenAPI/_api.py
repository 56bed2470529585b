"""Generated from schema/ by bindings/generator/tern-gen (emit_python.py). Do not edit.

Integers travel as decimal strings, as in XenAPI: results carry them as str, and
arguments may be given as int or str."""

from __future__ import annotations

from typing import Literal, TypedDict
from xmlrpc.client import DateTime

from ._failure import Failure
from ._proxy import OMIT, AsyncProxyBase, ClassProxy, RootProxyBase

API_VERSION = "1.2"

# References: opaque strings ('OpaqueRef:...').
boxRef = str
thingRef = str
TaskRef = str
SessionRef = str

# Enums: the values the schema allows.
Colour = Literal['Red', 'green']

# Records: what get_record returns and create takes (every field optional there).
boxRecord = TypedDict('boxRecord', {
    'uuid': 'str',
    'name_label': 'str',
    'things': 'list[thingRef]',
    'capacity': 'str',
    'labels': 'dict[str, str]',
}, total=False)
thingRecord = TypedDict('thingRecord', {
    'uuid': 'str',
    'box': 'boxRef',
    'colour': 'Colour',
    'tags': 'list[str]',
    'seen': 'DateTime | str',
}, total=False)


# Errors: one Failure subclass per code, its parameters by name.

class HANDLE_INVALID(Failure):
    """No such object."""
    code_name = 'HANDLE_INVALID'
    param_names = ('class', 'handle', )

    @property
    def class_(self) -> str | None:
        return self.param('class')

    @property
    def handle(self) -> str | None:
        return self.param('handle')


class BOX_FULL(Failure):
    """The box is full."""
    code_name = 'BOX_FULL'
    param_names = ('box', 'capacity', )

    @property
    def box(self) -> str | None:
        return self.param('box')

    @property
    def capacity(self) -> str | None:
        return self.param('capacity')


ERRORS: dict[str, type[Failure]] = {
    'HANDLE_INVALID': HANDLE_INVALID,
    'BOX_FULL': BOX_FULL,
}


# Classes: session.xenapi.<Class>.<message>(...) puts the session first.

class box(ClassProxy):
    """A box that holds things."""
    __slots__ = ()
    _class_name = 'box'

    def shake(self, self_: boxRef, hard: bool = False) -> str:
        """Shake the box. Errors: BOX_FULL."""
        return self._call('shake', (self_, hard, ))

    def get_uuid(self, self_: boxRef) -> str:
        """Get the uuid field."""
        return self._call('get_uuid', (self_, ))

    def get_name_label(self, self_: boxRef) -> str:
        """Get the name_label field."""
        return self._call('get_name_label', (self_, ))

    def set_name_label(self, self_: boxRef, value: str) -> None:
        """Set the name_label field."""
        return self._call('set_name_label', (self_, value, ))

    def get_things(self, self_: boxRef) -> list[thingRef]:
        """Get the things field."""
        return self._call('get_things', (self_, ))

    def get_capacity(self, self_: boxRef) -> str:
        """Get the capacity field."""
        return self._call('get_capacity', (self_, ))

    def get_labels(self, self_: boxRef) -> dict[str, str]:
        """Get the labels field."""
        return self._call('get_labels', (self_, ))

    def set_labels(self, self_: boxRef, value: dict[str, str]) -> None:
        """Set the labels field."""
        return self._call('set_labels', (self_, value, ))

    def add_to_labels(self, self_: boxRef, key: str, value: str) -> None:
        """Add a key to the labels map. Errors: MAP_DUPLICATE_KEY."""
        return self._call('add_to_labels', (self_, key, value, ))

    def remove_from_labels(self, self_: boxRef, key: str) -> None:
        """Remove a key from the labels map."""
        return self._call('remove_from_labels', (self_, key, ))

    def get_record(self, self_: boxRef) -> boxRecord:
        """Get every field of a box."""
        return self._call('get_record', (self_, ))

    def get_by_uuid(self, uuid: str) -> boxRef:
        """Get the box with this uuid. Errors: UUID_INVALID."""
        return self._call('get_by_uuid', (uuid, ))

    def get_by_name_label(self, label: str) -> list[boxRef]:
        """Get every box with this name."""
        return self._call('get_by_name_label', (label, ))

    def get_all(self) -> list[boxRef]:
        """Get every box."""
        return self._call('get_all', ())

    def get_all_records(self) -> dict[boxRef, boxRecord]:
        """Get every box with all its fields."""
        return self._call('get_all_records', ())

    def create(self, args: boxRecord) -> boxRef:
        """Create a new box. Errors: FIELD_TYPE_ERROR, INVALID_VALUE."""
        return self._call('create', (args, ))

    def destroy(self, self_: boxRef) -> None:
        """Destroy a box."""
        return self._call('destroy', (self_, ))


class Async_box(ClassProxy):
    """Async.box: its long messages run as tasks."""
    __slots__ = ()
    _class_name = 'Async.box'

    def shake(self, self_: boxRef, hard: bool = False) -> TaskRef:
        """As box.shake, run as a task; returns the task. Shake the box. Errors: BOX_FULL."""
        return self._call('shake', (self_, hard, ))

    def create(self, args: boxRecord) -> TaskRef:
        """As box.create, run as a task; returns the task. Create a new box. Errors: FIELD_TYPE_ERROR, INVALID_VALUE."""
        return self._call('create', (args, ))

    def destroy(self, self_: boxRef) -> TaskRef:
        """As box.destroy, run as a task; returns the task. Destroy a box."""
        return self._call('destroy', (self_, ))


class thing(ClassProxy):
    """A thing in a box."""
    __slots__ = ()
    _class_name = 'thing'

    def get_uuid(self, self_: thingRef) -> str:
        """Get the uuid field."""
        return self._call('get_uuid', (self_, ))

    def get_box(self, self_: thingRef) -> boxRef:
        """Get the box field."""
        return self._call('get_box', (self_, ))

    def get_colour(self, self_: thingRef) -> Colour:
        """Get the colour field."""
        return self._call('get_colour', (self_, ))

    def set_colour(self, self_: thingRef, value: Colour) -> None:
        """Set the colour field. Errors: INVALID_VALUE."""
        return self._call('set_colour', (self_, value, ))

    def get_tags(self, self_: thingRef) -> list[str]:
        """Get the tags field."""
        return self._call('get_tags', (self_, ))

    def set_tags(self, self_: thingRef, value: list[str]) -> None:
        """Set the tags field."""
        return self._call('set_tags', (self_, value, ))

    def add_tags(self, self_: thingRef, value: str) -> None:
        """Add an element to the tags set."""
        return self._call('add_tags', (self_, value, ))

    def remove_tags(self, self_: thingRef, value: str) -> None:
        """Remove an element from the tags set."""
        return self._call('remove_tags', (self_, value, ))

    def get_seen(self, self_: thingRef) -> DateTime | str:
        """Get the seen field."""
        return self._call('get_seen', (self_, ))

    def get_record(self, self_: thingRef) -> thingRecord:
        """Get every field of a thing."""
        return self._call('get_record', (self_, ))

    def get_by_uuid(self, uuid: str) -> thingRef:
        """Get the thing with this uuid. Errors: UUID_INVALID."""
        return self._call('get_by_uuid', (uuid, ))

    def get_all(self) -> list[thingRef]:
        """Get every thing."""
        return self._call('get_all', ())

    def get_all_records(self) -> dict[thingRef, thingRecord]:
        """Get every thing with all its fields."""
        return self._call('get_all_records', ())

    def create(self, args: thingRecord) -> thingRef:
        """Create a new thing. Errors: FIELD_TYPE_ERROR, INVALID_VALUE."""
        return self._call('create', (args, ))

    def destroy(self, self_: thingRef) -> None:
        """Destroy a thing."""
        return self._call('destroy', (self_, ))


class Async_thing(ClassProxy):
    """Async.thing: its long messages run as tasks."""
    __slots__ = ()
    _class_name = 'Async.thing'

    def create(self, args: thingRecord) -> TaskRef:
        """As thing.create, run as a task; returns the task. Create a new thing. Errors: FIELD_TYPE_ERROR, INVALID_VALUE."""
        return self._call('create', (args, ))

    def destroy(self, self_: thingRef) -> TaskRef:
        """As thing.destroy, run as a task; returns the task. Destroy a thing."""
        return self._call('destroy', (self_, ))


class AsyncProxy(AsyncProxyBase):
    """session.xenapi.Async: the classes with messages that run as tasks."""
    __slots__ = ()

    @property
    def box(self) -> Async_box:
        return Async_box(self._session)

    @property
    def thing(self) -> Async_thing:
        return Async_thing(self._session)


class XenAPIProxy(RootProxyBase):
    """session.xenapi: every class of the API, Async, login and logout."""
    __slots__ = ()

    @property
    def Async(self) -> AsyncProxy:
        return AsyncProxy(self._session)

    @property
    def box(self) -> box:
        return box(self._session)

    @property
    def thing(self) -> thing:
        return thing(self._session)


__all__ = ['BOX_FULL', 'Colour', 'HANDLE_INVALID', 'SessionRef', 'TaskRef', 'boxRecord', 'boxRef', 'thingRecord', 'thingRef']
