package XenAPI::Transport;

# One HTTP/1.1 connection to xapid kept alive across calls, over TLS (IO::Socket::SSL), a
# Unix socket, or the pipes of `ssh [user@]host xapid --stdio`. round_trip() sends one
# XML-RPC request body and returns the answer's body; when the server closed a kept-alive
# connection while it was idle, the call is sent once more on a new connection.
#
# Not shared between threads: a connection belongs to the XenAPI object that made it.

use strict;
use warnings;

use Carp qw(croak);
use IO::Socket::UNIX;
use IPC::Open2 qw(open2);
use Socket qw(SOCK_STREAM);

our $USER_AGENT = 'tern-xenapi-perl/1';

sub new {
    my ($class, $url, %opts) = @_;
    my $self = bless { opts => \%opts, buf => '' }, $class;
    $url = "unix://$url" if $url =~ m{^/};
    if ($url =~ m{^unix://(/.*)$}) {
        @$self{qw(kind path host)} = ('unix', $1, 'localhost');
    } elsif ($url =~ m{^https://([^/:\[\]]+|\[[^\]]+\])(?::(\d+))?/?$}) {
        @$self{qw(kind host port)} = ('https', $1, $2 // 443);
        $self->{host} =~ s/^\[(.*)\]$/$1/;
        require IO::Socket::SSL;
    } elsif ($url =~ m{^ssh://(?:([^@/]+)@)?([^/:]+)(?::(\d+))?/?$}) {
        my ($user, $host, $port) = ($1, $2, $3);
        my @argv = @{ $opts{ssh_command} || ['ssh'] };
        push @argv, '-p', $port if $port;
        push @argv, (defined $user ? "$user\@$host" : $host), 'xapid', '--stdio';
        @$self{qw(kind argv host)} = ('ssh', \@argv, 'localhost');
    } else {
        croak "XenAPI: unsupported URL '$url': use https://host[:port], unix:///path, a path, "
            . "or ssh://[user\@]host[:port]";
    }
    return $self;
}

sub _connect {
    my ($self) = @_;
    my $kind = $self->{kind};
    $self->{buf} = '';
    if ($kind eq 'unix') {
        $self->{in} = $self->{out} = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $self->{path})
            or die "XenAPI: cannot connect to $self->{path}: $!\n";
    } elsif ($kind eq 'https') {
        my %tls = (PeerHost => $self->{host}, PeerPort => $self->{port});
        my $opts = $self->{opts};
        if (defined $opts->{fingerprint}) {
            my ($algorithm, $digest) = split /:/, $opts->{fingerprint}, 2;
            die "XenAPI: a fingerprint reads 'sha256:<hex digest>'\n"
                unless lc($algorithm // '') eq 'sha256' && defined $digest;
            ($self->{pin} = lc $digest) =~ s/://g;
            %tls = (%tls, SSL_fingerprint => "sha256\$$self->{pin}",
                    SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_PEER());
        } elsif (exists $opts->{verify} && !$opts->{verify}) {
            %tls = (%tls, SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_NONE());
        } else {
            %tls = (%tls, SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_PEER(),
                    SSL_verifycn_scheme => 'http', SSL_verifycn_name => $self->{host});
            $tls{SSL_ca_file} = $opts->{cafile} if defined $opts->{cafile};
        }
        $self->{in} = $self->{out} = IO::Socket::SSL->new(%tls)
            or die "XenAPI: TLS connection to $self->{host}:$self->{port} failed: "
                . IO::Socket::SSL::errstr() . "\n";
        if (defined $self->{pin}) {
            # Checked again here, whatever the TLS library made of the option.
            (my $seen = lc($self->{in}->get_fingerprint('sha256') // '')) =~ s/^sha256\$//;
            $seen =~ s/://g;
            if ($seen ne $self->{pin}) {
                $self->close;
                die "XenAPI: the certificate's fingerprint sha256:$seen is not the pinned one\n";
            }
        }
    } else {
        my ($from_child, $to_child);
        $self->{pid} = open2($from_child, $to_child, @{ $self->{argv} });
        @$self{qw(in out)} = ($from_child, $to_child);
    }
    binmode $self->{in};
    binmode $self->{out};
    return;
}

# Writes all of $data; false when the peer has gone.
sub _write_all {
    my ($self, $data) = @_;
    local $SIG{PIPE} = 'IGNORE';
    my $offset = 0;
    while ($offset < length $data) {
        my $n = syswrite($self->{out}, $data, length($data) - $offset, $offset);
        return 0 unless $n;
        $offset += $n;
    }
    return 1;
}

# More bytes into the buffer; false at end of stream.
sub _fill {
    my ($self) = @_;
    my $n = sysread($self->{in}, my $chunk, 65536);
    return 0 unless $n;
    $self->{buf} .= $chunk;
    return 1;
}

sub _read_line {
    my ($self) = @_;
    while ((my $at = index($self->{buf}, "\n")) < 0) {
        return undef unless $self->_fill;
    }
    my $at = index($self->{buf}, "\n");
    my $line = substr($self->{buf}, 0, $at + 1, '');
    $line =~ s/\r?\n$//;
    return $line;
}

sub _read_bytes {
    my ($self, $n) = @_;
    while (length($self->{buf}) < $n) {
        die "XenAPI: the connection closed inside an answer\n" unless $self->_fill;
    }
    return substr($self->{buf}, 0, $n, '');
}

sub _read_response {
    my ($self) = @_;
    my $status = $self->_read_line;
    return undef unless defined $status;    # closed before answering
    my ($code, $reason) = $status =~ m{^HTTP/1\.[01] (\d{3}) ?(.*)$}
        or die "XenAPI: not an HTTP answer: '$status'\n";
    my %headers;
    while (defined(my $line = $self->_read_line)) {
        last if $line eq '';
        my ($name, $value) = $line =~ /^([^:]+):\s*(.*)$/ or next;
        $headers{ lc $name } = $value;
    }
    my $body = '';
    if (lc($headers{'transfer-encoding'} // '') eq 'chunked') {
        while (1) {
            my $size = hex($self->_read_line // die "XenAPI: the connection closed\n");
            last if $size == 0;
            $body .= $self->_read_bytes($size);
            $self->_read_line;
        }
        while (defined(my $trailer = $self->_read_line)) { last if $trailer eq '' }
    } elsif (defined $headers{'content-length'}) {
        $body = $self->_read_bytes($headers{'content-length'});
    } else {
        1 while $self->_fill;
        $body = substr($self->{buf}, 0, length $self->{buf}, '');
        $headers{connection} = 'close';
    }
    return { code => $code, reason => $reason, body => $body,
             close => lc($headers{connection} // '') eq 'close' };
}

sub round_trip {
    my ($self, $body) = @_;
    my $request = "POST / HTTP/1.1\r\nHost: $self->{host}\r\nUser-Agent: $USER_AGENT\r\n"
        . "Content-Type: text/xml\r\nContent-Length: " . length($body) . "\r\n\r\n" . $body;
    for my $attempt (1, 2) {
        my $fresh = !$self->{in};
        $self->_connect if $fresh;
        my $response = $self->_write_all($request) ? $self->_read_response : undef;
        if (!$response) {
            $self->close;
            die "XenAPI: the server closed the connection without answering\n" if $fresh;
            next;    # an idle connection the server closed: once more on a new one
        }
        $self->close if $response->{close};
        die "XenAPI: HTTP $response->{code} $response->{reason}\n" if $response->{code} != 200;
        return $response->{body};
    }
    die "XenAPI: the connection closed twice\n";
}

sub close {
    my ($self) = @_;
    my ($in, $out, $pid) = delete @$self{qw(in out pid)};
    CORE::close($out) if $out;
    CORE::close($in) if $in && (!$out || $in != $out);
    waitpid($pid, 0) if $pid;
    $self->{buf} = '';
    return;
}

sub DESTROY { $_[0]->close }

1;
