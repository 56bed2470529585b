# The arm64 implementation of the arch hooks, and the entry at EL2.
set(TERN_HV_ARCH_SOURCES
    arch/arm64/head.S
    arch/arm64/cpu.cpp
    arch/arm64/exception.cpp
    arch/arm64/guest.cpp
    arch/arm64/mmu.cpp
    arch/arm64/vectors.S
    arch/arm64/psci.cpp
    arch/arm64/gic.cpp
    arch/arm64/vgic_cpu.cpp
    arch/arm64/guest_traps.cpp
    arch/arm64/timer.cpp
    arch/arm64/vcpu_context.cpp
    arch/arm64/exit_counts.cpp
    arch/arm64/fpsimd.S)
