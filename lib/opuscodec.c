/*
 * A thin layer over libopus for the mixer's one shape of audio: 48 kHz
 * mono 20 ms frames.  The encoder is set up for voice over a lossy network
 * (VOIP application, in-band FEC, DTX); the decoder refuses anything that
 * is not exactly one 20 ms packet, so a frame from the jitter buffer
 * always fills exactly one mixer tick.
 */
#include <sys/types.h>

#include <stdlib.h>

#include <opus.h>

#include "opuscodec.h"
#include "xmalloc.h"

#define OPUSCODEC_MAX_INPUT	65535	/* more is not one UDP datagram */

struct opuscodec_enc {
	OpusEncoder	*enc;
};

struct opuscodec_dec {
	OpusDecoder	*dec;
};

static int	opuscodec_check(const uint8_t *, size_t);
static int	opuscodec_run(struct opuscodec_dec *, const uint8_t *, size_t,
		    int16_t *, int);

struct opuscodec_enc *
opuscodec_enc_new(int bitrate, int loss, char **cause)
{
	struct opuscodec_enc	*oe = NULL;
	int			 error;

	if (bitrate < OPUSCODEC_MIN_BITRATE ||
	    bitrate > OPUSCODEC_MAX_BITRATE) {
		xasprintf(cause, "bitrate %d: out of range", bitrate);
		goto out;
	}
	if (loss < 0 || loss > 100) {
		xasprintf(cause, "packet loss %d%%: out of range", loss);
		goto out;
	}

	oe = xcalloc(1, sizeof *oe);
	oe->enc = opus_encoder_create(OPUSCODEC_RATE, 1,
	    OPUS_APPLICATION_VOIP, &error);
	if (oe->enc == NULL) {
		xasprintf(cause, "opus encoder: %s", opus_strerror(error));
		goto fail;
	}
	error = opus_encoder_ctl(oe->enc, OPUS_SET_BITRATE(bitrate));
	if (error == OPUS_OK)
		error = opus_encoder_ctl(oe->enc, OPUS_SET_INBAND_FEC(1));
	if (error == OPUS_OK)
		error = opus_encoder_ctl(oe->enc, OPUS_SET_DTX(1));
	if (error == OPUS_OK)
		error = opus_encoder_ctl(oe->enc,
		    OPUS_SET_PACKET_LOSS_PERC(loss));
	if (error != OPUS_OK) {
		xasprintf(cause, "opus encoder: %s", opus_strerror(error));
		goto fail;
	}
	goto out;

fail:
	opuscodec_enc_free(oe);
	oe = NULL;
out:
	return oe;
}

void
opuscodec_enc_free(struct opuscodec_enc *oe)
{
	if (oe == NULL)
		return;
	if (oe->enc != NULL)
		opus_encoder_destroy(oe->enc);
	free(oe);
}

int
opuscodec_enc_set_bitrate(struct opuscodec_enc *oe, int bitrate,
    char **cause)
{
	int	error;

	if (bitrate < OPUSCODEC_MIN_BITRATE ||
	    bitrate > OPUSCODEC_MAX_BITRATE) {
		xasprintf(cause, "bitrate %d: out of range", bitrate);
		return -1;
	}
	error = opus_encoder_ctl(oe->enc, OPUS_SET_BITRATE(bitrate));
	if (error != OPUS_OK) {
		xasprintf(cause, "bitrate %d: %s", bitrate,
		    opus_strerror(error));
		return -1;
	}
	return 0;
}

int
opuscodec_enc_set_loss(struct opuscodec_enc *oe, int loss, char **cause)
{
	int	error;

	if (loss < 0 || loss > 100) {
		xasprintf(cause, "packet loss %d%%: out of range", loss);
		return -1;
	}
	error = opus_encoder_ctl(oe->enc, OPUS_SET_PACKET_LOSS_PERC(loss));
	if (error != OPUS_OK) {
		xasprintf(cause, "packet loss %d%%: %s", loss,
		    opus_strerror(error));
		return -1;
	}
	return 0;
}

int
opuscodec_enc_set_complexity(struct opuscodec_enc *oe, int complexity,
    char **cause)
{
	int	error;

	if (complexity < 0 || complexity > OPUSCODEC_MAX_COMPLEXITY) {
		xasprintf(cause, "complexity %d: out of range", complexity);
		return -1;
	}
	error = opus_encoder_ctl(oe->enc, OPUS_SET_COMPLEXITY(complexity));
	if (error == OPUS_OK)
		error = opus_encoder_ctl(oe->enc, OPUS_SET_DTX(
		    complexity >= OPUSCODEC_DTX_COMPLEXITY));
	if (error != OPUS_OK) {
		xasprintf(cause, "complexity %d: %s", complexity,
		    opus_strerror(error));
		return -1;
	}
	return 0;
}

int
opuscodec_enc_set_dtx(struct opuscodec_enc *oe, int on, char **cause)
{
	int	error;

	error = opus_encoder_ctl(oe->enc, OPUS_SET_DTX(on != 0));
	if (error != OPUS_OK) {
		xasprintf(cause, "dtx: %s", opus_strerror(error));
		return -1;
	}
	return 0;
}

void
opuscodec_enc_reset(struct opuscodec_enc *oe)
{
	(void)opus_encoder_ctl(oe->enc, OPUS_RESET_STATE);
}

int
opuscodec_encode(struct opuscodec_enc *oe, const int16_t *pcm, uint8_t *buf,
    size_t size)
{
	opus_int32	n;

	if (size > OPUSCODEC_MAX_PACKET)
		size = OPUSCODEC_MAX_PACKET;
	n = opus_encode(oe->enc, pcm, OPUSCODEC_FRAME, buf, (opus_int32)size);
	if (n <= 0)
		return -1;
	return n;
}

struct opuscodec_dec *
opuscodec_dec_new(char **cause)
{
	struct opuscodec_dec	*od;
	int			 error;

	od = xcalloc(1, sizeof *od);
	od->dec = opus_decoder_create(OPUSCODEC_RATE, 1, &error);
	if (od->dec == NULL) {
		xasprintf(cause, "opus decoder: %s", opus_strerror(error));
		free(od);
		od = NULL;
		goto out;
	}

out:
	return od;
}

void
opuscodec_dec_free(struct opuscodec_dec *od)
{
	if (od == NULL)
		return;
	if (od->dec != NULL)
		opus_decoder_destroy(od->dec);
	free(od);
}

int
opuscodec_decode(struct opuscodec_dec *od, const uint8_t *p, size_t len,
    int16_t *pcm)
{
	if (opuscodec_check(p, len) != 0)
		return -1;
	return opuscodec_run(od, p, len, pcm, 0);
}

int
opuscodec_decode_fec(struct opuscodec_dec *od, const uint8_t *p, size_t len,
    int16_t *pcm)
{
	if (opuscodec_check(p, len) != 0)
		return -1;
	return opuscodec_run(od, p, len, pcm, 1);
}

int
opuscodec_plc(struct opuscodec_dec *od, int16_t *pcm)
{
	return opuscodec_run(od, NULL, 0, pcm, 0);
}

/*
 * One 20 ms packet, from the table of contents (RFC 6716 section 3.1): an
 * empty packet would mean "conceal" to libopus and a longer one would not
 * fit the tick.
 */
static int
opuscodec_check(const uint8_t *p, size_t len)
{
	if (p == NULL || len == 0 || len > OPUSCODEC_MAX_INPUT)
		return -1;
	if (opus_packet_get_nb_samples(p, (opus_int32)len, OPUSCODEC_RATE) !=
	    OPUSCODEC_FRAME)
		return -1;
	return 0;
}

static int
opuscodec_run(struct opuscodec_dec *od, const uint8_t *p, size_t len,
    int16_t *pcm, int fec)
{
	int	n;

	n = opus_decode(od->dec, p, (opus_int32)len, pcm, OPUSCODEC_FRAME,
	    fec);
	if (n != OPUSCODEC_FRAME)
		return -1;
	return n;
}
