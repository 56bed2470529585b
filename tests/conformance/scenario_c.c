/* The conformance scenario (scenario.md) through the C binding. Prints the transcript.
 *
 * Usage: scenario_c --url URL --user USER --password PASSWORD [--cafile FILE] */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tern-xenapi/xenapi.h>

#define MiB ((int64_t)1048576)

static const char* const steps[] = {"login",          "host",    "template", "vm",
                                    "memory",         "vcpus",   "disk",     "nic",
                                    "start",          "pause",   "unpause",  "bad_power_state",
                                    "async_shutdown", "destroy", "logout"};
static int done;

static void say(const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    printf("%02d %s: ", done + 1, steps[done]);
    vprintf(format, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
    ++done;
}

static int fail(const char* what, const xen_session* s) {
    printf("%02d %s: FAILED %s", done + 1, done < 15 ? steps[done] : "end", what);
    for (int i = 0; s && i < s->error_description_count; ++i)
        printf(" %s", s->error_description[i]);
    printf("\n");
    return 1;
}

#define TRY(call)                  \
    do {                           \
        if (!(call))               \
            return fail(#call, s); \
    } while (0)

static const char* show(bool b) {
    return b ? "true" : "false";
}

/* "[a,b,c]" of the session's error parameters, the VM's reference shown as <vm>. */
static void error_params(const xen_session* s, xen_vm vm, char* buf, size_t size) {
    size_t at = 0;
    at += (size_t)snprintf(buf + at, size - at, "[");
    for (int i = 1; i < s->error_description_count && at < size; ++i) {
        const char* p = s->error_description[i];
        at += (size_t)snprintf(buf + at, size - at, "%s%s", i > 1 ? "," : "",
                               strcmp(p, xen_vm_to_string(vm)) == 0 ? "<vm>" : p);
    }
    if (at < size)
        snprintf(buf + at, size - at, "]");
}

static const char* snapshot_field(const xen_event_record* e, const char* key) {
    for (size_t i = 0; e->snapshot && i < e->snapshot->size; ++i)
        if (strcmp(e->snapshot->contents[i].key, key) == 0)
            return e->snapshot->contents[i].val;
    return "";
}

static xen_string_set* one_class(const char* prefix, const char* ref) {
    xen_string_set* set = xen_string_set_alloc(1);
    set->contents[0] = malloc(strlen(prefix) + strlen(ref) + 1);
    strcpy(set->contents[0], prefix);
    strcat(set->contents[0], ref);
    return set;
}

static int run(xen_session* s, const char* user, const char* password) {
    TRY(xen_session_login_with_password(s, user, password, "2.1", "tern-conformance"));
    say("ok");

    xen_session_ref me = xen_session_ref_from_string(xen_session_id(s));
    xen_host host = NULL;
    xen_host_record* h = NULL;
    xen_host_metrics_record* hm = NULL;
    TRY(xen_session_get_this_host(s, &host, me));
    TRY(xen_host_get_record(s, &h, host));
    TRY(xen_host_metrics_get_record(s, &hm, h->metrics));
    say("API_version=%" PRId64 ".%" PRId64 " vendor=%s enabled=%s memory_total=%" PRId64,
        h->API_version_major, h->API_version_minor, h->API_version_vendor, show(h->enabled),
        hm->memory_total);
    xen_session_ref_free(me);
    xen_host_free(host);
    xen_host_record_free(h);
    xen_host_metrics_record_free(hm);

    xen_vm_record* fields = xen_vm_record_alloc();
    free(fields->name_label);
    fields->name_label = strdup("conformance-template");
    fields->is_a_template = true;
    fields->memory_static_min = fields->memory_dynamic_min = 256 * MiB;
    fields->memory_dynamic_max = fields->memory_static_max = 256 * MiB;
    fields->VCPUs_max = fields->VCPUs_at_startup = 1;
    free(fields->PV_kernel);
    fields->PV_kernel = strdup("/boot/vmlinuz");
    free(fields->PV_args);
    fields->PV_args = strdup("console=hvc0");
    fields->actions_after_reboot = XEN_ON_NORMAL_EXIT_RESTART;
    fields->actions_after_shutdown = XEN_ON_NORMAL_EXIT_DESTROY;
    xen_vm template = NULL;
    TRY(xen_vm_create(s, &template, fields));
    xen_vm_record_free(fields);
    xen_vm_record* r = NULL;
    TRY(xen_vm_get_record(s, &r, template));
    say("name_label=%s is_a_template=%s", r->name_label, show(r->is_a_template));
    xen_vm_record_free(r);

    xen_vm vm = NULL;
    TRY(xen_vm_clone(s, &vm, template, "conformance-guest"));
    TRY(xen_vm_provision(s, vm));
    TRY(xen_vm_set_is_a_template(s, vm, false));
    TRY(xen_vm_get_record(s, &r, vm));
    say("name_label=%s is_a_template=%s power_state=%s", r->name_label, show(r->is_a_template),
        xen_vm_power_state_to_string(r->power_state));
    xen_vm_record_free(r);

    TRY(xen_vm_set_memory_static_max(s, vm, 512 * MiB));
    TRY(xen_vm_set_memory_dynamic_max(s, vm, 512 * MiB));
    TRY(xen_vm_set_memory_dynamic_min(s, vm, 512 * MiB));
    TRY(xen_vm_get_record(s, &r, vm));
    say("static_min=%" PRId64 " dynamic_min=%" PRId64 " dynamic_max=%" PRId64
        " static_max=%" PRId64,
        r->memory_static_min, r->memory_dynamic_min, r->memory_dynamic_max, r->memory_static_max);
    xen_vm_record_free(r);

    TRY(xen_vm_set_VCPUs_max(s, vm, 2));
    TRY(xen_vm_set_VCPUs_at_startup(s, vm, 2));
    TRY(xen_vm_get_record(s, &r, vm));
    say("max=%" PRId64 " at_startup=%" PRId64, r->VCPUs_max, r->VCPUs_at_startup);
    xen_vm_record_free(r);

    xen_pool_set* pools = NULL;
    TRY(xen_pool_get_all(s, &pools));
    xen_vdi_record* disk = xen_vdi_record_alloc();
    TRY(xen_pool_get_default_SR(s, &disk->SR, pools->contents[0]));
    xen_pool_set_free(pools);
    disk->virtual_size = 64 * MiB;
    free(disk->name_label);
    disk->name_label = strdup("conformance-disk");
    disk->type = XEN_VDI_TYPE_USER;
    disk->sharable = false;
    disk->read_only = false;
    xen_vdi vdi = NULL;
    TRY(xen_vdi_create(s, &vdi, disk));
    xen_vdi_record_free(disk);
    xen_vbd_record* attach = xen_vbd_record_alloc();
    attach->VM = xen_vm_from_string(xen_vm_to_string(vm));
    attach->VDI = xen_vdi_from_string(xen_vdi_to_string(vdi));
    free(attach->userdevice);
    attach->userdevice = strdup("0");
    attach->bootable = true;
    attach->mode = XEN_VBD_MODE_RW;
    attach->type = XEN_VBD_TYPE_DISK;
    attach->empty = false;
    xen_vbd vbd = NULL;
    TRY(xen_vbd_create(s, &vbd, attach));
    xen_vbd_record_free(attach);
    xen_vbd_record* b = NULL;
    int64_t virtual_size = 0;
    xen_vbd_set* vbds = NULL;
    TRY(xen_vbd_get_record(s, &b, vbd));
    TRY(xen_vdi_get_virtual_size(s, &virtual_size, vdi));
    TRY(xen_vm_get_VBDs(s, &vbds, vm));
    say("virtual_size=%" PRId64 " userdevice=%s type=%s mode=%s vbds=%zu", virtual_size,
        b->userdevice, xen_vbd_type_to_string(b->type), xen_vbd_mode_to_string(b->mode),
        vbds->size);
    xen_vbd_record_free(b);
    xen_vbd_set_free(vbds);

    xen_network_record* net = xen_network_record_alloc();
    free(net->name_label);
    net->name_label = strdup("conformance-net");
    free(net->bridge);
    net->bridge = strdup("xenbr0");
    xen_network network = NULL;
    TRY(xen_network_create(s, &network, net));
    xen_network_record_free(net);
    xen_vif_record* nic = xen_vif_record_alloc();
    nic->VM = xen_vm_from_string(xen_vm_to_string(vm));
    nic->network = xen_network_from_string(xen_network_to_string(network));
    free(nic->device);
    nic->device = strdup("0");
    nic->MTU = 1500;
    xen_vif vif = NULL;
    TRY(xen_vif_create(s, &vif, nic));
    xen_vif_record_free(nic);
    xen_vif_record* v = NULL;
    xen_vif_set* vifs = NULL;
    TRY(xen_vif_get_record(s, &v, vif));
    TRY(xen_vm_get_VIFs(s, &vifs, vm));
    say("device=%s MTU=%" PRId64 " mac_prefix=%.9s vifs=%zu", v->device, v->MTU, v->MAC,
        vifs->size);
    xen_vif_record_free(v);
    xen_vif_set_free(vifs);

    xen_string_set* watched = one_class("VM/", xen_vm_to_string(vm));
    xen_event_batch* batch = NULL;
    TRY(xen_event_from(s, &batch, watched, "", 0.0));
    char* token = strdup(batch->token);
    xen_event_batch_free(batch);
    TRY(xen_vm_start(s, vm, false, false));
    for (bool running = false; !running;) {
        TRY(xen_event_from(s, &batch, watched, token, 10.0));
        free(token);
        token = strdup(batch->token);
        for (size_t i = 0; i < batch->events->size; ++i) {
            const xen_event_record* e = batch->events->contents[i];
            if (strcmp(e->ref, xen_vm_to_string(vm)) == 0 &&
                strcmp(snapshot_field(e, "power_state"), "Running") == 0)
                running = true;
        }
        xen_event_batch_free(batch);
    }
    free(token);
    xen_string_set_free(watched);
    bool vbd_attached = false, vif_attached = false;
    TRY(xen_vm_get_record(s, &r, vm));
    TRY(xen_vbd_get_currently_attached(s, &vbd_attached, vbd));
    TRY(xen_vif_get_currently_attached(s, &vif_attached, vif));
    say("event=Running power_state=%s domid_positive=%s vbd_attached=%s vif_attached=%s",
        xen_vm_power_state_to_string(r->power_state), show(r->domid > 0), show(vbd_attached),
        show(vif_attached));
    xen_vm_record_free(r);

    enum xen_vm_power_state state;
    TRY(xen_vm_pause(s, vm));
    TRY(xen_vm_get_power_state(s, &state, vm));
    say("power_state=%s", xen_vm_power_state_to_string(state));
    TRY(xen_vm_unpause(s, vm));
    TRY(xen_vm_get_power_state(s, &state, vm));
    say("power_state=%s", xen_vm_power_state_to_string(state));

    char params[1024];
    if (xen_vm_start(s, vm, false, false))
        return fail("VM.start of a running VM succeeded", NULL);
    error_params(s, vm, params, sizeof params);
    say("code=%s params=%s", s->error_description[0], params);
    xen_session_clear_error(s);

    xen_task task = NULL;
    TRY(xen_vm_clean_shutdown_async(s, &task, vm));
    watched = one_class("task/", xen_task_to_string(task));
    TRY(xen_event_from(s, &batch, watched, "", 0.0));
    token = strdup(batch->token);
    xen_event_batch_free(batch);
    for (;;) {
        enum xen_task_status_type status;
        TRY(xen_task_get_status(s, &status, task));
        if (status != XEN_TASK_STATUS_TYPE_PENDING && status != XEN_TASK_STATUS_TYPE_CANCELLING)
            break;
        TRY(xen_event_from(s, &batch, watched, token, 10.0));
        free(token);
        token = strdup(batch->token);
        xen_event_batch_free(batch);
    }
    free(token);
    xen_string_set_free(watched);
    xen_task_record* k = NULL;
    TRY(xen_task_get_record(s, &k, task));
    TRY(xen_task_destroy(s, task));
    TRY(xen_vm_get_power_state(s, &state, vm));
    TRY(xen_vif_get_currently_attached(s, &vif_attached, vif));
    say("status=%s name=%s power_state=%s vif_attached=%s",
        xen_task_status_type_to_string(k->status), k->name_label,
        xen_vm_power_state_to_string(state), show(vif_attached));
    xen_task_record_free(k);
    xen_task_free(task);

    TRY(xen_vm_destroy(s, vm));
    TRY(xen_vdi_destroy(s, vdi));
    TRY(xen_vm_destroy(s, template));
    TRY(xen_network_destroy(s, network));
    if (xen_vm_get_record(s, &r, vm))
        return fail("VM.get_record of a destroyed VM succeeded", NULL);
    error_params(s, vm, params, sizeof params);
    say("code=%s params=%s", s->error_description[0], params);
    xen_session_clear_error(s);
    xen_vm_free(vm);
    xen_vm_free(template);
    xen_vdi_free(vdi);
    xen_vbd_free(vbd);
    xen_network_free(network);
    xen_vif_free(vif);

    TRY(xen_session_logout(s));
    say("ok");
    return 0;
}

int main(int argc, char** argv) {
    const char *url = NULL, *user = "", *password = "", *cafile = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--url") == 0)
            url = argv[i + 1];
        else if (strcmp(argv[i], "--user") == 0)
            user = argv[i + 1];
        else if (strcmp(argv[i], "--password") == 0)
            password = argv[i + 1];
        else if (strcmp(argv[i], "--cafile") == 0)
            cafile = argv[i + 1];
    }
    if (!url) {
        fprintf(stderr,
                "usage: scenario_c --url URL --user USER --password PASSWORD [--cafile FILE]\n");
        return 2;
    }
    xen_connect_options options = {0};
    options.tls_ca_file = cafile;
    xen_session* s = xen_session_open(url, &options);
    const int rc = s->ok ? run(s, user, password) : fail("xen_session_open", s);
    xen_session_free(s);
    return rc;
}
