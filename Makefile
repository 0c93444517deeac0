# meet: plain make with pkg-config.
#
#   make            build the programs into build/bin
#   make check      install what is missing, build, run unit tests, the
#                   fuzzers on their seeds, regress tests, then the regress
#                   tests again under ASan and UBSan
#   make run        install what is missing, build, start meetd in the
#                   foreground on its embedded defaults
#   make deps       install the Debian packages the build and tests need
#   make install    PREFIX (/usr/local) and DESTDIR are honoured
#   make bench      the benchmarks
#   make fuzz       every fuzzer for FUZZ_SECONDS (tests/fuzz/README);
#                   make fuzz-check runs each briefly on its seeds
#
# Every program's sources are the *.c files of its folder; the file named
# after the program holds main().  Objects go to $(BUILD) so a sanitizer
# build (BUILD=build-asan SANITIZE=1) lives beside the normal one.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR	?= /lib/systemd/system

BUILD	?= build
CC	?= cc
CFLAGS	?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	   -Wpointer-arith -Wcast-qual -Werror
ifeq ($(SANITIZE),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
endif
# ThreadSanitizer, for what crosses between control and the media workers.
ifeq ($(SANITIZE),thread)
SANFLAGS = -fsanitize=thread -fno-omit-frame-pointer
endif
# libFuzzer's coverage with ASan and UBSan, for clang (make fuzz sets it).
ifeq ($(SANITIZE),fuzzer)
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
VERSION	= 0.1.0

PKGS_LIB   = jansson
PKGS_MEETD = libevent libevent_openssl jansson libsystemd inih libssl \
	     libcrypto opus libturbojpeg \
	     libavformat libavcodec libavutil sndfile libsrtp2 libsodium
PKGS_CTL   = jansson
PKGS_CAP   = libturbojpeg sndfile alsa libswresample libavutil
PKGS_PLAY  = libturbojpeg sndfile alsa libswresample libavutil libavformat \
	     libavcodec libswscale
PKGS_TEST  = cmocka

pkgcflags = $(shell pkg-config --cflags $(1))
pkglibs   = $(shell pkg-config --libs $(1))

CPPFLAGS += -D_GNU_SOURCE -DMEET_VERSION='"$(VERSION)"' -Ilib
ALLCFLAGS = $(CFLAGS) $(WARNINGS) $(SANFLAGS) -std=gnu11 -MMD -MP \
	    $(call pkgcflags,$(sort $(PKGS_MEETD) $(PKGS_CAP) $(PKGS_PLAY) $(PKGS_TEST)))
LDLIBS_BASE = -lm -lpthread

LIB_SRCS   = $(wildcard lib/*.c)
MEETD_SRCS = $(wildcard meetd/*.c)
CTL_SRCS   = $(wildcard meetctl/*.c)
CAP_SRCS   = $(wildcard meet-cap/*.c)
PLAY_SRCS  = $(wildcard meet-play/*.c)
UNIT_SRCS  = $(wildcard tests/unit/test-*.c)
TOOL_SRCS  = $(wildcard tests/tools/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# The browser page (web/: HTML, CSS, JavaScript, no build step) is compiled
# into meetd: web/embed.sh writes its bytes as C, so that an installed meetd
# needs nothing beside it.
WEB_FILES = $(sort $(wildcard web/*.html web/*.css web/*.js))
WEB_GEN   = $(BUILD)/gen/web-files.c
WEB_OBJ   = $(BUILD)/obj/gen/web-files.o

LIBMEET  = $(BUILD)/lib/libmeet.a
LIBMEETD = $(BUILD)/lib/libmeetd.a
LIBCAP   = $(BUILD)/lib/libmeetcap.a
LIBPLAY  = $(BUILD)/lib/libmeetplay.a

PROGS = $(BUILD)/bin/meetd $(BUILD)/bin/meetctl $(BUILD)/bin/meet-cap \
	$(BUILD)/bin/meet-play
UNITS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOLS = $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

all: $(PROGS) $(TOOLS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

$(LIBMEET): $(call obj,$(LIB_SRCS))
$(LIBMEETD): $(call obj,$(filter-out meetd/meetd.c,$(MEETD_SRCS))) \
    $(WEB_OBJ)
$(LIBCAP): $(call obj,$(filter-out meet-cap/meet-cap.c,$(CAP_SRCS)))
$(LIBPLAY): $(call obj,$(filter-out meet-play/meet-play.c,$(PLAY_SRCS)))
$(WEB_GEN): web/embed.sh $(WEB_FILES)
	@mkdir -p $(dir $@)
	sh web/embed.sh $(WEB_FILES) > $@.tmp && mv $@.tmp $@
$(WEB_OBJ): $(WEB_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Imeetd $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/lib/%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/meetd: $(call obj,meetd/meetd.c) $(LIBMEETD) $(LIBMEET)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_MEETD)) $(LDLIBS_BASE)

$(BUILD)/bin/meetctl: $(call obj,$(CTL_SRCS)) $(LIBMEET)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_CTL)) $(LDLIBS_BASE)

$(BUILD)/bin/meet-cap: $(call obj,meet-cap/meet-cap.c) $(LIBCAP) $(LIBMEET)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_LIB) $(PKGS_CAP)) $(LDLIBS_BASE)

$(BUILD)/bin/meet-play: $(call obj,meet-play/meet-play.c) $(LIBPLAY) $(LIBMEET)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_LIB) $(PKGS_PLAY)) $(LDLIBS_BASE)

# A unit test links against every program's archive; the linker takes only
# the objects it needs.
$(BUILD)/tests/%: $(call obj,tests/unit/%.c) $(LIBMEETD) $(LIBCAP) $(LIBPLAY) $(LIBMEET)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $^ \
	    $(call pkglibs,$(sort $(PKGS_MEETD) $(PKGS_CAP) $(PKGS_PLAY) $(PKGS_TEST))) $(LDLIBS_BASE)

# Small programs the regress tests use (a pausable TCP proxy, a tone checker).
$(BUILD)/tools/%: $(call obj,tests/tools/%.c) $(LIBMEET)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $^ \
	    $(call pkglibs,$(sort $(PKGS_MEETD) $(PKGS_CAP) $(PKGS_PLAY))) $(LDLIBS_BASE)

# Fuzzers (tests/fuzz/README): each tests/fuzz/NAME.c is one libFuzzer
# harness, its seeds in tests/fuzz/corpus/NAME; tests/fuzz/fuzz-*.c are
# helpers some of them share.  They are built by clang with SANITIZE=fuzzer
# into FUZZ_BUILD, apart from the gcc build.  The harnesses named in
# FUZZ_DAEMON run the daemon, set up by fuzz-daemon.c; those in FUZZ_LINK
# are the other node of a link too (fuzz-link.c).
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 3
FUZZ_HELPERS  = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_NAMES    = $(patsubst tests/fuzz/%.c,%,\
		$(filter-out $(FUZZ_HELPERS),$(wildcard tests/fuzz/*.c)))
FUZZERS       = $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_NAMES))
FUZZ_DAEMON   = control link peer
FUZZ_LINK     = link peer
FUZZ_RUN      = -timeout=20 -rss_limit_mb=2048 -close_fd_mask=2

$(BUILD)/fuzz/%: $(call obj,tests/fuzz/%.c) $(LIBMEETD) $(LIBCAP) $(LIBMEET)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ \
	    $(call pkglibs,$(sort $(PKGS_MEETD) $(PKGS_CAP))) $(LDLIBS_BASE)
$(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_DAEMON)): \
    $(call obj,tests/fuzz/fuzz-daemon.c)
$(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_LINK)): \
    $(call obj,tests/fuzz/fuzz-link.c)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Debian packages: to build, and to test.
DEPS_BUILD = build-essential pkg-config libevent-dev libjansson-dev \
	     libturbojpeg0-dev libsndfile1-dev libasound2-dev libavcodec-dev \
	     libavformat-dev libavutil-dev libswresample-dev libswscale-dev \
	     libinih-dev libopus-dev libsystemd-dev libssl-dev libsrtp2-dev \
	     libsodium-dev
DEPS_TEST  = libcmocka-dev mandoc ffmpeg jq nftables iproute2 tmux \
	     alsa-utils perl procps psmisc bc libjpeg-turbo-progs \
	     clang-14 libclang-rt-14-dev openssl python3 passwd util-linux \
	     tcpdump \
	     gstreamer1.0-tools gstreamer1.0-plugins-good \
	     chromium nodejs npm
SUDO	= $(shell [ "$$(id -u)" = 0 ] || echo sudo)

deps:
	@# npm counts as there when its command is: a nodejs from elsewhere
	@# (NodeSource's) carries its own, and Debian's npm conflicts with it.
	@missing=$$(for p in $(DEPS_BUILD) $(DEPS_TEST); do \
		if [ $$p = npm ] && command -v npm >/dev/null; then \
			continue; fi; \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		    grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y \
		    -qq --no-install-recommends $$missing; \
	else \
		echo "make deps: every package is installed"; \
	fi
	@# The browser tests drive chromium with puppeteer-core, pinned by
	@# tests/browser/package-lock.json.
	@[ -d tests/browser/node_modules/puppeteer-core ] || \
	    (cd tests/browser && npm ci --no-audit --no-fund)

run: deps
	$(MAKE) all
	$(BUILD)/bin/meetd -v

unit: all $(UNITS)
	@set -e; for t in $(UNITS); do echo "== $$t"; $$t; done

regress: all
	MEET_BIN=$(CURDIR)/$(BUILD)/bin MEET_TOOLS=$(CURDIR)/$(BUILD)/tools \
	    prove -j2 --timer tests/regress/*.t

lint:
	mandoc -Tlint -W warning man/*.[1-8]

check: deps
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) fuzz-check
	$(MAKE) regress
	$(MAKE) BUILD=build-asan SANITIZE=1 regress

fuzz-build: $(FUZZERS)

# The first folder given to a fuzzer takes what it finds new: the one in
# FUZZ_BUILD, so that the seeds in the tree stay as they are.
fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SANITIZE=fuzzer fuzz-build
	@set -e; for f in $(FUZZ_NAMES); do \
		echo "== fuzz $$f for $(FUZZ_SECONDS) s"; \
		mkdir -p $(FUZZ_BUILD)/corpus/$$f $(FUZZ_BUILD)/crash; \
		$(FUZZ_BUILD)/fuzz/$$f $(FUZZ_RUN) \
		    -max_total_time=$(FUZZ_SECONDS) \
		    -artifact_prefix=$(FUZZ_BUILD)/crash/$$f- \
		    $$([ -f tests/fuzz/$$f.dict ] && \
			echo -dict=tests/fuzz/$$f.dict) \
		    $(FUZZ_BUILD)/corpus/$$f tests/fuzz/corpus/$$f; \
	done

# Each fuzzer on its seeds, then FUZZ_CHECK_SECONDS more: what fails on the
# seeds (the regression inputs among them) fails here.
fuzz-check:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SANITIZE=fuzzer fuzz-build
	@set -e; for f in $(FUZZ_NAMES); do \
		echo "== fuzz-check $$f"; \
		rm -rf $(FUZZ_BUILD)/check/$$f; \
		mkdir -p $(FUZZ_BUILD)/check/$$f $(FUZZ_BUILD)/crash; \
		if ! $(FUZZ_BUILD)/fuzz/$$f $(FUZZ_RUN) \
		    -max_total_time=$(FUZZ_CHECK_SECONDS) \
		    -artifact_prefix=$(FUZZ_BUILD)/crash/$$f- \
		    $(FUZZ_BUILD)/check/$$f tests/fuzz/corpus/$$f \
		    > $(FUZZ_BUILD)/check/$$f.log 2>&1; then \
			tail -n 60 $(FUZZ_BUILD)/check/$$f.log; \
			echo "fuzz-check: $$f failed"; exit 1; \
		fi; \
		grep -E '^Done' $(FUZZ_BUILD)/check/$$f.log; \
	done

bench: deps all
	@if [ -x tests/bench/run ]; then tests/bench/run; \
	else echo "make bench: no benchmarks yet"; fi

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/meet \
	    $(DESTDIR)$(UNITDIR)
	install -m 755 $(BUILD)/bin/meetd $(DESTDIR)$(SBINDIR)
	install -m 755 $(BUILD)/bin/meetctl $(BUILD)/bin/meet-cap \
	    $(BUILD)/bin/meet-play $(DESTDIR)$(BINDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8
	[ -e $(DESTDIR)$(SYSCONFDIR)/meet/meetd.conf ] || \
	    install -m 644 etc/meetd.conf $(DESTDIR)$(SYSCONFDIR)/meet
	sed 's|@SBINDIR@|$(SBINDIR)|' etc/meetd.service > \
	    $(DESTDIR)$(UNITDIR)/meetd.service

clean:
	rm -rf build build-asan $(FUZZ_BUILD)

.PHONY: all deps run unit regress lint check bench install clean \
	fuzz fuzz-check fuzz-build
.DELETE_ON_ERROR:
