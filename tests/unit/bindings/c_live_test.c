/* The C binding against a live xapid (sim backend), run by with_xapid.py. Two sessions to two
 * endpoints live in one process; every result is freed, so valgrind and LeakSanitizer runs of
 * this program report nothing. Exits non-zero on the first failed check. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tern-xenapi/xenapi.h>

#define MiB ((int64_t)1048576)

static int failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
            return;                                                                  \
        }                                                                            \
    } while (0)

#define CHECK_OK(session, call)                                                                  \
    do {                                                                                         \
        if (!(call)) {                                                                           \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,                 \
                    (session)->error_description_count ? (session)->error_description[0] : "?"); \
            for (int i_ = 1; i_ < (session)->error_description_count; ++i_)                      \
                fprintf(stderr, "  %s\n", (session)->error_description[i_]);                     \
            failures++;                                                                          \
            return;                                                                              \
        }                                                                                        \
    } while (0)

static const char* env(const char* name) {
    const char* v = getenv(name);
    if (!v) {
        fprintf(stderr, "%s is not set: run under with_xapid.py\n", name);
        exit(2);
    }
    return v;
}

static xen_session* unix_root(void) {
    char url[512];
    snprintf(url, sizeof url, "unix://%s", env("TERN_XAPID_UNIX"));
    xen_session* s = xen_session_open(url, NULL);
    if (!xen_session_login_with_password(s, "root", "", NULL, "c-test"))
        fprintf(stderr, "unix login failed: %s\n", s->error_description[0]);
    return s;
}

static void two_sessions_to_two_endpoints_in_one_process(void) {
    xen_session* local = unix_root();
    xen_connect_options options = {0};
    options.tls_ca_file = env("TERN_XAPID_CERT");
    xen_session* remote = xen_session_open(env("TERN_XAPID_HTTPS"), &options);
    xen_connect_options ssh_options = {0};
    xen_session* ssh = xen_session_open("ssh://root@xapid-host", &ssh_options);
    CHECK(local->ok);
    CHECK_OK(remote, xen_session_login_with_password(remote, env("TERN_XAPID_USER"),
                                                     env("TERN_XAPID_PASSWORD"), "2.0", NULL));
    CHECK_OK(ssh, xen_session_login_with_password(ssh, "root", "", NULL, NULL));
    CHECK(xen_session_id(local) && xen_session_id(remote));
    CHECK(strcmp(xen_session_id(local), xen_session_id(remote)) != 0);

    xen_session* all[] = {local, remote, ssh};
    for (int i = 0; i < 3; ++i) {
        xen_host_set* hosts = NULL;
        CHECK_OK(all[i], xen_host_get_all(all[i], &hosts));
        CHECK(hosts->size == 1);
        xen_host_record* record = NULL;
        CHECK_OK(all[i], xen_host_get_record(all[i], &record, hosts->contents[0]));
        CHECK(strcmp(record->API_version_vendor, "Tern") == 0);
        CHECK(record->enabled);
        xen_host_record_free(record);
        xen_host_set_free(hosts);
    }
    CHECK_OK(remote, xen_session_logout(remote));
    CHECK(xen_session_id(remote) == NULL);
    xen_session_free(local);
    xen_session_free(remote);
    xen_session_free(ssh);
}

static void https_refuses_an_untrusted_certificate(void) {
    xen_session* s = xen_session_open(env("TERN_XAPID_HTTPS"), NULL);
    CHECK(!xen_session_login_with_password(s, env("TERN_XAPID_USER"), env("TERN_XAPID_PASSWORD"),
                                           NULL, NULL));
    CHECK(!s->ok);
    CHECK(strcmp(s->error_description[0], "TRANSPORT_ERROR") == 0);
    xen_session_free(s);

    xen_connect_options pinned = {0};
    pinned.tls_sha256_fingerprint = env("TERN_XAPID_FINGERPRINT");
    s = xen_session_open(env("TERN_XAPID_HTTPS"), &pinned);
    CHECK_OK(s, xen_session_login_with_password(s, env("TERN_XAPID_USER"),
                                                env("TERN_XAPID_PASSWORD"), NULL, NULL));
    xen_session_free(s);
}

static void a_bad_url_leaves_the_error_on_the_session(void) {
    xen_session* s = xen_session_open("gopher://nowhere", NULL);
    CHECK(s && !s->ok);
    CHECK(strcmp(s->error_description[0], "TRANSPORT_ERROR") == 0);
    xen_vm_set* vms = NULL;
    CHECK(!xen_vm_get_all(s, &vms));
    CHECK(vms == NULL);
    xen_session_free(s);
}

static void vm_life_cycle_with_typed_records_errors_async_and_events(void) {
    xen_session* s = unix_root();
    CHECK(s->ok);
    xen_vm_record* fields = xen_vm_record_alloc();
    CHECK(fields->VCPUs_max == 1);
    fields->name_label = strdup("c-binding-test");
    fields->PV_kernel = strdup("/boot/vmlinuz");
    fields->memory_static_min = fields->memory_dynamic_min = 256 * MiB;
    fields->memory_static_max = fields->memory_dynamic_max = 256 * MiB;
    xen_vm vm = NULL;
    CHECK_OK(s, xen_vm_create(s, &vm, fields));
    xen_vm_record_free(fields);

    CHECK_OK(s, xen_vm_set_memory_static_max(s, vm, 512 * MiB));
    CHECK_OK(s, xen_vm_add_to_other_config(s, vm, "owner", "c"));
    xen_vm_record* record = NULL;
    CHECK_OK(s, xen_vm_get_record(s, &record, vm));
    CHECK(strcmp(record->name_label, "c-binding-test") == 0);
    CHECK(record->memory_static_max == 512 * MiB);
    CHECK(record->power_state == XEN_VM_POWER_STATE_HALTED);
    CHECK(record->other_config->size == 1);
    CHECK(strcmp(record->other_config->contents[0].key, "owner") == 0);
    xen_vm by_uuid = NULL;
    CHECK_OK(s, xen_vm_get_by_uuid(s, &by_uuid, record->uuid));
    CHECK(strcmp(xen_vm_to_string(by_uuid), xen_vm_to_string(vm)) == 0);
    xen_vm_free(by_uuid);
    xen_vm_record_free(record);

    /* An error stays on the session, with its code and parameters, until cleared. */
    CHECK(!xen_vm_pause(s, vm));
    CHECK(!s->ok);
    CHECK(s->error_description_count == 4);
    CHECK(strcmp(s->error_description[0], "VM_BAD_POWER_STATE") == 0);
    CHECK(strcmp(s->error_description[1], xen_vm_to_string(vm)) == 0);
    CHECK(strcmp(s->error_description[2], "Running") == 0);
    CHECK(strcmp(s->error_description[3], "Halted") == 0);
    enum xen_vm_power_state state = XEN_VM_POWER_STATE_UNDEFINED;
    CHECK(!xen_vm_get_power_state(s, &state, vm));
    xen_session_clear_error(s);
    CHECK_OK(s, xen_vm_get_power_state(s, &state, vm));
    CHECK(state == XEN_VM_POWER_STATE_HALTED);

    /* Async start, then event.from until the VM's snapshot says Running. */
    char cls[600];
    snprintf(cls, sizeof cls, "VM/%s", xen_vm_to_string(vm));
    xen_string_set* classes = xen_string_set_alloc(1);
    classes->contents[0] = strdup(cls);
    xen_event_batch* batch = NULL;
    CHECK_OK(s, xen_event_from(s, &batch, classes, "", 0.0));
    char* token = strdup(batch->token);
    xen_event_batch_free(batch);
    xen_task task = NULL;
    CHECK_OK(s, xen_vm_start_async(s, &task, vm, false, false));
    int running = 0;
    while (!running) {
        CHECK_OK(s, xen_event_from(s, &batch, classes, token, 10.0));
        free(token);
        token = strdup(batch->token);
        for (size_t i = 0; i < batch->events->size; ++i) {
            xen_string_string_map* snap = batch->events->contents[i]->snapshot;
            for (size_t j = 0; snap && j < snap->size; ++j)
                if (strcmp(snap->contents[j].key, "power_state") == 0 &&
                    strcmp(snap->contents[j].val, "Running") == 0)
                    running = 1;
        }
        xen_event_batch_free(batch);
    }
    free(token);
    xen_string_set_free(classes);
    enum xen_task_status_type status = XEN_TASK_STATUS_TYPE_PENDING;
    while (status == XEN_TASK_STATUS_TYPE_PENDING)
        CHECK_OK(s, xen_task_get_status(s, &status, task));
    CHECK(status == XEN_TASK_STATUS_TYPE_SUCCESS);
    CHECK(strcmp(xen_task_status_type_to_string(status), "success") == 0);
    CHECK(xen_vm_power_state_from_string("running") == XEN_VM_POWER_STATE_RUNNING);
    CHECK_OK(s, xen_task_destroy(s, task));
    xen_task_free(task);

    CHECK_OK(s, xen_vm_hard_shutdown(s, vm));
    CHECK_OK(s, xen_vm_destroy(s, vm));
    CHECK(!xen_vm_get_record(s, &record, vm));
    CHECK(strcmp(s->error_description[0], "HANDLE_INVALID") == 0);
    xen_vm_free(vm);
    xen_session_free(s);
}

int main(void) {
    two_sessions_to_two_endpoints_in_one_process();
    https_refuses_an_untrusted_certificate();
    a_bad_url_leaves_the_error_on_the_session();
    vm_life_cycle_with_typed_records_errors_async_and_events();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("all C binding checks passed");
    return 0;
}
