# The generic core: no arch code here. TERN_HV_COMMON_SOURCES build for the image and for the
# host tests; the image-only set (the boot flow, which drives the arch hooks) is not
# host-testable yet and is named separately so that it visibly shrinks.
set(TERN_HV_COMMON_SOURCES common/boot_info.cpp common/command_line.cpp common/dom0_device_tree.cpp
                           common/page_allocator.cpp common/vcpu_power.cpp
                           common/event_channels.cpp common/event_channel_op.cpp
                           common/vgic.cpp common/guest_devices.cpp common/log_level.cpp
                           common/grant_table.cpp common/domain_memory.cpp common/domain.cpp
                           common/control_plane.cpp common/foreign_maps.cpp
                           common/dom0_memory.cpp common/stage2_tables.cpp common/scheduler.cpp
                           common/domain_hypercalls.cpp common/dom0_grants.cpp
                           common/physical_timer.cpp common/console_line.cpp)
set(TERN_HV_COMMON_IMAGE_ONLY_SOURCES common/guest_calls.cpp common/firmware_calls.cpp
                                      common/start.cpp common/page_allocator_memory.cpp
                                      common/domain_vcpu_calls.cpp common/vcpu_scheduling.cpp)
