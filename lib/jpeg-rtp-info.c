/*
 * Whether a JPEG can travel over RTP (RFC 2435) as it is.
 *
 * RFC 2435 sends no JPEG headers: the receiver rebuilds them (Appendix B)
 * from the payload header and the standard Huffman tables, so only a JPEG
 * whose headers can be rebuilt that way may be sent untouched: one
 * baseline scan, YCbCr 4:2:0 or 4:2:2, 8-bit quantization tables and the
 * Huffman tables of Annex K.  jpeg_rtp_info checks exactly that, and finds
 * the scan for the packetizer.
 */
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "jpeg-tables.h"
#include "rfc2435.h"

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
	const struct jpeg_std_huff	*std;
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
			std = &jpeg_std_huff[tc][th];
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
