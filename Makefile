# Thin wrapper around CMake so that the README's two commands do all the set-up.
#   make run    install what is missing, build, start mitrad on ./var
#   make test   install what is missing, build, run every test through ctest
#   make bench  build in Release and run the benchmarks (writes bench/RESULTS.md)
#   make asan   build with ASan/UBSan and run every test under them
BUILD   ?= build
TYPE    ?= RelWithDebInfo
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
WERROR  ?= $(if $(CI),ON,OFF)

.PHONY: all deps build run test asan bench clean

all: build

deps:
	@./scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) -DMITRA_WERROR=$(WERROR)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@mkdir -p var/lib var/run
	./$(BUILD)/daemon/mitrad --state-dir ./var/lib --runtime-dir ./var/run

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) asan

asan: deps
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Asan -DMITRA_WERROR=$(WERROR)
	cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS)

bench: deps
	cmake -S . -B $(BUILD)-release -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD)-release -j $(JOBS)
	./bench/run $(BUILD)-release

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-release
