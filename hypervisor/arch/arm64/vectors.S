/* EL2 exception vectors (Arm ARM D1.10.2): 16 entries of 128 bytes, 2 KiB aligned. Every
 * entry saves the general registers and the syndrome into an ExceptionFrame on the stack
 * (layout checked by static_asserts in exception.cpp) and calls tern_el2_exception. */

    .macro entry kind
    .balign 0x80
    sub     sp, sp, #(36 * 8)
    stp     x0, x1, [sp, #(0 * 8)]
    mov     x0, #\kind
    b       tern_vector_common
    .endm

    .section .text, "ax"
    .balign 0x800
    .global tern_el2_vectors
tern_el2_vectors:
    entry 0     /* current EL with SP_EL0: synchronous */
    entry 1     /* IRQ */
    entry 2     /* FIQ */
    entry 3     /* SError */
    entry 4     /* current EL with SP_ELx: synchronous */
    entry 5
    entry 6
    entry 7
    entry 8     /* lower EL, AArch64: synchronous */
    entry 9
    entry 10
    entry 11
    entry 12    /* lower EL, AArch32 */
    entry 13
    entry 14
    entry 15

tern_vector_common:
    stp     x2, x3, [sp, #(2 * 8)]
    stp     x4, x5, [sp, #(4 * 8)]
    stp     x6, x7, [sp, #(6 * 8)]
    stp     x8, x9, [sp, #(8 * 8)]
    stp     x10, x11, [sp, #(10 * 8)]
    stp     x12, x13, [sp, #(12 * 8)]
    stp     x14, x15, [sp, #(14 * 8)]
    stp     x16, x17, [sp, #(16 * 8)]
    stp     x18, x19, [sp, #(18 * 8)]
    stp     x20, x21, [sp, #(20 * 8)]
    stp     x22, x23, [sp, #(22 * 8)]
    stp     x24, x25, [sp, #(24 * 8)]
    stp     x26, x27, [sp, #(26 * 8)]
    stp     x28, x29, [sp, #(28 * 8)]
    mrs     x1, elr_el2
    stp     x30, x1, [sp, #(30 * 8)]
    mrs     x1, spsr_el2
    mrs     x2, esr_el2
    stp     x1, x2, [sp, #(32 * 8)]
    mrs     x1, far_el2
    add     x2, sp, #(36 * 8)           /* the stack pointer before the exception */
    stp     x1, x2, [sp, #(34 * 8)]
    mov     x1, sp
    bl      tern_el2_exception
    /* A handled exception returns here: restore and go back. */
tern_frame_return:
    ldp     x30, x1, [sp, #(30 * 8)]
    msr     elr_el2, x1
    ldp     x1, x2, [sp, #(32 * 8)]
    msr     spsr_el2, x1
    ldp     x2, x3, [sp, #(2 * 8)]
    ldp     x4, x5, [sp, #(4 * 8)]
    ldp     x6, x7, [sp, #(6 * 8)]
    ldp     x8, x9, [sp, #(8 * 8)]
    ldp     x10, x11, [sp, #(10 * 8)]
    ldp     x12, x13, [sp, #(12 * 8)]
    ldp     x14, x15, [sp, #(14 * 8)]
    ldp     x16, x17, [sp, #(16 * 8)]
    ldp     x18, x19, [sp, #(18 * 8)]
    ldp     x20, x21, [sp, #(20 * 8)]
    ldp     x22, x23, [sp, #(22 * 8)]
    ldp     x24, x25, [sp, #(24 * 8)]
    ldp     x26, x27, [sp, #(26 * 8)]
    ldp     x28, x29, [sp, #(28 * 8)]
    ldp     x0, x1, [sp, #(0 * 8)]
    add     sp, sp, #(36 * 8)
    eret

/* tern_resume_frame(frame): enters the guest with the registers of an exception frame built
 * in memory (a vCPU that starts, or that the scheduler puts on this CPU from its idle loop).
 * The stack pointer becomes the frame's end, as after any exception from the guest. */
    .global tern_resume_frame
tern_resume_frame:
    mov     sp, x0
    b       tern_frame_return
