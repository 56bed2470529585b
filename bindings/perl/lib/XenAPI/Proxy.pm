package XenAPI::Proxy;

# The base of the generated class proxies ($xen->VM, $xen->Async->VM): each method calls
# "<Class>.<message>" with the session reference first. A message the schema does not name
# still goes to the server (AUTOLOAD), untyped.

use strict;
use warnings;

our $AUTOLOAD;

sub _new {
    my ($class, $session, $prefix) = @_;
    return bless { session => $session, prefix => $prefix }, $class;
}

sub _call {
    my ($self, $message, $types, $args) = @_;
    return $self->{session}->_call("$self->{prefix}.$message", $types, $args, 1);
}

sub AUTOLOAD {
    my $self = shift;
    (my $name = $AUTOLOAD) =~ s/.*:://;
    return if $name eq 'DESTROY';
    return $self->_call($name, [], [@_]);
}

package XenAPI::AsyncProxy;

# $xen->Async: the Async.<Class> proxies; classes the schema does not know are untyped.

our $AUTOLOAD;

sub _new { return bless { session => $_[1] }, $_[0] }

sub AUTOLOAD {
    my $self = shift;
    (my $name = $AUTOLOAD) =~ s/.*:://;
    return if $name eq 'DESTROY';
    return XenAPI::Proxy->_new($self->{session}, "Async.$name");
}

1;
