/*
 * The audio of loadgen.  Speakers replay one second of real Opus, encoded
 * once at start by lib/opuscodec.c (the node's own settings: 20 ms, FEC,
 * DTX) from one of three voices:
 *
 *	quiet	a 300 Hz tone at -45 dBFS (RMS), under the mixer's talking
 *		threshold: what everyone sends when everyone sends
 *	speech	a 440 Hz tone at -27 dBFS, well over it: a talker
 *	click	the speech tone with a click (5 ms of 1 kHz at -3 dBFS) at
 *		the start of the loop, once a second: the one talker whose
 *		click listeners look for in their mix
 *
 * A listener's click finder decodes its mix and reports a click where a
 * sample passes CLICK_THRESHOLD after CLICK_QUIET samples below it; the
 * tones of three talkers summed stay under it (3 x 2000 < 10000).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opuscodec.h"
#include "xmalloc.h"

#include "loadgen.h"

#define QUIET_AMP	260
#define SPEECH_AMP	2000
#define CLICK_AMP	24000
#define CLICK_LEN	240		/* 5 ms */
#define CLICK_THRESHOLD	10000
#define CLICK_QUIET	(48000 / 5)	/* 200 ms below it before an onset */

struct click_finder {
	struct opuscodec_dec	*dec;
	uint64_t		 quiet;
	uint64_t		 errors;
};

static void	opus_voice_pcm(enum opus_voice, int, int16_t *);

/* Frame i (of OPUS_LOOP_FRAMES) of a voice. */
static void
opus_voice_pcm(enum opus_voice v, int frame, int16_t *pcm)
{
	double	t, s;
	int	i, n;

	for (i = 0; i < LG_SAMPLES; i++) {
		n = frame * LG_SAMPLES + i;
		t = (double)n / 48000.0;
		s = 0;
		if (v == VOICE_QUIET)
			s = QUIET_AMP * sin(2 * M_PI * 300 * t);
		else if (v == VOICE_SPEECH || v == VOICE_CLICK)
			s = SPEECH_AMP * sin(2 * M_PI * 440 * t);
		if (v == VOICE_CLICK && n < CLICK_LEN)
			s += CLICK_AMP * sin(2 * M_PI * 1000 * t);
		if (s > 32767)
			s = 32767;
		if (s < -32768)
			s = -32768;
		pcm[i] = (int16_t)lrint(s);
	}
}

int
opus_loops_make(struct opus_loop *loops, int bitrate)
{
	struct opuscodec_enc	*enc;
	int16_t			 pcm[LG_SAMPLES];
	char			*cause;
	int			 v, pass, i, n;

	memset(loops, 0, VOICE_MAX * sizeof *loops);
	for (v = VOICE_QUIET; v < VOICE_MAX; v++) {
		if ((enc = opuscodec_enc_new(bitrate, 10, &cause)) == NULL) {
			fprintf(stderr, "loadgen: %s\n", cause);
			free(cause);
			return -1;
		}
		/* Twice round: the second pass starts from a settled state. */
		for (pass = 0; pass < 2; pass++) {
			loops[v].bytes = 0;
			for (i = 0; i < OPUS_LOOP_FRAMES; i++) {
				opus_voice_pcm(v, i, pcm);
				n = opuscodec_encode(enc, pcm, loops[v].pkt[i],
				    sizeof loops[v].pkt[i]);
				if (n <= 0) {
					fprintf(stderr, "loadgen: opus encode "
					    "failed\n");
					opuscodec_enc_free(enc);
					return -1;
				}
				loops[v].len[i] = (size_t)n;
				loops[v].bytes += (uint64_t)n;
			}
		}
		opuscodec_enc_free(enc);
	}
	return 0;
}

struct click_finder *
click_finder_new(void)
{
	struct click_finder	*cf;
	char			*cause;

	cf = xcalloc(1, sizeof *cf);
	if ((cf->dec = opuscodec_dec_new(&cause)) == NULL) {
		fprintf(stderr, "loadgen: %s\n", cause);
		exit(1);
	}
	return cf;
}

void
click_finder_free(struct click_finder *cf)
{
	if (cf == NULL)
		return;
	opuscodec_dec_free(cf->dec);
	free(cf);
}

int
click_finder_push(struct click_finder *cf, const uint8_t *pkt, size_t len)
{
	int16_t	pcm[LG_SAMPLES];
	int	i, found = 0, n;

	if (pkt == NULL)
		n = opuscodec_plc(cf->dec, pcm);
	else if ((n = opuscodec_decode(cf->dec, pkt, len, pcm)) < 0) {
		cf->errors++;
		n = opuscodec_plc(cf->dec, pcm);
	}
	if (n != LG_SAMPLES)
		return -1;
	for (i = 0; i < LG_SAMPLES; i++) {
		if (abs(pcm[i]) < CLICK_THRESHOLD) {
			cf->quiet++;
			continue;
		}
		if (cf->quiet >= CLICK_QUIET)
			found = 1;
		cf->quiet = 0;
	}
	return found;
}

uint64_t
click_finder_errors(const struct click_finder *cf)
{
	return cf->errors;
}
