# winsnmp — the two commands a new user needs:
#   make demo   installs what is missing, builds, and runs the demo against a
#               private loopback snmpd that it starts and stops
#   make test   installs what is missing, builds, and runs every test
# Further targets: build, ctest, spec, asan, tsan, valgrind, soak, fuzz, doc, lint, bench,
# bench-fleet, install, install-check, clean.

BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
PREFIX ?= /usr/local
JOBS ?= 2

C_SOURCES = $(wildcard src/*.h src/core/*/*.[ch] src/lua/*.[ch] src/cli/*.c tests/*.[ch] tests/compat/*.h \
                       tests/internal/*.c \
                       fuzz/*.[ch] bench/*.c tools/install-check/*.c)

LUA_ENV = LUA_PATH="./lua/?.lua;./lua/?/init.lua;;" LUA_CPATH="./$(BUILD)/?.so;;"

.PHONY: all deps build demo test ctest spec asan tsan valgrind soak fuzz doc lint bench bench-fleet \
	install install-check clean

all: build

deps:
	@sh tools/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(LUA_ENV) lua5.4 examples/demo.lua

ctest: build
	cd $(BUILD) && ctest --output-on-failure

spec: build
	WINSNMP_BUILD=./$(BUILD) busted

test: ctest spec

# The C tests and the specs again, under AddressSanitizer and UBSan.  The
# Lua interpreter is not instrumented, so the runtime is preloaded.
asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWINSNMP_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure
	LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)" \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	WINSNMP_BUILD=./$(ASAN_BUILD) busted

# The threaded C tests (the opt-in service thread and the library lock,
# and the Windows-style manager against snmpd) under ThreadSanitizer.
TSAN_TESTS = test_threads test_windows_style test_windows_style_cxx
tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWINSNMP_TSAN=ON
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target $(TSAN_TESTS)
	cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		ctest --output-on-failure -R '^test_(threads|windows_style)'

# The C tests and every spec under valgrind memcheck: no error, no leak.
valgrind: build
	@sh tools/install-deps.sh valgrind
	WINSNMP_BUILD=./$(BUILD) sh tools/valgrind.sh

# libFuzzer targets (fuzz/README.md): clang + ASan/UBSan, FUZZ_SECONDS per
# target, one at a time; findings in $(BUILD)/fuzz-artifacts/.
FUZZ_SECONDS ?= 60
FUZZ_SEED ?=
FUZZ_RUNS ?=
fuzz: deps
	@sh tools/install-deps.sh clang libclang-rt-14-dev
	FUZZ_SEED=$(FUZZ_SEED) FUZZ_RUNS=$(FUZZ_RUNS) sh fuzz/run.sh $(FUZZ_SECONDS)

# The LDoc reference in $(BUILD)/doc, checked to cover every public function.
doc: build
	@sh tools/install-deps.sh lua-ldoc
	rm -rf $(BUILD)/doc
	ldoc -d $(BUILD)/doc .
	$(LUA_ENV) lua5.4 tools/check-docs.lua $(BUILD)/doc

# luacheck, cppcheck and clang-format (the code must already be formatted),
# and the core's layering: includes, calls and names (tools/check-layers.lua).
lint: build
	@sh tools/install-deps.sh lua-check cppcheck clang-format
	lua5.4 tools/check-layers.lua $(BUILD)
	lua5.4 tools/gen-locked.lua --check
	luacheck --no-color -q lua examples bench spec bin tools fuzz
	sh tools/cppcheck.sh
	clang-format --dry-run --Werror $(C_SOURCES)

# One million requests and 100,000 sessions opened and closed: handle
# counts back to zero, memory flat (bench/soak.md).  Not timed.
soak: build
	$(LUA_ENV) lua5.4 bench/soak.lua

# The benchmark (issue figures in bench/results.md): winsnmp side by side
# with a C client on net-snmp's async API, the CLI tools, easysnmp and node.
bench: build
	@sh tools/install-deps.sh python3-easysnmp valgrind
	sh bench/build.sh --node
	WINSNMP_BUILD=./$(BUILD) $(LUA_ENV) lua5.4 bench/run.lua

# The fleet benchmark (issue 17 item 3, bench/fleet.md): FLEET_AGENTS (10,000)
# simulated agents on loopback, winsnmp and its peers (C on net-snmp, gosnmp,
# node net-snmp, easysnmp) each collecting every ifTable, checked cell by
# cell.  FLEET_AGENTS=500 for a quick run; see bench/fleet.lua for the rest.
bench-fleet: build
	@sh tools/install-deps.sh python3-easysnmp golang-go golang-github-gosnmp-gosnmp-dev
	sh bench/build.sh --node
	sh bench/fleet_build.sh
	$(LUA_ENV) lua5.4 bench/fleet.lua

install: build
	cmake --install $(BUILD)

# Installs into a scratch prefix and builds a C program against it through
# pkg-config and through find_package(winsnmp).
install-check: build
	WINSNMP_BUILD=./$(BUILD) sh tools/install-check.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
