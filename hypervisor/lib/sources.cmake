# Freestanding support. TERN_HV_LIB_SOURCES build for the image and, in tests/unit/hypervisor,
# for the host; the image-only ones stand in for the C library the image does not have.
set(TERN_HV_LIB_SOURCES lib/fdt.cpp lib/fdt_writer.cpp lib/format.cpp)
set(TERN_HV_LIB_IMAGE_ONLY_SOURCES lib/string.cpp lib/cxx_support.cpp)
