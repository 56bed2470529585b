package XenAPI::Codec;

# XML-RPC requests and answers through RPC::XML, typed by the schema. A type is 's' (string,
# and also int: XenAPI carries 64-bit integers as decimal strings, and enums and references),
# 'b' (bool), 'f' (float), 'd' (datetime), 'any' (no schema type: scalars go as strings),
# ['set', T], ['map', K, V] or ['record', 'Class'] (fields typed by the generated
# %XenAPI::API::RECORD_TYPES). A value that is already an RPC::XML datatype goes as it is.

use strict;
use warnings;

use RPC::XML;
use RPC::XML::ParserFactory;
use Scalar::Util qw(blessed reftype);

our %RECORD_TYPES;    # filled by XenAPI::API

sub encode {
    my ($type, $value) = @_;
    return $value if blessed($value) && $value->isa('RPC::XML::datatype');
    if (ref $type) {
        my ($kind, @of) = @$type;
        if ($kind eq 'set') {
            return RPC::XML::array->new(from => [ map { encode($of[0], $_) } @{ $value || [] } ]);
        }
        if ($kind eq 'map') {
            my %h = map { ("$_" => encode($of[1], $value->{$_})) } keys %{ $value || {} };
            return RPC::XML::struct->new(\%h);
        }
        my $fields = $RECORD_TYPES{ $of[0] } || {};
        my %h = map { ($_ => encode($fields->{$_} // 'any', $value->{$_})) } keys %{ $value || {} };
        return RPC::XML::struct->new(\%h);
    }
    return RPC::XML::nil->new if !defined $value && $type eq 'any';
    return RPC::XML::boolean->new($value ? 1 : 0) if $type eq 'b';
    return RPC::XML::double->new($value) if $type eq 'f';
    return encode_any($value) if $type eq 'any';
    return RPC::XML::string->new(defined $value ? "$value" : '');
}

# A value of no schema type: hashes as structs, arrays as arrays, scalars as strings.
sub encode_any {
    my ($value) = @_;
    return $value if blessed($value) && $value->isa('RPC::XML::datatype');
    my $kind = reftype($value) // '';
    return RPC::XML::array->new(from => [ map { encode_any($_) } @$value ]) if $kind eq 'ARRAY';
    return RPC::XML::struct->new({ map { ("$_" => encode_any($value->{$_})) } keys %$value })
        if $kind eq 'HASH';
    return RPC::XML::nil->new unless defined $value;
    return RPC::XML::string->new("$value");
}

sub request {
    my ($method, $types, $args) = @_;
    my @values = map { encode($types->[$_] // 'any', $args->[$_]) } 0 .. $#$args;
    local $RPC::XML::ALLOW_NIL = 1;
    return RPC::XML::request->new($method, @values)->as_string;
}

# The answer's value: the XenAPI result struct as Perl data (booleans as 1 and 0).
sub answer {
    my ($method, $xml) = @_;
    local $RPC::XML::ALLOW_NIL = 1;
    my $response = RPC::XML::ParserFactory->new->parse($xml);
    die "XenAPI: the answer to $method is not XML-RPC: $response\n" unless ref $response;
    die "XenAPI: $method: XML-RPC fault: " . $response->value->string . "\n"
        if $response->is_fault;
    return $response->value->value;
}

1;
