package XenAPI;

# XenAPI: the Perl binding of Tern's XenAPI, generated from schema/ (XenAPI::API,
# XenAPI::Errors) around this hand-written session, XenAPI::Transport and XenAPI::Codec.
#
#   use XenAPI;
#   my $xen = XenAPI->new('https://host', cafile => 'xapid.pem');
#   $xen->login_with_password('root', 'secret', '2.1', 'my-script');
#   my $vms  = $xen->VM->get_all;                       # array ref of references
#   my $rec  = $xen->VM->get_record($vms->[0]);         # hash ref
#   my $task = $xen->Async->VM->start($vm, 0, 0);
#   eval { $xen->VM->pause($vm); 1 } or do {
#       die $@ unless ref $@ && $@->isa('XenAPI::Failure');
#       print $@->code, ' ', join(',', $@->params), "\n";
#   };
#   $xen->logout;
#
# Options of new: verify => 0 (no certificate check; tests only), cafile => 'ca.pem',
# fingerprint => 'sha256:AB:CD:...' (trust exactly that certificate), ssh_command => [...]
# (instead of 'ssh'). URLs: https://host[:port], unix:///path or a bare path,
# ssh://[user@]host[:port] (runs `ssh [-p port] user@host xapid --stdio`).
#
# Threads: a XenAPI object holds one connection and must stay in the thread that made it (a
# Perl ithread clones it, sockets and TLS state included, which then conflict). Give each
# thread its own XenAPI object.

use strict;
use warnings;

our $VERSION = '2.000';

use XenAPI::Codec;
use XenAPI::Failure;
use XenAPI::Proxy;
use XenAPI::Transport;
use XenAPI::API;
use XenAPI::Errors;

sub new {
    my ($class, $url, %opts) = @_;
    my %transport = map { exists $opts{$_} ? ($_ => $opts{$_}) : () }
        qw(verify cafile fingerprint ssh_command);
    return bless { url => $url, transport => XenAPI::Transport->new($url, %transport),
                   session => undef }, $class;
}

sub url         { return $_[0]{url} }
sub session_ref { return $_[0]{session} }
sub Async       { return XenAPI::AsyncProxy->_new($_[0]) }

# Calls any message by name, e.g. $xen->call('VM.get_all'); the session goes first.
sub call {
    my ($self, $method, @args) = @_;
    return $self->_call($method, [], \@args, 1);
}

sub logout {
    my ($self) = @_;
    my $session = delete $self->{session};
    $self->_request('session.logout', ['s'], [$session]) if defined $session;
    return;
}

sub close {
    my ($self) = @_;
    $self->{transport}->close;
    return;
}

sub _login {
    my ($self, $method, $types, $args) = @_;
    $self->{session} = $self->_request("session.$method", $types, $args);
    return $self->{session};
}

sub _call {
    my ($self, $method, $types, $args, $with_session) = @_;
    return $self->_request($method, $types, $args) unless $with_session;
    return $self->_request($method, [ 's', @$types ], [ $self->{session}, @$args ]);
}

sub _request {
    my ($self, $method, $types, $args) = @_;
    my $body   = XenAPI::Codec::request($method, $types, $args);
    my $answer = XenAPI::Codec::answer($method, $self->{transport}->round_trip($body));
    die "XenAPI: the answer to $method is not a XenAPI result\n"
        unless ref $answer eq 'HASH' && defined $answer->{Status};
    return $answer->{Value} if $answer->{Status} eq 'Success';
    die XenAPI::Failure->from_description($answer->{ErrorDescription});
}

1;
