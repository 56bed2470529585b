# The generated modules cover the schema: every message of the API surface is a sub of its
# class's proxy (and of its Async proxy where the schema marks it async), every error code a
# XenAPI::Failure subclass with its parameters' names, and arguments are typed for the wire.
use strict;
use warnings;
use Test::More;

use XenAPI;

ok(XenAPI->can('VM') && XenAPI->can('login_with_password') && XenAPI->can('Async'),
   'XenAPI has the class accessors and the login');

my $surface = $ENV{TERN_API_SURFACE};
SKIP: {
    skip 'TERN_API_SURFACE (schema/api-surface.txt) is not set', 3 unless $surface;
    open my $fh, '<', $surface or die "$surface: $!";
    my (@messages, @errors);
    while (my $line = <$fh>) {
        push @messages, [ $1, $2 ] if $line =~ /^message (\w+)\.(\w+)\(/;
        push @errors, [ $1, $2 ] if $line =~ /^error (\w+)\((.*)\)$/;
    }
    my @missing = grep { !"XenAPI::Class::$_->[0]"->can($_->[1]) } @messages;
    is_deeply(\@missing, [], scalar(@messages) . ' messages of the surface are subs');
    my @wrong = grep {
        my $class = "XenAPI::Failure::$_->[0]";
        !$class->isa('XenAPI::Failure') || join(', ', $class->param_names) ne $_->[1]
    } @errors;
    is_deeply(\@wrong, [], scalar(@errors) . ' error codes are typed failures');
    my $async = 0;
    for my $class (keys %XenAPI::API::ASYNC_MESSAGES) {
        for my $message (@{ $XenAPI::API::ASYNC_MESSAGES{$class} }) {
            $async++ if "XenAPI::Async::$class"->can($message);
        }
    }
    ok($async > 50 && XenAPI::Async::VM->can('start') && !XenAPI::Async::VM->can('get_all'),
       "$async Async variants, only of async messages");
}

my $e = XenAPI::Failure->from_description(['VM_BAD_POWER_STATE', 'OpaqueRef:1', 'Halted', 'Running']);
isa_ok($e, 'XenAPI::Failure::VM_BAD_POWER_STATE');
isa_ok($e, 'XenAPI::Failure');
is_deeply([ $e->code, [ $e->params ], $e->vm, $e->expected, $e->actual ],
          [ 'VM_BAD_POWER_STATE', [ 'OpaqueRef:1', 'Halted', 'Running' ], 'OpaqueRef:1',
            'Halted', 'Running' ], 'code, params and named accessors');
is("$e", 'VM_BAD_POWER_STATE(vm=OpaqueRef:1, expected=Halted, actual=Running)', 'stringifies');
my $unknown = XenAPI::Failure->from_description(['NOT_IN_THE_SCHEMA', 'x']);
is(ref $unknown, 'XenAPI::Failure', 'an unknown code is a plain XenAPI::Failure');

my $xml = XenAPI::Codec::request('VM.create', [ [ 'record', 'VM' ] ],
    [ { name_label => '42', memory_static_max => 268435456, is_a_template => 1,
        other_config => { n => 7 }, tags => [ 1, 2 ] } ]);
like($xml, qr{<name>name_label</name><value><string>42</string>}, 'a numeric string stays a string');
like($xml, qr{<name>memory_static_max</name><value><string>268435456</string>}, 'ints go as strings');
like($xml, qr{<name>is_a_template</name><value><boolean>1</boolean>}, 'bools go as booleans');
like($xml, qr{<name>n</name><value><string>7</string>}, 'map values are typed');
like($xml, qr{<array><data><value><string>1</string></value>}, 'set elements are typed');
like(XenAPI::Codec::request('event.from', [ ['set', 's'], 's', 'f' ], [ ['vm'], '', 10 ]),
     qr{<double>10(\.0+)?</double>}, 'floats go as doubles');

done_testing;
