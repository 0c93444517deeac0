/*
 * JPEG over RTP (RFC 2435).
 *
 * RFC 2435 sends no JPEG headers: a payload is a main header (type, Q,
 * width and height in 8-pixel blocks, fragment offset), a restart header for
 * types 64-127, the quantization tables in the first fragment when Q is
 * 128-255, then a piece of the entropy-coded scan.  The receiver rebuilds
 * the headers (Appendix B) from that and the standard Huffman tables, so only
 * a JPEG whose headers can be rebuilt that way may be sent untouched:
 * jpeg_rtp_info (jpeg-rtp-info.c) says which.
 *
 * The depacketizer puts fragments where their offset says, so packets
 * reordered within a frame are fine; a frame is handed out only when every
 * byte from 0 to the end of the marker packet has come, and is dropped (and
 * counted) when a later timestamp shows that it never will.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "jpeg-tables.h"
#include "rfc2435.h"
#include "xmalloc.h"

#define RFC2435_MAX_PAYLOAD	65495	/* 65535 less IP, UDP and RTP */
#define DEPACK_HDR_ROOM		1024	/* more than depack_header writes */
#define DEPACK_MAX_RANGES	64	/* holes a frame may have at once */

/* One parsed payload; the pointers point into it. */
struct rfc2435_payload {
	size_t		 off;
	int		 type;
	int		 q;
	int		 width;		/* in 8-pixel blocks */
	int		 height;
	int		 dri;
	const uint8_t	*tables;	/* NULL when the payload has none */
	size_t		 tables_len;
	const uint8_t	*data;
	size_t		 len;
};

struct depack_range {
	size_t	start;
	size_t	end;
};

enum depack_state {
	DEPACK_IDLE,		/* no frame seen yet */
	DEPACK_ASSEMBLING,	/* fragments of ts are coming */
	DEPACK_DONE		/* ts was handed out or dropped */
};

struct rfc2435_depack {
	uint8_t			*buf;	/* room for headers, scan, EOI */
	size_t			 max;
	struct rfc2435_stats	 stats;
	int			 have_seq;
	uint16_t		 last_seq;

	enum depack_state	 state;
	uint32_t		 ts;
	int			 type;
	int			 q;
	int			 width;
	int			 height;
	int			 dri;
	int			 have_first;
	int			 have_last;
	size_t			 end;
	uint8_t			 qtables[2][64];
	struct depack_range	 ranges[DEPACK_MAX_RANGES + 1];
	size_t			 nranges;

	/* Tables for Q 128-254, which later frames may send without. */
	uint8_t			 cache[127][2][64];
	int			 cache_set[127];
};

static uint8_t	*put16_next(uint8_t *, unsigned);
static int	payload_parse(const uint8_t *, size_t,
		    struct rfc2435_payload *);
static int	depack_tables(struct rfc2435_depack *,
		    const struct rfc2435_payload *);
static void	depack_begin(struct rfc2435_depack *, uint32_t,
		    const struct rfc2435_payload *);
static void	depack_drop(struct rfc2435_depack *, uint64_t *);
static void	depack_give_up(struct rfc2435_depack *);
static int	depack_add_range(struct rfc2435_depack *, size_t, size_t);
static void	depack_finish(struct rfc2435_depack *, rfc2435_frame_cb,
		    void *);
static size_t	depack_header(const struct rfc2435_depack *, uint8_t *);
static uint8_t	*put_huff(uint8_t *, int, int);

/* Write a big-endian 16-bit field; the byte after it. */
static uint8_t *
put16_next(uint8_t *p, unsigned v)
{
	*p++ = v >> 8;
	*p++ = v & 0xff;
	return p;
}

void
rfc2435_qtables(int q, uint8_t qt[2][64])
{
	int	factor, scale, i, l, c;

	/* Appendix A, which is libjpeg's quality scaling. */
	factor = q < 1 ? 1 : (q > 99 ? 99 : q);
	scale = factor < 50 ? 5000 / factor : 200 - factor * 2;
	for (i = 0; i < 64; i++) {
		l = (jpeg_std_luma_quant[jpeg_zigzag[i]] * scale + 50) / 100;
		c = (jpeg_std_chroma_quant[jpeg_zigzag[i]] * scale + 50) / 100;
		qt[0][i] = l < 1 ? 1 : (l > 255 ? 255 : l);
		qt[1][i] = c < 1 ? 1 : (c > 255 ? 255 : c);
	}
}

int
rfc2435_packetize(const struct jpeg_rtp_info *info, size_t max,
    rfc2435_emit_cb emit, void *arg)
{
	uint8_t	*buf, *p;
	size_t	 off = 0, room, chunk;
	int	 n = 0, base = info->type & ~64;

	if (max < RFC2435_MIN_PAYLOAD || (base != 0 && base != 1) ||
	    info->type > 65 || info->width <= 0 || info->height <= 0 ||
	    info->width > RFC2435_MAX_DIM || info->height > RFC2435_MAX_DIM ||
	    info->width % 8 != 0 || info->height % 8 != 0 ||
	    info->scan_len == 0 || info->scan_len > RFC2435_MAX_SCAN ||
	    ((info->type & 64) != 0) != (info->restart_interval != 0) ||
	    info->restart_interval < 0 || info->restart_interval > 0xffff)
		return -1;
	if (max > RFC2435_MAX_PAYLOAD)
		max = RFC2435_MAX_PAYLOAD;
	buf = xmalloc(max);

	while (off < info->scan_len) {
		p = buf;
		*p++ = 0;			/* type-specific: progressive */
		*p++ = off >> 16;
		p = put16_next(p, off & 0xffff);
		*p++ = info->type;
		*p++ = 255;			/* the tables are in band */
		*p++ = info->width / 8;
		*p++ = info->height / 8;
		if (info->type & 64) {
			/*
			 * Fragments do not follow restart intervals, so F and
			 * L are set and the count is 0x3fff, as section 3.1.7
			 * says for that case.
			 */
			p = put16_next(p, info->restart_interval);
			p = put16_next(p, 0xffff);
		}
		if (off == 0) {
			*p++ = 0;		/* MBZ */
			*p++ = 0;		/* both tables 8-bit */
			p = put16_next(p, 128);
			memcpy(p, info->qtables, 128);
			p += 128;
		}
		room = max - (size_t)(p - buf);
		chunk = info->scan_len - off;
		if (chunk > room)
			chunk = room;
		memcpy(p, info->scan + off, chunk);
		off += chunk;
		emit(buf, (size_t)(p - buf) + chunk, off == info->scan_len,
		    arg);
		n++;
	}
	free(buf);
	return n;
}

struct rfc2435_depack *
rfc2435_depack_new(size_t max)
{
	struct rfc2435_depack	*d;

	d = xcalloc(1, sizeof *d);
	d->max = max == 0 || max > RFC2435_MAX_SCAN ? RFC2435_MAX_SCAN : max;
	d->buf = xmalloc(DEPACK_HDR_ROOM + d->max + 2);
	d->state = DEPACK_IDLE;
	return d;
}

void
rfc2435_depack_free(struct rfc2435_depack *d)
{
	if (d == NULL)
		return;
	free(d->buf);
	free(d);
}

const struct rfc2435_stats *
rfc2435_depack_stats(const struct rfc2435_depack *d)
{
	return &d->stats;
}

/* Split a payload into its headers and data; -1 when it makes no sense. */
static int
payload_parse(const uint8_t *p, size_t len, struct rfc2435_payload *pl)
{
	size_t	tlen;

	memset(pl, 0, sizeof *pl);
	if (len < RFC2435_MAIN_HDR)
		return -1;
	pl->off = (size_t)p[1] << 16 | get16(p + 2);
	pl->type = p[4];
	pl->q = p[5];
	pl->width = p[6];
	pl->height = p[7];
	p += RFC2435_MAIN_HDR;
	len -= RFC2435_MAIN_HDR;

	/* Types 2-63 and 66-127 are reserved, 128-255 dynamic. */
	if ((pl->type & ~64) > 1)
		return -1;
	if (pl->q == 0 || (pl->q >= 100 && pl->q <= 127))
		return -1;			/* reserved */
	if (pl->width == 0 || pl->height == 0)
		return -1;
	if (pl->type & 64) {
		if (len < RFC2435_RESTART_HDR)
			return -1;
		if ((pl->dri = get16(p)) == 0)
			return -1;
		p += RFC2435_RESTART_HDR;
		len -= RFC2435_RESTART_HDR;
	}
	if (pl->off == 0 && pl->q >= 128) {
		if (len < RFC2435_QT_HDR)
			return -1;
		tlen = get16(p + 2);
		if (tlen > len - RFC2435_QT_HDR)
			return -1;
		if (tlen == 0 && pl->q == 255)
			return -1;		/* 255 always sends them */
		if (tlen != 0) {
			/* 16-bit tables cannot go in a baseline JPEG. */
			if (p[1] != 0 || tlen % 64 != 0)
				return -1;
			pl->tables = p + RFC2435_QT_HDR;
			pl->tables_len = tlen;
		}
		p += RFC2435_QT_HDR + tlen;
		len -= RFC2435_QT_HDR + tlen;
	}
	pl->data = p;
	pl->len = len;
	return 0;
}

int
rfc2435_depack_push(struct rfc2435_depack *d, const uint8_t *p, size_t len,
    uint32_t ts, uint16_t seq, int marker, rfc2435_frame_cb cb, void *arg)
{
	struct rfc2435_payload	pl;
	size_t			end;

	d->stats.packets++;
	if (d->have_seq && seq != (uint16_t)(d->last_seq + 1))
		d->stats.seq_gaps++;
	d->have_seq = 1;
	d->last_seq = seq;

	if (payload_parse(p, len, &pl) != 0) {
		d->stats.malformed++;
		return -1;
	}

	if (d->state == DEPACK_IDLE)
		depack_begin(d, ts, &pl);
	else if (ts != d->ts) {
		/* A packet from before the current frame is too late. */
		if ((int32_t)(ts - d->ts) < 0) {
			d->stats.late++;
			return -1;
		}
		if (d->state == DEPACK_ASSEMBLING)
			depack_give_up(d);
		depack_begin(d, ts, &pl);
	} else if (d->state == DEPACK_DONE) {
		d->stats.late++;
		return -1;
	}

	if (pl.type != d->type || pl.q != d->q || pl.width != d->width ||
	    pl.height != d->height || pl.dri != d->dri) {
		depack_drop(d, &d->stats.drop_mismatch);
		return -1;
	}
	if (pl.off == 0 && depack_tables(d, &pl) != 0) {
		depack_drop(d, &d->stats.drop_no_tables);
		return -1;
	}
	if (pl.off > d->max || pl.len > d->max - pl.off) {
		depack_drop(d, &d->stats.drop_too_large);
		return -1;
	}
	end = pl.off + pl.len;
	if (marker) {
		if (d->have_last && d->end != end) {
			depack_drop(d, &d->stats.drop_mismatch);
			return -1;
		}
		d->have_last = 1;
		d->end = end;
	}
	if (d->have_last && (end > d->end || (d->nranges > 0 &&
	    d->ranges[d->nranges - 1].end > d->end))) {
		/* Data past the end the marker packet gave. */
		depack_drop(d, &d->stats.drop_mismatch);
		return -1;
	}
	memcpy(d->buf + DEPACK_HDR_ROOM + pl.off, pl.data, pl.len);
	if (depack_add_range(d, pl.off, end) != 0) {
		depack_drop(d, &d->stats.drop_gap);
		return -1;
	}

	if (d->have_first && d->have_last && d->nranges == 1 &&
	    d->ranges[0].start == 0 && d->ranges[0].end == d->end)
		depack_finish(d, cb, arg);
	return 0;
}

/* The quantization tables, from the first payload or from Q. */
static int
depack_tables(struct rfc2435_depack *d, const struct rfc2435_payload *pl)
{
	size_t	i;

	if (pl->q < 100)
		rfc2435_qtables(pl->q, d->qtables);
	else if (pl->tables != NULL) {
		for (i = 0; i < 128 && i < pl->tables_len; i++) {
			if (pl->tables[i] == 0)
				return -1;	/* no baseline JPEG has it */
		}
		memcpy(d->qtables[0], pl->tables, 64);
		/* With one table, Y, Cb and Cr share it. */
		memcpy(d->qtables[1], pl->tables + (pl->tables_len >= 128 ?
		    64 : 0), 64);
		if (pl->q < 255) {
			memcpy(d->cache[pl->q - 128], d->qtables,
			    sizeof d->qtables);
			d->cache_set[pl->q - 128] = 1;
		}
	} else if (d->cache_set[pl->q - 128])
		memcpy(d->qtables, d->cache[pl->q - 128], sizeof d->qtables);
	else
		return -1;
	d->have_first = 1;
	return 0;
}

static void
depack_begin(struct rfc2435_depack *d, uint32_t ts,
    const struct rfc2435_payload *pl)
{
	d->state = DEPACK_ASSEMBLING;
	d->ts = ts;
	d->type = pl->type;
	d->q = pl->q;
	d->width = pl->width;
	d->height = pl->height;
	d->dri = pl->dri;
	d->have_first = 0;
	d->have_last = 0;
	d->end = 0;
	d->nranges = 0;
}

/* Drop the frame being assembled for a reason; its later packets are late. */
static void
depack_drop(struct rfc2435_depack *d, uint64_t *reason)
{
	(*reason)++;
	d->stats.frames_dropped++;
	d->state = DEPACK_DONE;
}

/* A newer frame began before this one was complete: say what was missing. */
static void
depack_give_up(struct rfc2435_depack *d)
{
	if (!d->have_first)
		depack_drop(d, &d->stats.drop_no_first);
	else if (!d->have_last)
		depack_drop(d, &d->stats.drop_no_last);
	else
		depack_drop(d, &d->stats.drop_gap);
}

/*
 * Note that [start, end) has come, keeping the ranges sorted and merged;
 * -1 when the frame has more holes than are worth waiting for.
 */
static int
depack_add_range(struct rfc2435_depack *d, size_t start, size_t end)
{
	struct depack_range	*r = d->ranges, tmp;
	size_t			 i, j;

	if (start == end)
		return 0;
	r[d->nranges].start = start;
	r[d->nranges].end = end;
	for (i = d->nranges++; i > 0 && r[i - 1].start > r[i].start; i--) {
		tmp = r[i - 1];
		r[i - 1] = r[i];
		r[i] = tmp;
	}
	for (i = 0, j = 1; j < d->nranges; j++) {
		if (r[j].start <= r[i].end) {
			if (r[j].end > r[i].end)
				r[i].end = r[j].end;
		} else
			r[++i] = r[j];
	}
	d->nranges = i + 1;
	return d->nranges > DEPACK_MAX_RANGES ? -1 : 0;
}

/* Put the headers in front of the scan and EOI after it, and hand it out. */
static void
depack_finish(struct rfc2435_depack *d, rfc2435_frame_cb cb, void *arg)
{
	uint8_t	 hdr[DEPACK_HDR_ROOM], *scan = d->buf + DEPACK_HDR_ROOM;
	size_t	 hlen, len = d->end;

	hlen = depack_header(d, hdr);
	memcpy(scan - hlen, hdr, hlen);
	/* Some senders leave EOI at the end of the scan. */
	if (len < 2 || scan[len - 2] != 0xff || scan[len - 1] != M_EOI) {
		scan[len++] = 0xff;
		scan[len++] = M_EOI;
	}
	d->stats.frames_complete++;
	d->state = DEPACK_DONE;
	cb(scan - hlen, hlen + len, arg);
}

/* The JFIF headers of Appendix B for the frame being assembled. */
static size_t
depack_header(const struct rfc2435_depack *d, uint8_t *hdr)
{
	uint8_t	*p = hdr, *dht;
	int	 c;

	*p++ = 0xff;
	*p++ = M_SOI;

	*p++ = 0xff;
	*p++ = M_APP0;
	p = put16_next(p, 16);
	memcpy(p, "JFIF", 5);
	p += 5;
	p = put16_next(p, 0x0101);			/* version 1.01 */
	*p++ = 0;				/* no density units */
	p = put16_next(p, 1);
	p = put16_next(p, 1);
	*p++ = 0;				/* no thumbnail */
	*p++ = 0;

	*p++ = 0xff;
	*p++ = M_DQT;
	p = put16_next(p, 2 + 2 * 65);
	for (c = 0; c < 2; c++) {
		*p++ = c;			/* 8-bit, table c */
		memcpy(p, d->qtables[c], 64);
		p += 64;
	}

	*p++ = 0xff;
	*p++ = M_SOF0;
	p = put16_next(p, 17);
	*p++ = 8;
	p = put16_next(p, d->height * 8);
	p = put16_next(p, d->width * 8);
	*p++ = 3;
	for (c = 0; c < 3; c++) {
		*p++ = c + 1;
		if (c == 0)
			*p++ = (d->type & 1) ? 0x22 : 0x21;
		else
			*p++ = 0x11;
		*p++ = c == 0 ? 0 : 1;
	}

	*p++ = 0xff;
	*p++ = M_DHT;
	dht = p;
	p += 2;
	p = put_huff(p, 0, 0);
	p = put_huff(p, 0, 1);
	p = put_huff(p, 1, 0);
	p = put_huff(p, 1, 1);
	put16_next(dht, (unsigned)(p - dht));

	if (d->dri != 0) {
		*p++ = 0xff;
		*p++ = M_DRI;
		p = put16_next(p, 4);
		p = put16_next(p, d->dri);
	}

	*p++ = 0xff;
	*p++ = M_SOS;
	p = put16_next(p, 12);
	*p++ = 3;
	for (c = 0; c < 3; c++) {
		*p++ = c + 1;
		*p++ = c == 0 ? 0x00 : 0x11;
	}
	*p++ = 0;				/* spectral selection 0-63 */
	*p++ = 63;
	*p++ = 0;
	return (size_t)(p - hdr);
}

/* One standard Huffman table, for a DHT segment. */
static uint8_t *
put_huff(uint8_t *p, int cls, int id)
{
	const struct jpeg_std_huff	*h = &jpeg_std_huff[cls][id];

	*p++ = cls << 4 | id;
	memcpy(p, h->table, h->len);
	return p + h->len;
}
