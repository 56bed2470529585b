#!/usr/bin/perl
# The conformance scenario (scenario.md) through the Perl binding. Prints the transcript.
#
# Usage: scenario.pl --url URL --user USER --password PASSWORD [--cafile FILE]
# The XenAPI modules are found on PERL5LIB (the build's bindings/perl/dist/lib).
use strict;
use warnings;

use Getopt::Long qw(GetOptions);
use XenAPI;

my $MiB = 1 << 20;
my @STEPS = qw(login host template vm memory vcpus disk nic start pause unpause
               bad_power_state async_shutdown destroy logout);
my %opt = (password => '');
GetOptions(\%opt, 'url=s', 'user=s', 'password=s', 'cafile=s')
    or die "usage: scenario.pl --url URL --user USER --password PASSWORD [--cafile FILE]\n";
die "scenario.pl: --url and --user are required\n" unless $opt{url} && defined $opt{user};
$| = 1;

my $done = 0;
sub say_step {
    my ($step, $text) = @_;
    $done++;
    printf "%02d %s: %s\n", $done, $step, $text;
}

sub show_bool { return $_[0] ? 'true' : 'false' }

sub error_params {
    my ($failure, $vm) = @_;
    return '[' . join(',', map { $_ eq $vm ? '<vm>' : $_ } $failure->params) . ']';
}

# Calls event.from on $classes until an event satisfies $done; returns the token.
sub wait_for_event {
    my ($xen, $classes, $token, $is_done) = @_;
    while (1) {
        my $answer = $xen->event->from($classes, $token, 10.0);
        $token = $answer->{token};
        return $token if grep { $is_done->($_) } @{ $answer->{events} };
    }
}

sub run {
    my $xen = XenAPI->new($opt{url}, defined $opt{cafile} ? (cafile => $opt{cafile}) : ());
    $xen->login_with_password($opt{user}, $opt{password}, '2.1', 'tern-conformance');
    say_step('login', 'ok');

    my $host    = $xen->session->get_this_host($xen->session_ref);
    my $h       = $xen->host->get_record($host);
    my $metrics = $xen->host_metrics->get_record($h->{metrics});
    say_step('host', "API_version=$h->{API_version_major}.$h->{API_version_minor} "
        . "vendor=$h->{API_version_vendor} enabled=" . show_bool($h->{enabled})
        . " memory_total=$metrics->{memory_total}");

    my $m = 256 * $MiB;
    my $template = $xen->VM->create({
        name_label => 'conformance-template', is_a_template => 1,
        memory_static_min => $m, memory_dynamic_min => $m, memory_dynamic_max => $m,
        memory_static_max => $m, VCPUs_max => 1, VCPUs_at_startup => 1,
        PV_kernel => '/boot/vmlinuz', PV_args => 'console=hvc0',
        actions_after_reboot => 'restart', actions_after_shutdown => 'destroy' });
    my $t = $xen->VM->get_record($template);
    say_step('template', "name_label=$t->{name_label} is_a_template=" . show_bool($t->{is_a_template}));

    my $vm = $xen->VM->clone($template, 'conformance-guest');
    $xen->VM->provision($vm);
    $xen->VM->set_is_a_template($vm, 0);
    my $r = $xen->VM->get_record($vm);
    say_step('vm', "name_label=$r->{name_label} is_a_template=" . show_bool($r->{is_a_template})
        . " power_state=$r->{power_state}");

    $xen->VM->set_memory_static_max($vm, 512 * $MiB);
    $xen->VM->set_memory_dynamic_max($vm, 512 * $MiB);
    $xen->VM->set_memory_dynamic_min($vm, 512 * $MiB);
    $r = $xen->VM->get_record($vm);
    say_step('memory', "static_min=$r->{memory_static_min} dynamic_min=$r->{memory_dynamic_min} "
        . "dynamic_max=$r->{memory_dynamic_max} static_max=$r->{memory_static_max}");

    $xen->VM->set_VCPUs_max($vm, 2);
    $xen->VM->set_VCPUs_at_startup($vm, 2);
    $r = $xen->VM->get_record($vm);
    say_step('vcpus', "max=$r->{VCPUs_max} at_startup=$r->{VCPUs_at_startup}");

    my $pool = $xen->pool->get_all->[0];
    my $sr   = $xen->pool->get_default_SR($pool);
    my $vdi  = $xen->VDI->create({ SR => $sr, virtual_size => 64 * $MiB,
        name_label => 'conformance-disk', type => 'user', sharable => 0, read_only => 0,
        other_config => {} });
    my $vbd = $xen->VBD->create({ VM => $vm, VDI => $vdi, userdevice => '0', bootable => 1,
        mode => 'RW', type => 'Disk', empty => 0 });
    my $b = $xen->VBD->get_record($vbd);
    say_step('disk', 'virtual_size=' . $xen->VDI->get_virtual_size($vdi)
        . " userdevice=$b->{userdevice} type=$b->{type} mode=$b->{mode} vbds="
        . scalar(@{ $xen->VM->get_VBDs($vm) }));

    my $network = $xen->network->create({ name_label => 'conformance-net', bridge => 'xenbr0' });
    my $vif = $xen->VIF->create({ VM => $vm, network => $network, device => '0', MTU => '1500' });
    my $v = $xen->VIF->get_record($vif);
    say_step('nic', "device=$v->{device} MTU=$v->{MTU} mac_prefix=" . substr($v->{MAC}, 0, 9)
        . ' vifs=' . scalar(@{ $xen->VM->get_VIFs($vm) }));

    my $watched = ["VM/$vm"];
    my $token = $xen->event->from($watched, '', 0.0)->{token};
    $xen->VM->start($vm, 0, 0);
    wait_for_event($xen, $watched, $token, sub {
        my ($e) = @_;
        return $e->{ref} eq $vm && ($e->{snapshot}{power_state} // '') eq 'Running';
    });
    $r = $xen->VM->get_record($vm);
    say_step('start', "event=Running power_state=$r->{power_state} domid_positive="
        . show_bool($r->{domid} > 0) . ' vbd_attached='
        . show_bool($xen->VBD->get_currently_attached($vbd)) . ' vif_attached='
        . show_bool($xen->VIF->get_currently_attached($vif)));

    $xen->VM->pause($vm);
    say_step('pause', 'power_state=' . $xen->VM->get_power_state($vm));
    $xen->VM->unpause($vm);
    say_step('unpause', 'power_state=' . $xen->VM->get_power_state($vm));

    if (eval { $xen->VM->start($vm, 0, 0); 1 }) {
        die "VM.start of a running VM succeeded\n";
    }
    my $failure = $@;
    die $failure unless ref $failure && $failure->isa('XenAPI::Failure::VM_BAD_POWER_STATE');
    say_step('bad_power_state', 'code=' . $failure->code . ' params=' . error_params($failure, $vm));

    my $task = $xen->Async->VM->clean_shutdown($vm);
    $watched = ["task/$task"];
    $token = $xen->event->from($watched, '', 0.0)->{token};
    while ($xen->task->get_status($task) =~ /^(pending|cancelling)$/) {
        $token = $xen->event->from($watched, $token, 10.0)->{token};
    }
    my $k = $xen->task->get_record($task);
    $xen->task->destroy($task);
    say_step('async_shutdown', "status=$k->{status} name=$k->{name_label} power_state="
        . $xen->VM->get_power_state($vm) . ' vif_attached='
        . show_bool($xen->VIF->get_currently_attached($vif)));

    $xen->VM->destroy($vm);
    $xen->VDI->destroy($vdi);
    $xen->VM->destroy($template);
    $xen->network->destroy($network);
    if (eval { $xen->VM->get_record($vm); 1 }) {
        die "VM.get_record of a destroyed VM succeeded\n";
    }
    $failure = $@;
    die $failure unless ref $failure && $failure->isa('XenAPI::Failure');
    say_step('destroy', 'code=' . $failure->code . ' params=' . error_params($failure, $vm));

    $xen->logout;
    say_step('logout', 'ok');
}

if (!eval { run(); 1 }) {
    my $error = "$@";
    chomp $error;
    my $step = $STEPS[$done] // 'end';
    printf "%02d %s: FAILED %s\n", $done + 1, $step, $error;
    exit 1;
}
exit 0;
