// The whole C++ binding: #include "tern/xenapi/xenapi.hpp".
#pragma once

#include "tern/xenapi/api_generated.hpp"
#include "tern/xenapi/errors_generated.hpp"
#include "tern/xenapi/failure.hpp"
#include "tern/xenapi/session.hpp"
#include "tern/xenapi/value.hpp"
