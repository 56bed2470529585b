/* The C binding of the Tern XenAPI: #include <tern-xenapi/xenapi.h>, link with
 * `pkg-config --cflags --libs tern-xenapi`.
 *
 * A xen_session is one connection to one xapid (URL forms as in the C++ binding:
 * https://host[:port], http://host[:port], unix:///path or /path, ssh://[user@]host[:port]),
 * with the session reference after a login. Nothing is global: any number of sessions to any
 * number of hosts live side by side in one process.
 *
 * Errors stay on the session, as in Xen's C binding: a call answers false and sets
 * session->ok = false, session->error_description[0] = the error code ("VM_BAD_POWER_STATE")
 * and [1..error_description_count-1] = its parameters. Connection problems use the codes
 * TRANSPORT_ERROR and PROTOCOL_ERROR with one parameter saying what happened. While ok is
 * false every call does nothing and answers false: read the error, then
 * xen_session_clear_error().
 *
 * Memory: every result a call hands back belongs to the caller and has a free function:
 * free() for strings, xen_<class>_free for references, xen_<class>_record_free for records,
 * xen_<type>_set_free / xen_<k>_<v>_map_free for sets and maps (they free what they hold).
 * Parameters are only read.
 *
 * Threads: a session is not for concurrent use (its error fields are shared); give each thread
 * its own session, or serialize the calls on one. Different sessions are independent.
 */
#ifndef TERN_XENAPI_H
#define TERN_XENAPI_H

#include <stdbool.h>

#include "tern-xenapi/xenapi_generated.h"

#ifdef __cplusplus
extern "C" {
#endif

struct xen_session_impl;

struct xen_session {
    bool ok;
    char** error_description;
    int error_description_count;
    struct xen_session_impl* impl; /* the connection: private */
};

typedef struct xen_connect_options {
    /* HTTPS: do not verify the server's certificate at all (testing only). */
    bool tls_no_verify;
    /* HTTPS: trust the CA (or self-signed certificate) in this PEM file instead of the
     * system's CAs; the host name is still checked. */
    const char* tls_ca_file;
    /* HTTPS: accept exactly the certificate with this SHA-256 fingerprint (hex). */
    const char* tls_sha256_fingerprint;
    /* ssh://: the program to run instead of "ssh". */
    const char* ssh_program;
} xen_connect_options;

/* A session for `url` (options may be NULL). Never NULL unless memory runs out; a bad URL
 * leaves the session with ok == false and the error set. The connection opens on first use. */
xen_session* xen_session_open(const char* url, const xen_connect_options* options);

/* session.login_with_password; version and originator may be NULL ("2.0", "tern-xenapi-c"). */
bool xen_session_login_with_password(xen_session* session, const char* uname, const char* pwd,
                                     const char* version, const char* originator);
/* session.logout and session.local_logout of this session's reference. */
bool xen_session_logout(xen_session* session);
bool xen_session_local_logout(xen_session* session);
/* The session's reference after a login ("OpaqueRef:..."), or NULL. Owned by the session. */
const char* xen_session_id(const xen_session* session);

/* Forgets the error: ok becomes true again. */
void xen_session_clear_error(xen_session* session);
/* Logs out when still logged in (best effort), closes the connection and frees everything. */
void xen_session_free(xen_session* session);

#ifdef __cplusplus
}
#endif

#endif
