package XenAPI::Errors;

# Generated from schema/ by bindings/generator/tern-gen (emit_perl.py). Do not edit.
# One XenAPI::Failure subclass per error code: XenAPI::Failure::<CODE>.

use strict;
use warnings;

our @CODES = qw(HANDLE_INVALID BOX_FULL);

package XenAPI::Failure::HANDLE_INVALID;

# No such object.
our @ISA = ('XenAPI::Failure');
sub param_names { return qw(class handle) }
sub class { return $_[0]->param('class') }
sub handle { return $_[0]->param('handle') }

package XenAPI::Failure::BOX_FULL;

# The box is full.
our @ISA = ('XenAPI::Failure');
sub param_names { return qw(box capacity) }
sub box { return $_[0]->param('box') }
sub capacity { return $_[0]->param('capacity') }

1;
