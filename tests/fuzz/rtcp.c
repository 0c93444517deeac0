/*
 * Fuzzing the RTCP reader (lib/rtcp.c): the input is one compound packet.
 * Every packet it hands out of an accepted compound is built again with the
 * writers (SR, RR, SDES CNAME, BYE) and must read back the same, and the
 * round-trip arithmetic is fed the report blocks' LSR and DLSR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rtcp.h"

#define FUZZ_RTCP_BUF	8192

/* The packet a rebuilt compound is expected to hand out second. */
struct rtcp_check {
	const struct rtcp_packet	*want;
	int				 seen;
};

static void	rtcp_packet(const struct rtcp_packet *, void *);
static void	rtcp_compare(const struct rtcp_packet *, void *);
static void	rtcp_rebuild(const struct rtcp_packet *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The second packet of the rebuilt compound (after an empty RR). */
static void
rtcp_compare(const struct rtcp_packet *got, void *arg)
{
	struct rtcp_check		*c = arg;
	const struct rtcp_packet	*w = c->want;
	size_t				 i;

	if (c->seen++ != 1)
		return;
	if (got->type != w->type)
		abort();
	switch (w->type) {
	case RTCP_SR:
		if (memcmp(&got->si, &w->si, sizeof w->si) != 0)
			abort();
		/* FALLTHROUGH */
	case RTCP_RR:
		if (got->ssrc != w->ssrc || got->nrb != w->nrb ||
		    memcmp(got->rb, w->rb, w->nrb * sizeof w->rb[0]) != 0)
			abort();
		break;
	case RTCP_SDES:
		if (got->nsdes != 1 || got->sdes[0].ssrc != w->sdes[0].ssrc ||
		    strcmp(got->sdes[0].cname, w->sdes[0].cname) != 0)
			abort();
		break;
	case RTCP_BYE:
		if (got->nbye != w->nbye ||
		    strcmp(got->reason, w->reason) != 0)
			abort();
		for (i = 0; i < w->nbye; i++)
			if (got->bye[i] != w->bye[i])
				abort();
		break;
	}
}

/* Write p again behind an empty RR and read the compound back. */
static void
rtcp_rebuild(const struct rtcp_packet *p)
{
	uint8_t			buf[FUZZ_RTCP_BUF];
	struct rtcp_check	c = { p, 0 };
	size_t			off, n = 0;

	off = rtcp_write_rr(buf, sizeof buf, 1, NULL, 0);
	switch (p->type) {
	case RTCP_SR:
		n = rtcp_write_sr(buf + off, sizeof buf - off, p->ssrc, &p->si,
		    p->rb, p->nrb);
		break;
	case RTCP_RR:
		n = rtcp_write_rr(buf + off, sizeof buf - off, p->ssrc, p->rb,
		    p->nrb);
		break;
	case RTCP_SDES:
		if (p->nsdes == 0)
			return;
		n = rtcp_write_sdes(buf + off, sizeof buf - off,
		    p->sdes[0].ssrc, p->sdes[0].cname);
		break;
	case RTCP_BYE:
		n = rtcp_write_bye(buf + off, sizeof buf - off, p->bye,
		    p->nbye, p->reason[0] != '\0' ? p->reason : NULL);
		break;
	default:
		return;
	}
	if (off == 0 || n == 0)
		abort();	/* what was read fits what can be written */
	if (rtcp_parse(buf, off + n, rtcp_compare, &c) != 0 || c.seen != 2)
		abort();
}

static void
rtcp_packet(const struct rtcp_packet *p, void *arg)
{
	size_t	i;

	(void)arg;
	if (p->nrb > RTCP_MAX_COUNT || p->nsdes > RTCP_MAX_COUNT ||
	    p->nbye > RTCP_MAX_COUNT)
		abort();
	for (i = 0; i < p->nrb; i++) {
		(void)rtcp_rtt(p->si.rtp_ts, p->rb[i].lsr, p->rb[i].dlsr);
		(void)rtcp_dlsr(p->rb[i].lsr, p->si.ntp);
	}
	(void)rtcp_ntp_middle(rtcp_ntp_from_usec(p->si.ntp));
	rtcp_rebuild(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int	error;

	error = rtcp_parse(data, size, rtcp_packet, NULL);
	if (rtcp_strerror(error) == NULL)
		abort();
	return 0;
}
