/* A minimal arm64 Image (Linux's boot header, so that Tern's domain builder loads it as it
 * loads a kernel) for the tests of domain building and running: it writes one line with
 * console_io, waits for its EL1 physical timer to expire (Tern traps and emulates it), says so
 * and shuts its domain down with SCHEDOP_shutdown(poweroff). Assembled with
 * -DSPIN it writes another line and then spins for ever instead (the tests destroy it while
 * it runs). Runs with the MMU off. */
    .section .text
    .global _start
_start:
    b       entry                   /* code0 */
    .word   0                       /* code1 */
    .quad   0                       /* text_offset */
    .quad   image_end - _start      /* image_size */
    .quad   0xa                     /* flags: little-endian, 4 KiB pages, anywhere in RAM */
    .quad   0, 0, 0                 /* res2, res3, res4 */
    .ascii  "ARM\x64"               /* magic, at offset 56 */
    .word   0                       /* res5 */
entry:
    mov     x0, #0                  /* CONSOLEIO_write */
    mov     x1, #(message_end - message)
    adr     x2, message
    mov     x16, #18                /* console_io */
    hvc     #0xea1
#ifdef SPIN
2:  b       2b
#endif
    mov     x3, #10000              /* 10000 ticks from now */
    msr     cntp_tval_el0, x3
    mov     x3, #1                  /* ENABLE (interrupts stay masked here) */
    msr     cntp_ctl_el0, x3
3:  mrs     x3, cntp_ctl_el0
    tbz     x3, #2, 3b              /* until ISTATUS */
    mrs     x3, cntp_tval_el0
    tbz     x3, #31, 3b             /* TVAL counts below zero once it expired */
    msr     cntp_ctl_el0, xzr
    mov     x0, #0                  /* CONSOLEIO_write */
    mov     x1, #(expired_end - expired)
    adr     x2, expired
    mov     x16, #18                /* console_io */
    hvc     #0xea1
    mov     x0, #2                  /* SCHEDOP_shutdown */
    adr     x1, reason
    mov     x16, #29                /* sched_op */
    hvc     #0xea1
1:  wfi
    b       1b
message:
#ifdef SPIN
    .ascii  "spinning until destroyed\n"
#else
    .ascii  "hello from a Tern domU\n"
#endif
message_end:
expired:
    .ascii  "physical timer expired\n"
expired_end:
    .balign 8
reason:
    .word   0                       /* SHUTDOWN_poweroff */
    .balign 8
image_end:
