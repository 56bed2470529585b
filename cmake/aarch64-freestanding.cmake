# Toolchain for the hypervisor image: Debian's aarch64 cross compiler, freestanding, no
# exceptions, no RTTI, no C++ run time beyond the freestanding headers.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy CACHE FILEPATH "objcopy for the image")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(TERN_FREESTANDING_FLAGS
    "-ffreestanding -fno-builtin -nostdlib -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables \
-fno-stack-protector -fno-pic -mgeneral-regs-only -mstrict-align -mno-outline-atomics -march=armv8-a")
set(CMAKE_C_FLAGS_INIT "${TERN_FREESTANDING_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${TERN_FREESTANDING_FLAGS} -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "-fno-pic")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -static -Wl,--build-id=none -Wl,-z,norelro -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments")
