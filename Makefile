# co2tally: the two commands a newcomer needs are `make run` and `make test`.
# Both run the set-up step first (scripts/setup.sh installs missing Debian packages as root).

BUILD      ?= build
TESTBUILD  ?= build-asan
FUZZBUILD  ?= build-fuzz
DB         ?= co2tally.db
TEAM       ?= examples/team.ini
FUZZ_SECONDS ?= 60

.PHONY: all setup setup-test build run test bench fuzz clean

all: build

setup:
	@sh scripts/setup.sh

# Only the tests need the npm registry (the CCF parity test's packages).
setup-test:
	@sh scripts/setup-test.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	sh scripts/run.sh $(BUILD)/src/co2tally $(DB) $(TEAM)

$(TESTBUILD)/build.ninja:
	meson setup $(TESTBUILD) --buildtype=debug -Dwerror=true \
	    -Db_sanitize=address,undefined -Db_lundef=false

test: setup setup-test $(TESTBUILD)/build.ninja
	ninja -C $(TESTBUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    meson test -C $(TESTBUILD) --print-errorlogs --num-processes 2

bench: build
	bash bench/run.sh $(BUILD)

$(FUZZBUILD)/build.ninja:
	CC=clang meson setup $(FUZZBUILD) --buildtype=debugoptimized -Dfuzz=true \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link

fuzz: setup $(FUZZBUILD)/build.ninja
	ninja -C $(FUZZBUILD)
	sh fuzz/run.sh $(FUZZBUILD) $(FUZZ_SECONDS)
	sh tests/hardening/long.sh $(FUZZBUILD)

clean:
	rm -rf $(BUILD) $(TESTBUILD) $(FUZZBUILD)
