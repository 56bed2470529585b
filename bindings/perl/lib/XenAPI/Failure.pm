package XenAPI::Failure;

# XenAPI::Failure: the exception a call dies with when the server answers Status=Failure.
# code() is the error code, params() its parameters (strings); the generated
# XenAPI::Errors adds one subclass per code of the schema, XenAPI::Failure::<CODE>, with an
# accessor per named parameter. Failures stringify as "CODE(name=value, ...)".

use strict;
use warnings;

use overload '""' => \&as_string, fallback => 1;

sub new {
    my ($class, %args) = @_;
    return bless { code => $args{code}, params => [ @{ $args{params} || [] } ] }, $class;
}

# The right subclass for an ErrorDescription [code, params...] from the server.
sub from_description {
    my ($class, $description) = @_;
    my @details = @{ $description || ['UNKNOWN_ERROR'] };
    my $code    = shift(@details) // 'UNKNOWN_ERROR';
    my $sub     = "XenAPI::Failure::$code";
    my $chosen  = $sub->can('param_names') ? $sub : $class;
    return $chosen->new(code => $code, params => \@details);
}

sub code        { return $_[0]{code} }
sub params      { return @{ $_[0]{params} } }
sub details     { return [ $_[0]{code}, @{ $_[0]{params} } ] }
sub param_names { return () }

# The parameter the schema names $name (undef when the server left it out).
sub param {
    my ($self, $name) = @_;
    my @names = $self->param_names;
    for my $i (0 .. $#names) {
        return $self->{params}[$i] if $names[$i] eq $name;
    }
    die "XenAPI: $self->{code} has no parameter '$name'\n";
}

sub as_string {
    my ($self) = @_;
    my @names = $self->param_names;
    my @shown;
    for my $i (0 .. $#{ $self->{params} }) {
        push @shown, ($names[$i] // "#$i") . '=' . ($self->{params}[$i] // '');
    }
    return @shown ? "$self->{code}(" . join(', ', @shown) . ')' : $self->{code};
}

sub throw {
    my ($class, %args) = @_;
    die $class->new(%args);
}

1;
