package XenAPI::API;

# Generated from schema/ by bindings/generator/tern-gen (emit_perl.py). Do not edit.

use strict;
use warnings;

our $API_VERSION = '1.2';

# The wire type of every field of every record (see XenAPI::Codec).
%XenAPI::Codec::RECORD_TYPES = (
    'box' => {
        'uuid' => 's',
        'name_label' => 's',
        'things' => ['set', 's'],
        'capacity' => 's',
        'labels' => ['map', 's', 's'],
    },
    'thing' => {
        'uuid' => 's',
        'box' => 's',
        'colour' => 's',
        'tags' => ['set', 's'],
        'seen' => 'd',
    },
);

# Every class and message, for callers that want to list them.
our %MESSAGES = (
    'box' => [qw(shake get_uuid get_name_label set_name_label get_things get_capacity get_labels set_labels add_to_labels remove_from_labels get_record get_by_uuid get_by_name_label get_all get_all_records create destroy)],
    'thing' => [qw(get_uuid get_box get_colour set_colour get_tags set_tags add_tags remove_tags get_seen get_record get_by_uuid get_all get_all_records create destroy)],
);
our %ASYNC_MESSAGES = (
    'box' => [qw(shake create destroy)],
    'thing' => [qw(create destroy)],
);

package XenAPI::Class::box;

# box: A box that holds things.
our @ISA = ('XenAPI::Proxy');

# box.shake($self, $hard) -> int. Shake the box. Errors: BOX_FULL.
sub shake {
    my $self = shift;
    return $self->_call('shake', ['s', 'b'], [@_]);
}

# box.get_uuid($self) -> string. Get the uuid field.
sub get_uuid {
    my $self = shift;
    return $self->_call('get_uuid', ['s'], [@_]);
}

# box.get_name_label($self) -> string. Get the name_label field.
sub get_name_label {
    my $self = shift;
    return $self->_call('get_name_label', ['s'], [@_]);
}

# box.set_name_label($self, $value) -> void. Set the name_label field.
sub set_name_label {
    my $self = shift;
    return $self->_call('set_name_label', ['s', 's'], [@_]);
}

# box.get_things($self) -> (thing ref) set. Get the things field.
sub get_things {
    my $self = shift;
    return $self->_call('get_things', ['s'], [@_]);
}

# box.get_capacity($self) -> int. Get the capacity field.
sub get_capacity {
    my $self = shift;
    return $self->_call('get_capacity', ['s'], [@_]);
}

# box.get_labels($self) -> (string -> string) map. Get the labels field.
sub get_labels {
    my $self = shift;
    return $self->_call('get_labels', ['s'], [@_]);
}

# box.set_labels($self, $value) -> void. Set the labels field.
sub set_labels {
    my $self = shift;
    return $self->_call('set_labels', ['s', ['map', 's', 's']], [@_]);
}

# box.add_to_labels($self, $key, $value) -> void. Add a key to the labels map. Errors:
# MAP_DUPLICATE_KEY.
sub add_to_labels {
    my $self = shift;
    return $self->_call('add_to_labels', ['s', 's', 's'], [@_]);
}

# box.remove_from_labels($self, $key) -> void. Remove a key from the labels map.
sub remove_from_labels {
    my $self = shift;
    return $self->_call('remove_from_labels', ['s', 's'], [@_]);
}

# box.get_record($self) -> box record. Get every field of a box.
sub get_record {
    my $self = shift;
    return $self->_call('get_record', ['s'], [@_]);
}

# box.get_by_uuid($uuid) -> box ref. Get the box with this uuid. Errors: UUID_INVALID.
sub get_by_uuid {
    my $self = shift;
    return $self->_call('get_by_uuid', ['s'], [@_]);
}

# box.get_by_name_label($label) -> (box ref) set. Get every box with this name.
sub get_by_name_label {
    my $self = shift;
    return $self->_call('get_by_name_label', ['s'], [@_]);
}

# box.get_all() -> (box ref) set. Get every box.
sub get_all {
    my $self = shift;
    return $self->_call('get_all', [], [@_]);
}

# box.get_all_records() -> ((box ref) -> (box record)) map. Get every box with all its
# fields.
sub get_all_records {
    my $self = shift;
    return $self->_call('get_all_records', [], [@_]);
}

# box.create($args) -> box ref. Create a new box. Errors: FIELD_TYPE_ERROR, INVALID_VALUE.
sub create {
    my $self = shift;
    return $self->_call('create', [['record', 'box']], [@_]);
}

# box.destroy($self) -> void. Destroy a box.
sub destroy {
    my $self = shift;
    return $self->_call('destroy', ['s'], [@_]);
}

package XenAPI::Async::box;

# Async.box: each sub runs its message as a task and returns the task.
our @ISA = ('XenAPI::Proxy');

# Async.box.shake($self, $hard) -> int. Shake the box. Errors: BOX_FULL.
sub shake {
    my $self = shift;
    return $self->_call('shake', ['s', 'b'], [@_]);
}

# Async.box.create($args) -> box ref. Create a new box. Errors: FIELD_TYPE_ERROR,
# INVALID_VALUE.
sub create {
    my $self = shift;
    return $self->_call('create', [['record', 'box']], [@_]);
}

# Async.box.destroy($self) -> void. Destroy a box.
sub destroy {
    my $self = shift;
    return $self->_call('destroy', ['s'], [@_]);
}

package XenAPI::Class::thing;

# thing: A thing in a box.
our @ISA = ('XenAPI::Proxy');

# thing.get_uuid($self) -> string. Get the uuid field.
sub get_uuid {
    my $self = shift;
    return $self->_call('get_uuid', ['s'], [@_]);
}

# thing.get_box($self) -> box ref. Get the box field.
sub get_box {
    my $self = shift;
    return $self->_call('get_box', ['s'], [@_]);
}

# thing.get_colour($self) -> colour. Get the colour field.
sub get_colour {
    my $self = shift;
    return $self->_call('get_colour', ['s'], [@_]);
}

# thing.set_colour($self, $value) -> void. Set the colour field. Errors: INVALID_VALUE.
sub set_colour {
    my $self = shift;
    return $self->_call('set_colour', ['s', 's'], [@_]);
}

# thing.get_tags($self) -> string set. Get the tags field.
sub get_tags {
    my $self = shift;
    return $self->_call('get_tags', ['s'], [@_]);
}

# thing.set_tags($self, $value) -> void. Set the tags field.
sub set_tags {
    my $self = shift;
    return $self->_call('set_tags', ['s', ['set', 's']], [@_]);
}

# thing.add_tags($self, $value) -> void. Add an element to the tags set.
sub add_tags {
    my $self = shift;
    return $self->_call('add_tags', ['s', 's'], [@_]);
}

# thing.remove_tags($self, $value) -> void. Remove an element from the tags set.
sub remove_tags {
    my $self = shift;
    return $self->_call('remove_tags', ['s', 's'], [@_]);
}

# thing.get_seen($self) -> datetime. Get the seen field.
sub get_seen {
    my $self = shift;
    return $self->_call('get_seen', ['s'], [@_]);
}

# thing.get_record($self) -> thing record. Get every field of a thing.
sub get_record {
    my $self = shift;
    return $self->_call('get_record', ['s'], [@_]);
}

# thing.get_by_uuid($uuid) -> thing ref. Get the thing with this uuid. Errors: UUID_INVALID.
sub get_by_uuid {
    my $self = shift;
    return $self->_call('get_by_uuid', ['s'], [@_]);
}

# thing.get_all() -> (thing ref) set. Get every thing.
sub get_all {
    my $self = shift;
    return $self->_call('get_all', [], [@_]);
}

# thing.get_all_records() -> ((thing ref) -> (thing record)) map. Get every thing with all
# its fields.
sub get_all_records {
    my $self = shift;
    return $self->_call('get_all_records', [], [@_]);
}

# thing.create($args) -> thing ref. Create a new thing. Errors: FIELD_TYPE_ERROR,
# INVALID_VALUE.
sub create {
    my $self = shift;
    return $self->_call('create', [['record', 'thing']], [@_]);
}

# thing.destroy($self) -> void. Destroy a thing.
sub destroy {
    my $self = shift;
    return $self->_call('destroy', ['s'], [@_]);
}

package XenAPI::Async::thing;

# Async.thing: each sub runs its message as a task and returns the task.
our @ISA = ('XenAPI::Proxy');

# Async.thing.create($args) -> thing ref. Create a new thing. Errors: FIELD_TYPE_ERROR,
# INVALID_VALUE.
sub create {
    my $self = shift;
    return $self->_call('create', [['record', 'thing']], [@_]);
}

# Async.thing.destroy($self) -> void. Destroy a thing.
sub destroy {
    my $self = shift;
    return $self->_call('destroy', ['s'], [@_]);
}

package XenAPI::AsyncProxy;

sub box { return XenAPI::Async::box->_new($_[0]{session}, 'Async.box') }
sub thing { return XenAPI::Async::thing->_new($_[0]{session}, 'Async.thing') }

package XenAPI;

sub box { return XenAPI::Class::box->_new($_[0], 'box') }
sub thing { return XenAPI::Class::thing->_new($_[0], 'thing') }

1;
