/* Tern's entry: the arm64 Image header (Linux's Documentation/arch/arm64/booting.rst), then
 * the first instructions at EL2 with x0 = the device tree's physical address. */

    .equ    TERN_CPU_STACK_SIZE, 0x4000     /* per secondary CPU */

    .section .text.head, "ax"
    .global _start
_start:
    /* code0/code1: branch over the header. */
    b       tern_entry
    .long   0
    .quad   0x200000                        /* text_offset: 2 MiB from the start of RAM */
    .quad   tern_image_end - _start         /* image_size, including BSS and stack */
    .quad   0xa                             /* flags: little-endian, 4 KiB pages, anywhere */
    .quad   0, 0, 0                         /* res2..res4 */
    .ascii  "ARM\x64"                       /* magic */
    .long   0                               /* res5 */

tern_entry:
    mov     x19, x0                         /* the device tree */
    msr     daifset, #0xf                   /* no interrupts until the vectors exist */
    /* Only the boot CPU comes here; it must be at EL2 (CurrentEL bits [3:2] == 2). */
    mrs     x1, CurrentEL
    lsr     x1, x1, #2
    and     x1, x1, #3
    mov     x20, x1
    /* Stack, then BSS cleared. */
    adrp    x1, tern_stack_top
    add     x1, x1, :lo12:tern_stack_top
    mov     sp, x1
    adrp    x1, tern_bss_start
    add     x1, x1, :lo12:tern_bss_start
    adrp    x2, tern_bss_end
    add     x2, x2, :lo12:tern_bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  msr     tpidr_el2, xzr              /* this CPU's index: the boot CPU is 0 */
    mov     x0, x19
    mov     x1, x20
    adr     x2, _start                      /* where we actually run */
    bl      tern_start
3:  wfe
    b       3b

/* sp = the top of the stack of the CPU whose index is in \index (x1-x3 are clobbered):
 * tern_cpu_stacks + (index + 1) * TERN_CPU_STACK_SIZE. */
    .macro cpu_stack index
    adrp    x1, tern_cpu_stacks
    add     x1, x1, :lo12:tern_cpu_stacks
    add     x2, \index, #1
    mov     x3, #TERN_CPU_STACK_SIZE
    madd    x1, x2, x3, x1
    mov     sp, x1
    .endm

/* Secondary CPUs, started with PSCI CPU_ON: x0 = the CPU's index (the context id). Each has
 * its own stack in tern_cpu_stacks. */
    .global tern_secondary_entry
tern_secondary_entry:
    msr     daifset, #0xf
    mov     x19, x0
    msr     tpidr_el2, x0                   /* this CPU's index, for current_cpu_index() */
    mrs     x1, CurrentEL
    lsr     x1, x1, #2
    and     x20, x1, #3
    cpu_stack x19
    mov     x0, x19
    mov     x1, x20
    bl      tern_secondary_start
4:  wfe
    b       4b

/* park_cpu(): back to the idle loop on this CPU's own stack, dropping what was on it. The
 * boot CPU (index 0) parks on the first stack of the array, which no other CPU uses. */
    .global tern_park_cpu
tern_park_cpu:
    msr     daifset, #0xf
    mrs     x0, tpidr_el2
    cpu_stack x0
    mov     x29, xzr
    bl      tern_cpu_idle
5:  wfe
    b       5b

    .section .bss.stacks, "aw", %nobits
    .balign 16
    .global tern_cpu_stacks
tern_cpu_stacks:
    .skip   TERN_CPU_STACK_SIZE * 8
