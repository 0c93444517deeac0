# The tools of make bench: loadgen (the load tool) and refrelay (the
# reference relay), built into $(BUILD)/bench with the project's warning
# flags, against the $(BUILD)/lib/libmeet.a that the main Makefile builds
# (RTP, RFC 2435, MJPEG splitting, Opus).  tests/bench/run uses it:
#
#	make -f tests/bench/bench.mk [BUILD=build]

BUILD	?= build
CC	?= cc
CFLAGS	?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	   -Wpointer-arith -Wcast-qual -Werror
PKGS	= jansson opus
D	= tests/bench
OUT	= $(BUILD)/bench

BCFLAGS	= -D_GNU_SOURCE -Ilib -I$(D) $(CFLAGS) $(WARNINGS) -std=gnu11 -MMD -MP \
	  $(shell pkg-config --cflags $(PKGS))
BLIBS	= $(shell pkg-config --libs $(PKGS)) -lm -lpthread

LOADGEN_SRCS = $(D)/loadgen.c $(D)/node.c $(D)/udpio.c $(D)/track.c \
	       $(D)/hist.c $(D)/opusloop.c $(D)/jpegloop.c $(D)/procstat.c \
	       $(D)/report.c $(D)/parts.c
LOADGEN_OBJS = $(patsubst $(D)/%.c,$(OUT)/%.o,$(LOADGEN_SRCS))

all: $(OUT)/loadgen $(OUT)/refrelay $(OUT)/layers $(OUT)/e2ee $(OUT)/opusmix

$(OUT)/%.o: $(D)/%.c
	@mkdir -p $(OUT)
	$(CC) $(BCFLAGS) -c -o $@ $<

$(OUT)/loadgen: $(LOADGEN_OBJS) $(BUILD)/lib/libmeet.a
	$(CC) $(CFLAGS) -o $@ $^ $(BLIBS)

$(OUT)/refrelay: $(OUT)/refrelay.o
	$(CC) $(CFLAGS) -o $@ $^

# What making video layers costs the sender (lib/jpeglayers.c).
$(OUT)/layers.o: BCFLAGS += $(shell pkg-config --cflags libturbojpeg)
$(OUT)/layers: $(OUT)/layers.o $(BUILD)/lib/libmeet.a
	$(CC) $(CFLAGS) -o $@ $^ $(shell pkg-config --libs libturbojpeg) $(BLIBS)

# What end-to-end encryption costs a node (lib/e2ee.c, lib/e2ee-frame.c).
$(OUT)/e2ee: $(OUT)/e2ee.o $(BUILD)/lib/libmeet.a
	$(CC) $(CFLAGS) -o $@ $^ $(shell pkg-config --libs libsodium libcrypto) \
	    $(BLIBS)

# What the mix encoder's complexity costs and how it sounds (lib/opuscodec.c).
$(OUT)/opusmix: $(OUT)/opusmix.o $(BUILD)/lib/libmeet.a
	$(CC) $(CFLAGS) -o $@ $^ $(BLIBS)

-include $(wildcard $(OUT)/*.d)

.PHONY: all
.DELETE_ON_ERROR:
