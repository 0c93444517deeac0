/*
 * The video loadgen's cameras replay: a few JPEGs (meet-cap -v test -n N
 * writes them) cut once into RFC 2435 payloads by lib/rfc2435.c, then sent
 * again and again, so that a camera costs a copy and a sendmmsg slot a
 * packet and no encoding.
 *
 * Each payload with LG_STAMP_LEN bytes of scan data ends with the send
 * stamp (loadgen.h): the relay never reads payloads, so the stamp arrives
 * as it left, whatever the relay does to the RTP header.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "mjpeg.h"
#include "rfc2435.h"
#include "xmalloc.h"

#include "loadgen.h"

struct jpeg_load {
	struct jpeg_loop	*loop;
	size_t			 max;
	int			 refused;
	char			 err[256];
};

static void	jpeg_load_frame(const uint8_t *, size_t, void *);
static void	jpeg_load_payload(const uint8_t *, size_t, int, void *);
static ssize_t	jpeg_stamp_offset(const uint8_t *, size_t);

/*
 * Where the stamp goes in a payload: the last LG_STAMP_LEN bytes when
 * they are all scan data (after the main, restart and table headers), or
 * -1 when the payload holds less scan data than that.
 */
static ssize_t
jpeg_stamp_offset(const uint8_t *p, size_t len)
{
	size_t		hdr = RFC2435_MAIN_HDR, offset;
	int		type, q;

	if (len < hdr)
		return -1;
	offset = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	type = p[4];
	q = p[5];
	if (type >= 64 && type <= 127)
		hdr += RFC2435_RESTART_HDR;
	if (offset == 0 && q >= 128) {
		if (len < hdr + RFC2435_QT_HDR)
			return -1;
		hdr += RFC2435_QT_HDR + get16(p + hdr + 2);
	}
	if (len < hdr + LG_STAMP_LEN)
		return -1;
	return (ssize_t)(len - LG_STAMP_LEN);
}

static void
jpeg_load_payload(const uint8_t *p, size_t len, int marker, void *arg)
{
	struct jpeg_load	*jl = arg;
	struct jpeg_loop	*l = jl->loop;
	struct jpeg_pkt		*k;

	l->pkts = xreallocarray(l->pkts, l->npkts + 1, sizeof *l->pkts);
	k = &l->pkts[l->npkts++];
	k->payload = xmalloc(len);
	memcpy(k->payload, p, len);
	k->len = len;
	k->marker = marker;
	k->stamp_at = jpeg_stamp_offset(p, len);
	l->bytes += len;
}

static void
jpeg_load_frame(const uint8_t *jpeg, size_t len, void *arg)
{
	struct jpeg_load	*jl = arg;
	struct jpeg_loop	*l = jl->loop;
	struct jpeg_rtp_info	 info;

	if (jpeg_rtp_info(jpeg, len, &info, jl->err, sizeof jl->err) != 0) {
		jl->refused++;
		return;
	}
	l->first = xreallocarray(l->first, l->nframes + 1, sizeof *l->first);
	l->first[l->nframes] = l->npkts;
	if (rfc2435_packetize(&info, jl->max, jpeg_load_payload, jl) < 0) {
		snprintf(jl->err, sizeof jl->err, "cannot cut a %dx%d image "
		    "into payloads of %zu bytes", info.width, info.height,
		    jl->max);
		jl->refused++;
		return;
	}
	l->nframes++;
	l->width = info.width;
	l->height = info.height;
}

struct jpeg_loop *
jpeg_loop_load(const char *path, size_t max)
{
	struct jpeg_load	 jl;
	struct mjpeg_splitter	*sp;
	uint8_t			 buf[65536];
	ssize_t			 n;
	int			 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	memset(&jl, 0, sizeof jl);
	jl.loop = xcalloc(1, sizeof *jl.loop);
	jl.max = max;
	sp = mjpeg_splitter_new(0);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		mjpeg_splitter_feed(sp, buf, (size_t)n, jpeg_load_frame, &jl);
	mjpeg_splitter_free(sp);
	close(fd);
	if (jl.loop->nframes == 0) {
		fprintf(stderr, "loadgen: %s: no image RFC 2435 carries as it "
		    "is%s%s\n", path, jl.err[0] != '\0' ? ": " : "", jl.err);
		jpeg_loop_free(jl.loop);
		return NULL;
	}
	return jl.loop;
}

void
jpeg_loop_free(struct jpeg_loop *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->npkts; i++)
		free(l->pkts[i].payload);
	free(l->pkts);
	free(l->first);
	free(l);
}

void
jpeg_stamp_put(uint8_t *p, uint32_t cam, uint64_t ns)
{
	put32(p, LG_STAMP_MAGIC);
	put32(p + 4, cam);
	put32(p + 8, (uint32_t)(ns >> 32));
	put32(p + 12, (uint32_t)ns);
}

int
jpeg_stamp_get(const uint8_t *payload, size_t len, uint32_t *cam,
    uint64_t *ns)
{
	const uint8_t	*p;

	if (len < LG_STAMP_LEN)
		return -1;
	p = payload + len - LG_STAMP_LEN;
	if (get32(p) != LG_STAMP_MAGIC)
		return -1;
	*cam = get32(p + 4);
	*ns = (uint64_t)get32(p + 8) << 32 | get32(p + 12);
	return 0;
}
