# Thin wrapper around CMake so that the README's two commands do all the set-up.
#   make run    install what is missing, build, start mitrad on ./var
#   make test   install what is missing, build, run every test through ctest
#   make bench  install the servers compared, build in Release, run every benchmark
#               (writes bench/RESULTS.md; BENCH_ONLY=ingest etc. for one section)
#   make asan   build with ASan/UBSan and run every test under them
#   make faults N=1000  kill -9 mitrad N times under load, check nothing was lost
#   make soak DURATION=600 [INTERVAL=60]  mixed load with churn; fail on unbounded growth
#   make fuzz FUZZ_SECONDS=300  libFuzzer (clang) on the engine; findings in build-fuzz/run/crashes
BUILD   ?= build
TYPE    ?= RelWithDebInfo
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
WERROR  ?= $(if $(CI),ON,OFF)
N       ?= 5
SEED    ?= 1
DURATION ?= 600
INTERVAL ?= 60
FUZZ_SECONDS ?= 300

.PHONY: all deps build run test asan bench faults soak fuzz clean

all: build

deps:
	@./scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) -DMITRA_WERROR=$(WERROR)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/daemon/mitrad --state-dir ./var/lib --runtime-dir ./var/run

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) asan

asan: deps
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Asan -DMITRA_WERROR=$(WERROR)
	cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS)

bench:
	@./scripts/install-deps --bench
	cmake -S . -B $(BUILD)-release -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD)-release -j $(JOBS)
	./bench/run $(BUILD)-release

faults: build
	/usr/bin/python3 tests/fault/crash.py --mitrad $(BUILD)/daemon/mitrad \
	    --load $(BUILD)/tests/fault/mitra_load \
	    --inject $(BUILD)/tests/fault/mitra_fault_inject.so -N $(N) --seed $(SEED)

soak: build
	/usr/bin/python3 tests/fault/soak.py --mitrad $(BUILD)/daemon/mitrad \
	    --load $(BUILD)/tests/fault/mitra_load --duration $(DURATION) \
	    --interval $(INTERVAL) --csv $(BUILD)/soak.csv

fuzz: deps
	cmake -S . -B $(BUILD)-fuzz -DCMAKE_C_COMPILER=clang -DMITRA_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(BUILD)-fuzz -j $(JOBS) --target fuzz_engine
	tests/fuzz/run_fuzz.sh $(BUILD)-fuzz/tests/fuzz/fuzz_engine $(FUZZ_SECONDS) \
	    $(BUILD)-fuzz/run tests/fuzz/corpus

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-release $(BUILD)-fuzz
