# Tern: the entry point. `make run` starts the stack, `make test` installs what it needs,
# builds and runs every test tier. See README.md.

BUILD       ?= build
ASAN_BUILD  ?= $(BUILD)/asan
HV_BUILD    ?= $(BUILD)/hypervisor
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
JOBS        ?= $(shell nproc)

.PHONY: all deps build host hypervisor asan test unit-test run bench format clean

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

test: deps build asan
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE 'system|bench'

run: deps build
	@scripts/run.sh

bench: deps build
	@scripts/bench.sh

format:
	git ls-files '*.cpp' '*.hpp' '*.h' '*.c' ':!tests/golden' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
