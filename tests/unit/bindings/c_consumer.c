/* A C program outside Tern built with `pkg-config --cflags --libs tern-xenapi`: prints the
 * vendor of every host of the xapid at argv[1], as root over its Unix socket. */
#include <stdio.h>
#include <tern-xenapi/xenapi.h>

int main(int argc, char** argv) {
    if (argc != 2)
        return 2;
    xen_session* s = xen_session_open(argv[1], NULL);
    xen_host_set* hosts = NULL;
    if (!xen_session_login_with_password(s, "root", "", NULL, NULL) ||
        !xen_host_get_all(s, &hosts)) {
        fprintf(stderr, "failed: %s\n", s->error_description[0]);
        xen_session_free(s);
        return 1;
    }
    for (size_t i = 0; i < hosts->size; ++i) {
        xen_host_record* r = NULL;
        if (xen_host_get_record(s, &r, hosts->contents[i]))
            printf("host %s\n", r->API_version_vendor);
        xen_host_record_free(r);
    }
    xen_host_set_free(hosts);
    xen_session_free(s);
    return 0;
}
