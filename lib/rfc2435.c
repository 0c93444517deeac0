/*
 * JPEG over RTP (RFC 2435).
 *
 * RFC 2435 sends no JPEG headers: a payload is a main header (type, Q,
 * width and height in 8-pixel blocks, fragment offset), a restart header for
 * types 64-127, the quantization tables in the first fragment when Q is
 * 128-255, then a piece of the entropy-coded scan.  The receiver rebuilds
 * the headers (Appendix B) from that and the standard Huffman tables, so only
 * a JPEG whose headers can be rebuilt that way may be sent untouched: one
 * baseline scan, YCbCr 4:2:0 or 4:2:2, 8-bit quantization tables and the
 * Huffman tables of Annex K.  jpeg_rtp_info checks exactly that.
 *
 * The depacketizer puts fragments where their offset says, so packets
 * reordered within a frame are fine; a frame is handed out only when every
 * byte from 0 to the end of the marker packet has come, and is dropped (and
 * counted) when a later timestamp shows that it never will.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfc2435.h"
#include "xmalloc.h"

#define M_SOF0	0xc0
#define M_DHT	0xc4
#define M_SOI	0xd8
#define M_EOI	0xd9
#define M_SOS	0xda
#define M_DQT	0xdb
#define M_DRI	0xdd
#define M_APP0	0xe0
#define M_COM	0xfe

#define RFC2435_MAX_PAYLOAD	65495	/* 65535 less IP, UDP and RTP */
#define DEPACK_HDR_ROOM		1024	/* more than depack_header writes */
#define DEPACK_MAX_RANGES	64	/* holes a frame may have at once */

/* Annex K tables K.1 and K.2, in natural (row by row) order. */
static const uint8_t std_luma_quant[64] = {
	16,  11,  10,  16,  24,  40,  51,  61,
	12,  12,  14,  19,  26,  58,  60,  55,
	14,  13,  16,  24,  40,  57,  69,  56,
	14,  17,  22,  29,  51,  87,  80,  62,
	18,  22,  37,  56,  68, 109, 103,  77,
	24,  35,  55,  64,  81, 104, 113,  92,
	49,  64,  78,  87, 103, 121, 120, 101,
	72,  92,  95,  98, 112, 100, 103,  99
};
static const uint8_t std_chroma_quant[64] = {
	17,  18,  24,  47,  99,  99,  99,  99,
	18,  21,  26,  66,  99,  99,  99,  99,
	24,  26,  56,  99,  99,  99,  99,  99,
	47,  66,  99,  99,  99,  99,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99
};

/* The natural index of each coefficient in zigzag order. */
static const uint8_t zigzag[64] = {
	 0,  1,  8, 16,  9,  2,  3, 10, 17, 24, 32, 25, 18, 11,  4,  5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13,  6,  7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63
};

/* Annex K.3 Huffman tables: 16 code counts, then the symbols. */
static const uint8_t std_dc_luma[16 + 12] = {
	0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
};
static const uint8_t std_dc_chroma[16 + 12] = {
	0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
};
static const uint8_t std_ac_luma[16 + 162] = {
	0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d,
	0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12,
	0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
	0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
	0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
	0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16,
	0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
	0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
	0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
	0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
	0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
	0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79,
	0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
	0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
	0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
	0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
	0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4,
	0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
	0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea,
	0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
	0xf9, 0xfa
};
static const uint8_t std_ac_chroma[16 + 162] = {
	0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77,
	0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21,
	0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
	0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91,
	0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
	0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34,
	0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
	0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38,
	0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
	0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
	0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
	0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
	0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
	0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96,
	0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
	0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4,
	0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
	0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2,
	0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
	0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9,
	0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
	0xf9, 0xfa
};

/* The standard tables by class (DC 0, AC 1) and destination (0, 1). */
static const struct std_huff {
	const uint8_t	*table;
	size_t		 len;
} std_huff[2][2] = {
	{ { std_dc_luma, sizeof std_dc_luma },
	  { std_dc_chroma, sizeof std_dc_chroma } },
	{ { std_ac_luma, sizeof std_ac_luma },
	  { std_ac_chroma, sizeof std_ac_chroma } }
};

/* What the JPEG parser learns from the headers before the scan. */
struct jpeg_parse {
	uint8_t	qt[4][64];
	int	qt_set[4];
	int	huff[2][4];	/* HUFF_* for each class and destination */
	int	have_sof;
	int	width;
	int	height;
	int	comp_id[3];
	int	comp_hv[3];
	int	comp_tq[3];
	int	dri;
};
#define HUFF_UNSET	0	/* never defined: the MJPEG default applies */
#define HUFF_STD	1	/* defined as the Annex K table of its slot */
#define HUFF_OTHER	2	/* defined as anything else */

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

static unsigned	get16(const uint8_t *);
static uint8_t	*put16(uint8_t *, unsigned);
static int	jpeg_segment(struct jpeg_parse *, int, const uint8_t *, size_t,
		    char *, size_t);
static int	jpeg_dqt(struct jpeg_parse *, const uint8_t *, size_t, char *,
		    size_t);
static int	jpeg_dht(struct jpeg_parse *, const uint8_t *, size_t, char *,
		    size_t);
static int	jpeg_sof(struct jpeg_parse *, const uint8_t *, size_t, char *,
		    size_t);
static int	jpeg_sos(struct jpeg_parse *, const uint8_t *, size_t, size_t,
		    struct jpeg_rtp_info *, char *, size_t);
static int	jpeg_check_tables(const struct jpeg_parse *, const int *,
		    const int *, struct jpeg_rtp_info *, char *, size_t);
static int	jpeg_scan_end(const uint8_t *, size_t, size_t, size_t *,
		    char *, size_t);
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

static unsigned
get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint8_t *
put16(uint8_t *p, unsigned v)
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
		l = (std_luma_quant[zigzag[i]] * scale + 50) / 100;
		c = (std_chroma_quant[zigzag[i]] * scale + 50) / 100;
		qt[0][i] = l < 1 ? 1 : (l > 255 ? 255 : l);
		qt[1][i] = c < 1 ? 1 : (c > 255 ? 255 : c);
	}
}

int
jpeg_rtp_info(const uint8_t *p, size_t len, struct jpeg_rtp_info *info,
    char *err, size_t errlen)
{
	struct jpeg_parse	 jp;
	size_t			 i = 2, n;
	int			 m;

	memset(&jp, 0, sizeof jp);
	memset(info, 0, sizeof *info);
	if (len < 4 || p[0] != 0xff || p[1] != M_SOI) {
		snprintf(err, errlen, "not a JPEG (no SOI)");
		return -1;
	}
	for (;;) {
		if (i >= len || p[i] != 0xff) {
			snprintf(err, errlen, "no marker at byte %zu", i);
			return -1;
		}
		while (i < len && p[i] == 0xff)		/* fill bytes */
			i++;
		if (i >= len) {
			snprintf(err, errlen, "truncated before the scan");
			return -1;
		}
		m = p[i++];
		if (m == M_SOI || m == M_EOI || m == 0x01 ||
		    (m >= 0xd0 && m <= 0xd7)) {
			snprintf(err, errlen, "marker %02X before the scan", m);
			return -1;
		}
		if (len - i < 2 || (n = get16(p + i)) < 2 || n > len - i) {
			snprintf(err, errlen, "marker %02X: bad length", m);
			return -1;
		}
		if (m == M_SOS)
			return jpeg_sos(&jp, p, len, i, info, err, errlen);
		if (jpeg_segment(&jp, m, p + i + 2, n - 2, err, errlen) != 0)
			return -1;
		i += n;
	}
}

/* One segment before the scan. */
static int
jpeg_segment(struct jpeg_parse *jp, int m, const uint8_t *p, size_t n,
    char *err, size_t errlen)
{
	switch (m) {
	case M_DQT:
		return jpeg_dqt(jp, p, n, err, errlen);
	case M_DHT:
		return jpeg_dht(jp, p, n, err, errlen);
	case M_SOF0:
		return jpeg_sof(jp, p, n, err, errlen);
	case M_DRI:
		if (n != 2) {
			snprintf(err, errlen, "DRI: bad length");
			return -1;
		}
		jp->dri = get16(p);
		return 0;
	}
	if ((m >= M_APP0 && m <= 0xef) || m == M_COM)
		return 0;
	if (m >= 0xc0 && m <= 0xcf && m != 0xc8 && m != 0xcc)
		snprintf(err, errlen, "SOF%d: not baseline", m - 0xc0);
	else
		snprintf(err, errlen, "marker %02X not supported", m);
	return -1;
}

static int
jpeg_dqt(struct jpeg_parse *jp, const uint8_t *p, size_t n, char *err,
    size_t errlen)
{
	int	pq, tq, i;

	while (n > 0) {
		pq = p[0] >> 4;
		tq = p[0] & 0xf;
		if (pq != 0) {
			snprintf(err, errlen, "DQT: 16-bit table");
			return -1;
		}
		if (tq > 3 || n < 65) {
			snprintf(err, errlen, "DQT: bad table");
			return -1;
		}
		for (i = 0; i < 64; i++) {
			if (p[1 + i] == 0) {
				snprintf(err, errlen, "DQT: zero quantizer");
				return -1;
			}
		}
		memcpy(jp->qt[tq], p + 1, 64);
		jp->qt_set[tq] = 1;
		p += 65;
		n -= 65;
	}
	return 0;
}

static int
jpeg_dht(struct jpeg_parse *jp, const uint8_t *p, size_t n, char *err,
    size_t errlen)
{
	const struct std_huff	*std;
	size_t			 count, i;
	int			 tc, th;

	while (n > 0) {
		tc = p[0] >> 4;
		th = p[0] & 0xf;
		if (tc > 1 || th > 3 || n < 17) {
			snprintf(err, errlen, "DHT: bad table");
			return -1;
		}
		for (count = 0, i = 1; i <= 16; i++)
			count += p[i];
		if (count > 256 || n < 17 + count) {
			snprintf(err, errlen, "DHT: bad table");
			return -1;
		}
		/*
		 * The receiver will rebuild the headers with the Annex K
		 * tables in slots 0 (luma) and 1 (chroma), so a table is
		 * useful only if it is that table.
		 */
		jp->huff[tc][th] = HUFF_OTHER;
		if (th <= 1) {
			std = &std_huff[tc][th];
			if (std->len == 16 + count &&
			    memcmp(std->table, p + 1, std->len) == 0)
				jp->huff[tc][th] = HUFF_STD;
		}
		p += 17 + count;
		n -= 17 + count;
	}
	return 0;
}

static int
jpeg_sof(struct jpeg_parse *jp, const uint8_t *p, size_t n, char *err,
    size_t errlen)
{
	int	i;

	if (jp->have_sof) {
		snprintf(err, errlen, "SOF0: more than one");
		return -1;
	}
	if (n < 6 || p[0] != 8) {
		snprintf(err, errlen, "SOF0: bad header or not 8-bit");
		return -1;
	}
	jp->height = get16(p + 1);
	jp->width = get16(p + 3);
	if (p[5] != 3 || n != 6 + 3 * 3) {
		snprintf(err, errlen, "SOF0: %d components, not 3", p[5]);
		return -1;
	}
	for (i = 0; i < 3; i++) {
		jp->comp_id[i] = p[6 + 3 * i];
		jp->comp_hv[i] = p[7 + 3 * i];
		jp->comp_tq[i] = p[8 + 3 * i];
		if (jp->comp_tq[i] > 3) {
			snprintf(err, errlen, "SOF0: bad table number");
			return -1;
		}
	}
	jp->have_sof = 1;
	return 0;
}

/*
 * The scan header at p + i (its length, checked to fit), and the checks that
 * need every header: the frame must be one RFC 2435 type and its tables the
 * ones the receiver will rebuild.
 */
static int
jpeg_sos(struct jpeg_parse *jp, const uint8_t *p, size_t len, size_t i,
    struct jpeg_rtp_info *info, char *err, size_t errlen)
{
	const uint8_t	*s = p + i + 2;
	size_t		 n = get16(p + i) - 2, end;
	int		 c, td[3], ta[3], type;

	if (!jp->have_sof) {
		snprintf(err, errlen, "SOS before SOF0");
		return -1;
	}
	if (n != 1 + 3 * 2 + 3 || s[0] != 3) {
		snprintf(err, errlen, "SOS: not one scan of 3 components");
		return -1;
	}
	for (c = 0; c < 3; c++) {
		if (s[1 + 2 * c] != jp->comp_id[c]) {
			snprintf(err, errlen, "SOS: components out of order");
			return -1;
		}
		td[c] = s[2 + 2 * c] >> 4;
		ta[c] = s[2 + 2 * c] & 0xf;
	}
	if (s[7] != 0 || s[8] != 63 || s[9] != 0) {
		snprintf(err, errlen, "SOS: not a sequential scan");
		return -1;
	}

	if (jp->comp_hv[0] == 0x21)
		type = 0;
	else if (jp->comp_hv[0] == 0x22)
		type = 1;
	else
		type = -1;
	if (type == -1 || jp->comp_hv[1] != 0x11 || jp->comp_hv[2] != 0x11) {
		snprintf(err, errlen, "sampling %dx%d,%dx%d,%dx%d is not "
		    "4:2:2 or 4:2:0", jp->comp_hv[0] >> 4, jp->comp_hv[0] & 0xf,
		    jp->comp_hv[1] >> 4, jp->comp_hv[1] & 0xf,
		    jp->comp_hv[2] >> 4, jp->comp_hv[2] & 0xf);
		return -1;
	}
	if (jp->width == 0 || jp->height == 0 ||
	    jp->width > RFC2435_MAX_DIM || jp->height > RFC2435_MAX_DIM ||
	    jp->width % 8 != 0 || jp->height % 8 != 0) {
		snprintf(err, errlen, "%dx%d: not multiples of 8 up to %d",
		    jp->width, jp->height, RFC2435_MAX_DIM);
		return -1;
	}
	if (jpeg_check_tables(jp, td, ta, info, err, errlen) != 0)
		return -1;
	if (jpeg_scan_end(p, len, i + 2 + n, &end, err, errlen) != 0)
		return -1;

	info->type = jp->dri != 0 ? type + 64 : type;
	info->width = jp->width;
	info->height = jp->height;
	info->restart_interval = jp->dri;
	info->scan = p + i + 2 + n;
	info->scan_len = end - (i + 2 + n);
	return 0;
}

/*
 * The receiver rebuilds DQT with the luma table for Y and one table for Cb
 * and Cr, and DHT with the Annex K tables (luma in slot 0, chroma in slot 1).
 * A Huffman table never defined is taken as that default, as MJPEG does.
 */
static int
jpeg_check_tables(const struct jpeg_parse *jp, const int *td, const int *ta,
    struct jpeg_rtp_info *info, char *err, size_t errlen)
{
	int	c, role, cls, t, state;

	for (c = 0; c < 3; c++) {
		role = c == 0 ? 0 : 1;
		for (cls = 0; cls < 2; cls++) {
			t = cls == 0 ? td[c] : ta[c];
			state = t > 3 ? HUFF_OTHER : jp->huff[cls][t];
			if (state == HUFF_OTHER || t != role) {
				snprintf(err, errlen, "Huffman tables are not "
				    "the standard ones");
				return -1;
			}
		}
		if (!jp->qt_set[jp->comp_tq[c]]) {
			snprintf(err, errlen, "no quantization table %d",
			    jp->comp_tq[c]);
			return -1;
		}
	}
	if (memcmp(jp->qt[jp->comp_tq[1]], jp->qt[jp->comp_tq[2]], 64) != 0) {
		snprintf(err, errlen, "Cb and Cr quantized differently");
		return -1;
	}
	memcpy(info->qtables[0], jp->qt[jp->comp_tq[0]], 64);
	memcpy(info->qtables[1], jp->qt[jp->comp_tq[1]], 64);
	return 0;
}

/*
 * Where the entropy-coded data from start ends: at EOI.  Stuffed zeros,
 * restart markers and fill bytes belong to it; any other marker means a
 * second scan or something RFC 2435 cannot carry.
 */
static int
jpeg_scan_end(const uint8_t *p, size_t len, size_t start, size_t *end,
    char *err, size_t errlen)
{
	const uint8_t	*ff;
	size_t		 j = start;
	int		 m;

	while (j < len &&
	    (ff = memchr(p + j, 0xff, len - j)) != NULL) {
		j = (size_t)(ff - p);
		if (j + 1 >= len)
			break;
		m = p[j + 1];
		if (m == 0 || (m >= 0xd0 && m <= 0xd7)) {
			j += 2;
			continue;
		}
		if (m == 0xff) {
			j++;
			continue;
		}
		if (m != M_EOI) {
			snprintf(err, errlen, "marker %02X after the scan", m);
			return -1;
		}
		if (j == start) {
			snprintf(err, errlen, "empty scan");
			return -1;
		}
		if (j - start > RFC2435_MAX_SCAN) {
			snprintf(err, errlen, "scan of %zu bytes too long",
			    j - start);
			return -1;
		}
		*end = j;
		return 0;
	}
	snprintf(err, errlen, "truncated scan (no EOI)");
	return -1;
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
		p = put16(p, off & 0xffff);
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
			p = put16(p, info->restart_interval);
			p = put16(p, 0xffff);
		}
		if (off == 0) {
			*p++ = 0;		/* MBZ */
			*p++ = 0;		/* both tables 8-bit */
			p = put16(p, 128);
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
	p = put16(p, 16);
	memcpy(p, "JFIF", 5);
	p += 5;
	p = put16(p, 0x0101);			/* version 1.01 */
	*p++ = 0;				/* no density units */
	p = put16(p, 1);
	p = put16(p, 1);
	*p++ = 0;				/* no thumbnail */
	*p++ = 0;

	*p++ = 0xff;
	*p++ = M_DQT;
	p = put16(p, 2 + 2 * 65);
	for (c = 0; c < 2; c++) {
		*p++ = c;			/* 8-bit, table c */
		memcpy(p, d->qtables[c], 64);
		p += 64;
	}

	*p++ = 0xff;
	*p++ = M_SOF0;
	p = put16(p, 17);
	*p++ = 8;
	p = put16(p, d->height * 8);
	p = put16(p, d->width * 8);
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
	put16(dht, (unsigned)(p - dht));

	if (d->dri != 0) {
		*p++ = 0xff;
		*p++ = M_DRI;
		p = put16(p, 4);
		p = put16(p, d->dri);
	}

	*p++ = 0xff;
	*p++ = M_SOS;
	p = put16(p, 12);
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
	const struct std_huff	*h = &std_huff[cls][id];

	*p++ = cls << 4 | id;
	memcpy(p, h->table, h->len);
	return p + h->len;
}
