# The README's two commands: `make run` (build, then `synack demo`) and `make test`
# (ASan+UBSan build, then every test through ctest).  Also: install, fuzz, clean.
BUILD      ?= build
TEST_BUILD ?= build-test
FUZZ_BUILD ?= build-fuzz
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc)
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all run test deps install fuzz clean

all:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DSYNACK_TESTS=OFF
	cmake --build $(BUILD) -j $(JOBS)

run: all
	./$(BUILD)/synack demo --pcap demo.pcap

deps:
	@sh .ci/deps.sh

test: deps
	cmake -S . -B $(TEST_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSYNACK_SANITIZE=ON
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

install: all
	cmake --install $(BUILD)

fuzz:
	cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSYNACK_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD) demo.pcap

# `make bench`: a Release build with the benchmarks, then bench/run.sh (bench/README.md).
BENCH_BUILD ?= build-bench
.PHONY: bench
bench:
	cmake -S . -B $(BENCH_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DSYNACK_BENCH=ON -DSYNACK_TESTS=OFF
	cmake --build $(BENCH_BUILD) -j $(JOBS) --target synack_bench
	bash bench/run.sh ./$(BENCH_BUILD)/synack_bench
