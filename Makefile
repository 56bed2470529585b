# Tern: the entry point. `make run` starts the stack, `make test` installs what it needs,
# builds and runs every test tier. See README.md.

BUILD       ?= build
ASAN_BUILD  ?= $(BUILD)/asan
HV_BUILD    ?= $(BUILD)/hypervisor
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
JOBS        ?= $(shell nproc)

.PHONY: all deps build host hypervisor asan dom0-kernel dom0-tools dom0-initramfs dom0-xapid dom0-stack guest-images test run bench fuzz format clean

all: build

deps:
	@scripts/deps.sh

build: host hypervisor

host:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# The hypervisor image, cross-compiled (once hypervisor/ has its build).
hypervisor:
	@if [ -f hypervisor/CMakeLists.txt ]; then \
	    cmake -S hypervisor -B $(HV_BUILD) $(CMAKE_FLAGS) \
	        -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/aarch64-freestanding.cmake && \
	    cmake --build $(HV_BUILD) -j $(JOBS); \
	else echo "hypervisor: no hypervisor/CMakeLists.txt yet, nothing to build"; fi

# The same sources and tests once more, under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DTERN_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Debian's stock arm64 kernel, which the system tests boot as dom0, and busybox-static
# (build/downloads), from Debian's archive.
dom0-kernel:
	@scripts/fetch-debian-arm64.sh

# dom0's own tools for arm64 (tern-ctl, ...), static binaries in build/dom0-tools/bin.
DOM0_TOOLS_BUILD ?= $(BUILD)/dom0-tools
dom0-tools:
	cmake -S dom0/cross -B $(DOM0_TOOLS_BUILD) $(CMAKE_FLAGS) \
	    -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/aarch64-linux-gnu.cmake
	cmake --build $(DOM0_TOOLS_BUILD) -j $(JOBS)

# dom0's ramdisk: busybox, the virtio and Xen modules, dom0's tools and dom0/image/init.sh
# (build/dom0/initrd.cpio.gz).
dom0-initramfs: dom0-kernel dom0-tools
	@scripts/build-dom0-initramfs.sh

# xapid for arm64, linked against Debian's arm64 libraries (build/dom0-xapid/bin/xapid).
DOM0_XAPID_BUILD ?= $(BUILD)/dom0-xapid
dom0-xapid:
	cmake -S dom0/cross-xapid -B $(DOM0_XAPID_BUILD) $(CMAKE_FLAGS) \
	    -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/aarch64-linux-gnu-multiarch.cmake
	cmake --build $(DOM0_XAPID_BUILD) -j $(JOBS) --target xapid

# dom0's stack image (`make run`): the ramdisk plus xapid, dropbear, PAM and the libraries they
# need, from Debian's arm64 packages (build/dom0/stack-initrd.cpio.gz).
dom0-stack: dom0-initramfs dom0-xapid
	@scripts/build-dom0-stack.sh

# The busybox test guest (a domU) and the bundle dom0 reads it from (build/guest/).
guest-images: dom0-kernel
	@scripts/build-guest-images.sh

# Every phase timed (scripts/test.sh): deps, build, asan, dom0-initramfs, dom0-stack,
# guest-images, then the tests and the sanitizer run of the unit and integration tests.
test:
	@MAKE="$(MAKE)" BUILD="$(BUILD)" ASAN_BUILD="$(ASAN_BUILD)" JOBS="$(JOBS)" scripts/test.sh

run: deps build dom0-stack guest-images
	@scripts/run.sh

bench: deps build
	@scripts/bench.sh

# libFuzzer over every fuzz target for FUZZ_SECONDS each (clang), starting from the seed corpus.
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -S . -B $(BUILD)/fuzz $(CMAKE_FLAGS) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTERN_FUZZ=ON
	cmake --build $(BUILD)/fuzz -j $(JOBS) --target xmlrpc_codec_fuzz qcow2_image_fuzz
	mkdir -p $(BUILD)/fuzz/corpus/xmlrpc && cp tests/fuzz/corpus/xmlrpc/* $(BUILD)/fuzz/corpus/xmlrpc/
	$(BUILD)/fuzz/bin/xmlrpc_codec_fuzz -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus/xmlrpc
	mkdir -p $(BUILD)/fuzz/corpus/qcow2 && cp tests/fuzz/corpus/qcow2/* $(BUILD)/fuzz/corpus/qcow2/
	$(BUILD)/fuzz/bin/qcow2_image_fuzz -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 $(BUILD)/fuzz/corpus/qcow2

format:
	git ls-files '*.cpp' '*.hpp' '*.h' '*.c' ':!tests/golden' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
