# Devices the hypervisor itself drives.
set(TERN_HV_DRIVER_SOURCES drivers/pl011.cpp)
