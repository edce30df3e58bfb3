# Makefile — builds, tests and demonstrates dmpremb.
#
#   make            bin/dmpremb (optimised, with debug info)
#   make demo       private PostgreSQL cluster + migrate + fixture referentials,
#                   batch and dossier events, then the batch report
#   make test       unit and integration tests, release and ASan/UBSan builds
#   make asan       bin/dmpremb-asan (AddressSanitizer + UndefinedBehaviorSanitizer)
#   make deps       installs the Debian packages the project needs (all targets
#                   run it first; it only calls apt-get when something is missing)
#   make db-start / db-stop     the private cluster under .pg/ (see .pg/env)
#   make install PREFIX=/usr/local
#   make fuzz       builds the libFuzzer targets of tests/fuzz/ (clang) and runs
#                   each FUZZ_SECONDS (60) from a corpus seeded from fixtures/
#   make fuzz-replay  runs each target once on its seeds and regressions (make test does)
#   make memcheck   valgrind memcheck over a small scenario on a private cluster
#   make bench      the benchmark table of docs/bench.md (bench/run.sh; BENCH_PERSONS,
#                   BENCH_SCALE10, BENCH_OUT, ...): a few minutes, never part of make test
#   make check-layers  the C layers go one way and only load/ calls libpq (make test
#                   runs it first); prints the include graph between folders
#   make lint       banned C constructs (tests/tools/checksrc.py; make test runs it)
#   make citus      builds Citus from $(SHARED)/vendor/citus and installs it into
#                   Debian's PostgreSQL 15 (root; once: skipped when that version is
#                   installed); make test runs it for the Citus tests
#
# Variables: CC, PREFIX, DESTDIR, SHARED (path of ../shared), TESTS (a subset
# of tests/cli/t*.sh names), JOBS.

CC       ?= gcc
PREFIX   ?= /usr/local
SHARED   ?= $(abspath ../shared)
RELEASE  := 0.9.0
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Debian packages: build, run, test, cda-validate, and the private cluster.
# prometheus is for its promtool only (t0900 lints the metrics file); where
# systemd runs, installing it also starts a Prometheus server on :9090
# (systemctl disable --now prometheus); in containers policy-rc.d denies it.
DEB_PKGS := gcc make libc6-dev pkg-config libpq-dev libcsv-dev libxml2-dev libssl-dev \
            check postgresql-15 postgresql-client-15 \
            default-jre-headless libsaxonhe-java libxml2-utils python3 \
            procps util-linux valgrind clang prometheus
# Citus's build (make citus): its source is in $(SHARED)/vendor/citus.
CITUS_PKGS := postgresql-server-dev-15 libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev \
            libselinux1-dev libxslt1-dev autoconf flex patch
CITUS_VERSION := 13.2.2

# Recursive (=) on purpose: evaluated when used, i.e. after `make deps` may
# have installed the .pc files on a fresh machine.
PKG_CFLAGS = $(shell pkg-config --cflags libpq libxml-2.0 libcrypto 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs libpq libxml-2.0 libcrypto 2>/dev/null) -lcsv
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
BASEFLAGS = -std=c11 -D_GNU_SOURCE -fopenmp -I. -Ibuild/gen $(PKG_CFLAGS) $(WARN) \
             -DDMPREMB_VERSION='"$(VERSION)"' -DDMPREMB_RELEASE='"$(RELEASE)"' -MMD -MP
REL_FLAGS  := -O2 -g
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(wildcard lib/*.c ingest/*.c transform/*.c load/*.c jobs/*.c) build/gen/migrations.c
CLI_SRC  := $(wildcard cli/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
SQL      := $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql))

rel_obj  = $(patsubst %.c,build/rel/%.o,$(1))
asan_obj = $(patsubst %.c,build/asan/%.o,$(1))

DEPS_STAMP := build/.deps-ok

# Quiet by default; V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all asan deps demo test unit integration db-start db-stop install clean check-shared check-layers lint \
        fuzz fuzz-build fuzz-replay memcheck bench citus

all: bin/dmpremb

asan: bin/dmpremb-asan

# --- dependencies ----------------------------------------------------------
deps: $(DEPS_STAMP)

$(DEPS_STAMP): Makefile
	@missing=""; for p in $(DEB_PKGS) $(CITUS_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi
	@mkdir -p $(@D) && touch $@


# --- Citus (issue 16; docs/scale.md) ---------------------------------------
# Debian has no Citus package: build the upstream source that ../shared
# carries, with its patch for Debian's 15.18 headers, into PostgreSQL 15's own
# directories (so it needs root, like apt-get). Idempotent: nothing to do when
# the installed citus.control says this version. Without ../shared it says so
# and fails; make test then skips the Citus tests, loudly.
CITUS_SRC     := $(SHARED)/vendor/citus
CITUS_CONTROL := /usr/share/postgresql/15/extension/citus.control
CITUS_SO      := /usr/lib/postgresql/15/lib/citus.so
citus: | $(DEPS_STAMP)
	@if [ -f $(CITUS_SO) ] && grep -q "default_version = '$(basename $(CITUS_VERSION))-" $(CITUS_CONTROL) 2>/dev/null; then \
	  echo "make citus: Citus $(CITUS_VERSION) is installed"; exit 0; fi; \
	if [ ! -f $(CITUS_SRC)/citus-$(CITUS_VERSION).tar.gz ]; then \
	  echo "make citus: $(CITUS_SRC)/citus-$(CITUS_VERSION).tar.gz not found: Citus needs ../shared (SHARED=...)" >&2; exit 1; fi; \
	SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	echo "make citus: building Citus $(CITUS_VERSION) in $$tmp (a few minutes; log in $$tmp/build.log)" && \
	tar xzf $(CITUS_SRC)/citus-$(CITUS_VERSION).tar.gz -C "$$tmp" && \
	cd "$$tmp/citus-$(CITUS_VERSION)" && patch -s -p1 < $(CITUS_SRC)/citus-pg15.18.patch && \
	{ PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config ./configure --prefix=/usr && \
	  $(MAKE) -j"$$(nproc)" with_llvm=no && $$SUDO $(MAKE) install with_llvm=no; } >"$$tmp/build.log" 2>&1 || \
	  { tail -30 "$$tmp/build.log" >&2; echo "make citus: the build failed" >&2; exit 1; }; \
	echo "make citus: Citus $(CITUS_VERSION) installed into PostgreSQL 15"

# --- generated sources -----------------------------------------------------
# The migrations are compiled into the binary as byte arrays.
build/gen/migrations.c: $(SQL) Makefile
	@mkdir -p $(@D)
	@{ echo '/* generated from sql/ by the Makefile: do not edit */'; \
	   echo '#include "load/migrate.h"'; \
	   for f in $(SQL); do n=$$(basename $$f); v=$${n%%_*}; \
	     echo "static const char m$$v[] = {"; \
	     od -An -v -tx1 $$f | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	     echo '0};'; done; \
	   echo 'const struct migration migrations[] = {'; \
	   for f in $(SQL); do n=$$(basename $$f); v=$${n%%_*}; \
	     echo "	{ $$(expr $$v + 0), \"$$n\", m$$v },"; done; \
	   echo '};'; \
	   echo 'const int migrations_count = $(words $(SQL));'; } > $@.tmp && mv $@.tmp $@

# --- builds ----------------------------------------------------------------
build/rel/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(BASEFLAGS) $(REL_FLAGS) $(CFLAGS) -c $< -o $@

build/asan/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC/ASAN $<"
	$(Q)$(CC) $(BASEFLAGS) $(ASAN_FLAGS) $(CFLAGS) -c $< -o $@

build/rel/build/gen/migrations.o build/asan/build/gen/migrations.o: build/gen/migrations.c

bin/dmpremb: $(call rel_obj,$(LIB_SRC) $(CLI_SRC))
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) -fopenmp $(REL_FLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

bin/dmpremb-asan: $(call asan_obj,$(LIB_SRC) $(CLI_SRC))
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) -fopenmp $(ASAN_FLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

build/rel/unit-tests: $(call rel_obj,$(LIB_SRC) $(UNIT_SRC))
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) -fopenmp $(REL_FLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) -lm

build/asan/unit-tests: $(call asan_obj,$(LIB_SRC) $(UNIT_SRC))
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) -fopenmp $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) -lm

# --- fuzzing (clang + libFuzzer; see tests/fuzz/run.sh) -------------
# Every library source again, instrumented for libFuzzer, ASan and UBSan.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_FLAGS   := -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
fuzz_obj      = $(patsubst %.c,build/fuzz/obj/%.o,$(1))
FUZZ_BINS    := $(addprefix build/fuzz/fuzz_,$(FUZZ_TARGETS))

build/fuzz/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC/FUZZ $<"
	$(Q)$(FUZZ_CC) $(BASEFLAGS) $(FUZZ_FLAGS) -c $< -o $@

build/fuzz/obj/build/gen/migrations.o: build/gen/migrations.c

# keep the objects (make would delete them as intermediates of the pattern chain)
.PRECIOUS: build/fuzz/obj/%.o

build/fuzz/fuzz_%: build/fuzz/obj/tests/fuzz/fuzz_%.o $(call fuzz_obj,$(LIB_SRC))
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(FUZZ_CC) -fopenmp -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_TARGETS)

fuzz-replay: fuzz-build
	@tests/fuzz/replay.sh $(FUZZ_TARGETS)

# valgrind over migrate, referentials, ingest, dossiers, feed, render, status,
# insc on a private cluster (PGCLUSTER_PORT, default 55491); logs in build/memcheck/
memcheck: bin/dmpremb
	@tests/memcheck.sh $(abspath bin/dmpremb)

# --- benchmarks (docs/bench.md) ----------------------------------------------
# The libcsv baseline: libcsv alone over the batch's files, empty callbacks.
build/bench/csv_baseline: bench/csv_baseline.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC/LD   $@"
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(REL_FLAGS) $(CFLAGS) -o $@ $< -lcsv

# the whole table at the default size (bench/run.sh says which variables it reads)
bench: bin/dmpremb build/bench/csv_baseline
	@SHARED=$(SHARED) bench/run.sh

-include $(shell find build -name '*.d' 2>/dev/null)

# --- tests -----------------------------------------------------------------
# make test = unit + integration, each under the release and the ASan build.
test: check-layers lint bin/dmpremb bin/dmpremb-asan build/rel/unit-tests build/asan/unit-tests build/bench/csv_baseline
	@$(MAKE) -s citus || echo "make test: Citus is not installed: the Citus tests will be SKIPPED"
	@SHARED=$(SHARED) tests/run-all.sh

# the layers go one way (cli -> jobs -> transform, ingest -> load -> lib) and
# only load/ calls libpq: docs/architecture.md; prints the include graph
check-layers:
	@python3 tests/tools/check_layers.py . --graph

# banned C constructs (ato*, sscanf, sprintf, strcpy, SQL in fixed arrays...):
# tests/tools/checksrc.py says which and why
lint:
	@python3 tests/tools/checksrc.py .

unit: build/rel/unit-tests build/asan/unit-tests
	@SHARED=$(SHARED) CK_FORK=yes build/rel/unit-tests
	@SHARED=$(SHARED) ASAN_OPTIONS=detect_leaks=1 build/asan/unit-tests

integration: bin/dmpremb
	@SHARED=$(SHARED) DMPREMB=$(abspath bin/dmpremb) tests/run-integration.sh $(TESTS)

# --- private cluster and demo ----------------------------------------------
db-start: | $(DEPS_STAMP)
	@tests/pgcluster.sh start $(abspath .pg)

db-stop:
	@tests/pgcluster.sh stop $(abspath .pg)

demo: bin/dmpremb db-start
	@. ./.pg/env && fixtures/demo.sh bin/dmpremb

# --- install ---------------------------------------------------------------
install: bin/dmpremb
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/dmpremb/cron
	install -m 755 bin/dmpremb $(DESTDIR)$(PREFIX)/bin/dmpremb
	install -m 755 cron/dmpremb-run $(DESTDIR)$(PREFIX)/bin/dmpremb-run
	install -m 644 cron/dmpremb.cron cron/dmpremb.env.example $(DESTDIR)$(PREFIX)/share/dmpremb/cron/
	install -d $(DESTDIR)$(PREFIX)/share/dmpremb/cron/systemd
	install -m 644 cron/systemd/*.service cron/systemd/*.timer $(DESTDIR)$(PREFIX)/share/dmpremb/cron/systemd/
	cp -r sql $(DESTDIR)$(PREFIX)/share/dmpremb/

clean:
	rm -rf build bin
