/* Tern's control ABI: how the control domain (dom0) creates and manages other domains.
 *
 * A plain C header, shared by the hypervisor and dom0's user space (dom0/control), so that
 * both sides compile the same layout. It is Tern's own interface, not Xen's domctl: it uses
 * the domctl hypercall number (36), reached from dom0 user space through Linux's privcmd
 * IOCTL_PRIVCMD_HYPERCALL with arg[0] = the address of one struct tern_control in the
 * caller's memory. The hypervisor reads the struct, acts, writes the answers back into it
 * and returns 0 or a negative errno:
 *   -EACCES (13)  interface_version is not TERN_CONTROL_INTERFACE_VERSION (nothing is done;
 *                 the answer's interface_version field holds the hypervisor's version)
 *   -EPERM  (1)   the caller is not the control domain
 *   -EOPNOTSUPP (95) an unknown command
 *   -ESRCH  (3)   no such domain; -EINVAL bad arguments; -ENOMEM not enough memory or over
 *                 the domain's limit; -EBUSY the domain is not in a state for it;
 *   -EFAULT (14)  the struct or a buffer it names cannot be read or written.
 * Every field is little-endian, naturally aligned; the struct is 128 bytes. */
#ifndef TERN_PUBLIC_TERN_CONTROL_H
#define TERN_PUBLIC_TERN_CONTROL_H

#include <stdint.h>

#define TERN_CONTROL_HYPERCALL 36u
/* 'T' 'N', major 1, minor 0. A change of layout or meaning bumps it. */
#define TERN_CONTROL_INTERFACE_VERSION 0x544e0100u

enum tern_control_cmd {
    TERN_CONTROL_CREATE = 1,            /* in: create; out: domain */
    TERN_CONTROL_DESTROY = 2,           /* domain */
    TERN_CONTROL_PAUSE = 3,             /* domain */
    TERN_CONTROL_UNPAUSE = 4,           /* domain */
    TERN_CONTROL_SHUTDOWN = 5,          /* domain, in: shutdown */
    TERN_CONTROL_GET_INFO = 6,          /* domain; out: info */
    TERN_CONTROL_LIST = 7,              /* in/out: list (an array of tern_domain_info) */
    TERN_CONTROL_POPULATE_MEMORY = 8,   /* domain, in: memory; out: memory.done */
    TERN_CONTROL_RELEASE_MEMORY = 9,    /* domain, in: memory; out: memory.done */
    TERN_CONTROL_SET_VCPU_CONTEXT = 10, /* domain, in: vcpu_context */
    TERN_CONTROL_SET_HVM_PARAM = 11,    /* domain, in: hvm_param */
    TERN_CONTROL_GET_HVM_PARAM = 12,    /* domain, in: hvm_param.index; out: hvm_param.value */
    TERN_CONTROL_ALLOC_UNBOUND = 13,    /* domain, in: evtchn.remote_domain; out: evtchn.port */
    TERN_CONTROL_PHYSINFO = 14,         /* out: physinfo */
    TERN_CONTROL_SCHED_SET = 15,        /* domain, in: sched */
    TERN_CONTROL_SCHED_GET = 16,        /* domain, out: sched */
    TERN_CONTROL_VCPU_AFFINITY = 17,    /* domain, in: affinity */
    TERN_CONTROL_WRITE_MEMORY = 18,     /* domain, in: write */
};

/* Domain states (tern_domain_info.state). */
enum tern_domain_state {
    TERN_DOMAIN_PAUSED = 1, /* created, or paused by the control domain */
    TERN_DOMAIN_RUNNING = 2,
    TERN_DOMAIN_SHUTDOWN = 3, /* shut down with shutdown_reason; waits to be destroyed */
};

/* Shutdown reasons: Xen's SHUTDOWN_* values. */
enum tern_shutdown_reason {
    TERN_SHUTDOWN_POWEROFF = 0,
    TERN_SHUTDOWN_REBOOT = 1,
    TERN_SHUTDOWN_SUSPEND = 2,
    TERN_SHUTDOWN_CRASH = 3,
    TERN_SHUTDOWN_WATCHDOG = 4,
};

struct tern_domain_info {
    uint32_t domain;
    uint32_t state;           /* enum tern_domain_state */
    uint32_t shutdown_reason; /* valid in TERN_DOMAIN_SHUTDOWN */
    uint32_t vcpus;           /* max vCPUs */
    uint64_t pages;           /* pages the domain owns now */
    uint64_t max_pages;
    uint64_t cpu_time_ns; /* CPU time of all its vCPUs */
    uint8_t handle[16];   /* the toolstack's UUID for it */
};                        /* 56 bytes */

struct tern_control_create {
    uint32_t max_vcpus;          /* 1..TERN_MAX_VCPUS */
    uint32_t max_grant_frames;   /* 0: the default (32) */
    uint32_t max_event_channels; /* 0: the default (1023) */
    uint32_t flags;              /* 0 */
    uint64_t max_memory_kib;     /* the most memory it may own */
    uint8_t handle[16];
};

struct tern_control_memory {
    uint64_t first_gfn; /* guest frame where the range starts */
    uint64_t nr_pages;
    uint64_t done; /* out: pages populated or released */
};

struct tern_control_shutdown {
    uint32_t reason; /* enum tern_shutdown_reason */
};

struct tern_control_list {
    uint32_t first_domain; /* list domains with ids >= this */
    uint32_t max_entries;  /* room in entries */
    uint64_t entries;      /* caller's address of struct tern_domain_info[max_entries] */
    uint32_t returned;     /* out: entries written */
};

struct tern_control_vcpu_context {
    uint32_t vcpu;
    uint32_t flags; /* 0 */
    uint64_t pc;    /* where the vCPU starts, at EL1 with MMU off */
    uint64_t x0;    /* its first argument (the device tree's address for Linux) */
};

struct tern_control_hvm_param {
    uint32_t index;
    uint32_t pad;
    uint64_t value;
};

struct tern_control_evtchn {
    uint32_t remote_domain; /* the domain that may bind the port */
    uint32_t port;          /* out: the port, in the target domain */
};

struct tern_control_physinfo {
    uint32_t nr_cpus;
    uint32_t max_domains;
    uint64_t total_pages;
    uint64_t free_pages;
};

/* The domain's share of the CPUs, as Xen's credit scheduler counts it. */
struct tern_control_sched {
    uint32_t weight; /* 1..65535, relative to other domains (default 256) */
    uint32_t cap;    /* percent of one CPU the whole domain may use; 0: no cap */
};

/* Which physical CPUs one vCPU may run on (dom0's pinned CPUs are never among them). */
struct tern_control_affinity {
    uint32_t vcpu;
    uint32_t cpumap; /* bit per physical CPU index */
};

/* Copies `size` bytes of the caller's memory at `buffer` into the domain's RAM at guest
 * physical `address`: how the domain builder loads a kernel and ramdisk without mapping the
 * pages into dom0. -EINVAL when a page there is not populated, `buffer` cannot be read or
 * `size` is over TERN_CONTROL_WRITE_MAX. */
struct tern_control_write {
    uint64_t address; /* guest physical address of the first byte */
    uint64_t buffer;  /* caller's address of the bytes */
    uint64_t size;
};
#define TERN_CONTROL_WRITE_MAX (16ull << 20)

struct tern_control {
    uint32_t interface_version; /* in: TERN_CONTROL_INTERFACE_VERSION; out on -EACCES: ours */
    uint32_t cmd;               /* enum tern_control_cmd */
    uint32_t domain;            /* the target domain (out for CREATE) */
    uint32_t pad;
    union {
        struct tern_control_create create;
        struct tern_control_memory memory;
        struct tern_control_shutdown shutdown;
        struct tern_domain_info info;
        struct tern_control_list list;
        struct tern_control_vcpu_context vcpu_context;
        struct tern_control_hvm_param hvm_param;
        struct tern_control_evtchn evtchn;
        struct tern_control_physinfo physinfo;
        struct tern_control_sched sched;
        struct tern_control_affinity affinity;
        struct tern_control_write write;
        uint8_t raw[112];
    } u;
}; /* 128 bytes */

#define TERN_MAX_VCPUS 8u
#define TERN_MAX_DOMAINS 32u

/* Guest physical layout of the domains dom0 creates (Xen's GUEST_* Arm constants). */
#define TERN_GUEST_RAM0_BASE 0x40000000ull
#define TERN_GUEST_RAM0_SIZE 0xc0000000ull
#define TERN_GUEST_RAM1_BASE 0x0200000000ull
#define TERN_GUEST_RAM1_SIZE 0xfe00000000ull
#define TERN_GUEST_MAGIC_BASE 0x39000000ull
#define TERN_GUEST_MAGIC_SIZE 0x01000000ull
#define TERN_GUEST_GNTTAB_BASE 0x38000000ull
#define TERN_GUEST_GNTTAB_SIZE 0x01000000ull
#define TERN_GUEST_GICD_BASE 0x03001000ull
#define TERN_GUEST_GICR_BASE 0x03020000ull
#define TERN_GUEST_EVTCHN_PPI 31u

#endif
