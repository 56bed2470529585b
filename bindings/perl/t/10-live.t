# The Perl binding against a live xapid (sim backend), started here when XAPID names the
# daemon: the Unix socket, HTTPS (verified by default, a CA file, a pinned fingerprint, or
# unverified), the ssh transport (t/bin/ssh stands in for ssh), typed failures, Async tasks,
# event.from, and one connection kept alive across calls.
use strict;
use warnings;
use Test::More;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep);

use XenAPI;

plan skip_all => 'XAPID is not set: these tests need a xapid binary to run against'
    unless $ENV{XAPID};

my $MiB   = 1 << 20;
my $state = tempdir('xenapi-perl-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $sock  = "$state/xapi.sock";
my $log   = "$state/xapid.log";

my $pid = fork // die "fork: $!";
if ($pid == 0) {
    open STDOUT, '>', $log or die;
    open STDERR, '>&', \*STDOUT or die;
    exec $ENV{XAPID}, '--state-dir', $state, '--unix', $sock, '--https', '127.0.0.1:0',
        '--idle-timeout', '3' or die "exec $ENV{XAPID}: $!";
}
END { if ($pid) { kill 'TERM', $pid; waitpid $pid, 0 } }

sub log_text { open my $fh, '<', $log or return ''; local $/; return <$fh> // '' }
until (log_text() =~ /ready/) {
    die "xapid exited:\n" . log_text() if waitpid($pid, WNOHANG) == $pid;
    sleep 0.05;
}
my ($port) = log_text() =~ /serving HTTPS on \S+ \(port (\d+)\)/;
my $https = "https://127.0.0.1:$port";
my $cert  = "$state/xapid.pem";

sub failure_of (&) {
    my ($code) = @_;
    return eval { $code->(); 1 } ? undef : $@;
}

sub new_vm {
    my ($xen, $name) = @_;
    my $m = 256 * $MiB;
    return $xen->VM->create({ name_label => $name, memory_static_min => $m,
        memory_dynamic_min => $m, memory_dynamic_max => $m, memory_static_max => $m });
}

subtest 'the Unix socket, records and typed failures' => sub {
    my $xen = XenAPI->new("unix://$sock");
    like($xen->login_with_password('root', '', '2.1', 'perl-tests'), qr/^OpaqueRef:/, 'root logs in');
    my $vms = $xen->VM->get_all;
    ok(@$vms >= 1, 'VM.get_all gives references');
    my $records = $xen->VM->get_all_records;
    is_deeply([ sort keys %$records ], [ sort @$vms ], 'get_all_records is keyed by reference');
    my ($dom0) = grep { $records->{$_}{is_control_domain} } @$vms;
    is($xen->VM->get_by_uuid($records->{$dom0}{uuid}), $dom0, 'get_by_uuid');
    my $host = $xen->session->get_this_host($xen->session_ref);
    is($xen->host->get_record($host)->{API_version_vendor}, 'Tern', 'host record');

    my $vm = new_vm($xen, 'perl-vm');
    $xen->VM->set_VCPUs_max($vm, 2);
    $xen->VM->add_to_other_config($vm, 'purpose', '0042');
    is_deeply($xen->VM->get_other_config($vm), { purpose => '0042' }, 'map values stay strings');
    is($xen->VM->get_VCPUs_max($vm), '2', 'ints come back as decimal strings');

    my $e = failure_of { $xen->VM->pause($vm) };
    isa_ok($e, 'XenAPI::Failure::VM_BAD_POWER_STATE');
    is_deeply([ $e->vm, $e->expected, $e->actual ], [ $vm, 'Running', 'Halted' ], 'named params');
    $e = failure_of { $xen->VM->get_record('OpaqueRef:nothing') };
    isa_ok($e, 'XenAPI::Failure::HANDLE_INVALID');
    is_deeply([ $e->params ], [ 'VM', 'OpaqueRef:nothing' ], 'HANDLE_INVALID params');
    $e = failure_of { $xen->VM->no_such_message($vm) };
    is($e->code, 'MESSAGE_METHOD_UNKNOWN', 'an unknown message goes to the server');
    $xen->VM->destroy($vm);
    $xen->logout;
    is($xen->session_ref, undef, 'logout forgets the session');
};

subtest 'Async tasks and event.from' => sub {
    my $xen = XenAPI->new($sock);    # a bare path is the Unix socket
    $xen->login_with_password('root', '', '2.1', 'perl-tests');
    my $vm    = new_vm($xen, 'perl-async');
    my $token = $xen->event->from(["VM/$vm"], '', 0.0)->{token};
    my $task  = $xen->Async->VM->start($vm, 0, 0);
    like($task, qr/^OpaqueRef:/, 'Async.VM.start gives a task');
    my @seen;
    until (grep { $_ eq 'Running' } @seen) {
        my $answer = $xen->event->from(["VM/$vm"], $token, 10.0);
        $token = $answer->{token};
        push @seen, map { $_->{snapshot}{power_state} } grep { $_->{ref} eq $vm } @{ $answer->{events} };
    }
    $token = $xen->event->from(["task/$task"], $token, 10.0)->{token}
        while $xen->task->get_status($task) eq 'pending';
    is($xen->task->get_status($task), 'success', 'the task succeeds');
    is($xen->task->get_name_label($task), 'Async.VM.start', 'and is named after the call');
    $xen->VM->hard_shutdown($vm);
    $xen->logout;
};

subtest 'one connection kept alive; an idle close is survived' => sub {
    my $xen = XenAPI->new("unix://$sock");
    $xen->login_with_password('root', '', '2.1', 'perl-tests');
    my $connection = $xen->{transport}{in};
    $xen->pool->get_all for 1 .. 20;
    is($xen->{transport}{in}, $connection, 'twenty calls on one connection');
    sleep 4;    # past --idle-timeout 3: the daemon closes the connection
    ok(@{ $xen->VM->get_all } >= 1, 'the next call reconnects');
    isnt($xen->{transport}{in}, $connection, 'on a new connection');
    $xen->logout;
};

subtest 'HTTPS verifies the certificate' => sub {
    my $e = failure_of { XenAPI->new($https)->login_with_password('x', 'y', '2.1', 'perl-tests') };
    like("$e", qr/certificate verify failed|verify/i, 'an unknown self-signed certificate is refused');
    my $fingerprint = `openssl x509 -noout -fingerprint -sha256 -in $cert`;
    ($fingerprint) = $fingerprint =~ /=([0-9A-F:]+)/;
    $e = failure_of { XenAPI->new($https, fingerprint => 'sha256:' . ('00' x 32))
                          ->login_with_password('x', 'y', '2.1', 'perl-tests') };
    ok($e && !(ref $e && $e->isa('XenAPI::Failure')), 'a wrong fingerprint is refused');

    my %trust = (cafile => [ cafile => $cert ], fingerprint => [ fingerprint => "sha256:$fingerprint" ],
                 unverified => [ verify => 0 ]);
    for my $how (sort keys %trust) {
        my $xen = XenAPI->new($https, @{ $trust{$how} });
        $e = failure_of { $xen->login_with_password('nobody-here', 'wrong', '2.1', 'perl-tests') };
        isa_ok($e, 'XenAPI::Failure::SESSION_AUTHENTICATION_FAILED', "$how: TLS up, a bad login");
    }
    SKIP: {
        skip 'a local account for an HTTPS login needs root', 2 if $> != 0;
        my $user = sprintf 'xapil%06d', int rand 1e6;
        my $password = join '', map { ('a' .. 'z', 0 .. 9)[ rand 36 ] } 1 .. 16;
        # Again while another test holds the password file's lock (tests run in parallel).
        my $retrying = sub { for (1 .. 100) { return if system(@_) == 0; sleep 0.1 } die "@_ failed\n" };
        $retrying->('useradd', '--no-create-home', '--shell', '/usr/sbin/nologin', $user);
        $retrying->('sh', '-c', "echo '$user:$password' | chpasswd");
        my $xen = XenAPI->new($https, cafile => $cert);
        my $ok = eval { $xen->login_with_password($user, $password, '2.1', 'perl-tests'); 1 };
        my $vms = $ok ? $xen->VM->get_all : [];
        $retrying->('userdel', $user);
        ok($ok, 'a local account logs in over HTTPS') or diag $@;
        ok(@$vms >= 1, 'and calls');
    }
};

subtest 'ssh runs xapid --stdio over its pipes' => sub {
    my $host_state = tempdir('xenapi-perl-ssh-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    local $ENV{FAKE_SSH_STATE_DIR} = $host_state;
    local $ENV{PATH} = abs_path(dirname(__FILE__)) . "/bin:$ENV{PATH}";
    my $xen = XenAPI->new('ssh://root@tern-host:2222');
    $xen->login_with_password('root', '', '2.1', 'perl-tests');
    my $vm = new_vm($xen, 'over-ssh');
    is($xen->VM->get_name_label($vm), 'over-ssh', 'calls go through');
    isa_ok(failure_of { $xen->VM->unpause($vm) }, 'XenAPI::Failure::VM_BAD_POWER_STATE');
    $xen->logout;
    $xen->close;
    open my $fh, '<', "$host_state/ssh-args" or die;
    my @runs = <$fh>;
    is_deeply(\@runs, ["-p 2222 root\@tern-host xapid --stdio\n"], 'one ssh process for every call');
};

done_testing;
