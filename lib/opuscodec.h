/*
 * Opus (RFC 6716, RTP payload RFC 7587) for the audio mixer: 48 kHz mono,
 * one 20 ms frame of 960 samples per packet, both ways.  The encoder puts
 * in-band FEC (a coarse copy of the previous frame) into each packet and
 * goes quiet in silence (DTX); the decoder decodes a packet, rebuilds a
 * lost frame from the FEC in the packet after it, or conceals it with
 * nothing to go on (PLC).  Packets come from the network: a packet that
 * is not one valid 20 ms Opus packet is refused before it reaches the
 * decoder's state.
 */
#ifndef MEET_OPUSCODEC_H
#define MEET_OPUSCODEC_H

#include <stddef.h>
#include <stdint.h>

#define OPUSCODEC_RATE		48000
#define OPUSCODEC_FRAME		960	/* samples in 20 ms */
#define OPUSCODEC_MAX_PACKET	1275	/* RFC 6716 section 3.4 */
#define OPUSCODEC_DTX_LEN	2	/* this short need not be sent */
#define OPUSCODEC_MIN_BITRATE	6000
#define OPUSCODEC_MAX_BITRATE	510000

struct opuscodec_enc;
struct opuscodec_dec;

/*
 * An encoder at bitrate bits a second expecting loss percent of packets
 * lost (which sizes the FEC); NULL and an allocated *cause when either is
 * out of range or libopus fails.  The caller owns the encoder and frees it
 * with opuscodec_enc_free.
 */
struct opuscodec_enc *opuscodec_enc_new(int, int, char **);
void	opuscodec_enc_free(struct opuscodec_enc *);
/* 0, or -1 and an allocated *cause. */
int	opuscodec_enc_set_bitrate(struct opuscodec_enc *, int, char **);
int	opuscodec_enc_set_loss(struct opuscodec_enc *, int, char **);
/*
 * libopus' complexity, 0 to 10 (its default is 9 or 10 by version): what
 * an encode costs, and a little of how it sounds.  DTX is turned off below
 * OPUSCODEC_DTX_COMPLEXITY and back on from there: below it libopus runs
 * no signal analysis, and its voice detector takes a steady tone (a test
 * tone, a hum, music on hold) for background noise, which DTX would turn
 * into near silence.
 */
#define OPUSCODEC_MAX_COMPLEXITY	10
#define OPUSCODEC_DTX_COMPLEXITY	7
int	opuscodec_enc_set_complexity(struct opuscodec_enc *, int, char **);
/* DTX on (1) or off, whatever the complexity said. */
int	opuscodec_enc_set_dtx(struct opuscodec_enc *, int, char **);
/*
 * Forget what was encoded before, as a new encoder would: for an encoder
 * that was not fed for a while and has nothing better to start from.
 */
void	opuscodec_enc_reset(struct opuscodec_enc *);
/*
 * Encode OPUSCODEC_FRAME samples into buf (size bytes, OPUSCODEC_MAX_PACKET
 * is always enough): the packet's length, at most OPUSCODEC_DTX_LEN in
 * silence, or -1.
 */
int	opuscodec_encode(struct opuscodec_enc *, const int16_t *, uint8_t *,
	    size_t);

/* A decoder, or NULL and an allocated *cause; freed by opuscodec_dec_free. */
struct opuscodec_dec *opuscodec_dec_new(char **);
void	opuscodec_dec_free(struct opuscodec_dec *);
/*
 * Each writes OPUSCODEC_FRAME samples to pcm and returns OPUSCODEC_FRAME,
 * or returns -1 for a packet that is not one valid 20 ms Opus packet (its
 * TOC is checked before the decoder sees it; libopus parses the rest
 * before it decodes).  opuscodec_decode
 * decodes a packet; opuscodec_decode_fec rebuilds the frame lost just
 * before a packet from the FEC in it (concealing, as opuscodec_plc does,
 * when the packet carries none), and that packet is then decoded in its
 * turn; opuscodec_plc conceals a lost frame from what came before.
 */
int	opuscodec_decode(struct opuscodec_dec *, const uint8_t *, size_t,
	    int16_t *);
int	opuscodec_decode_fec(struct opuscodec_dec *, const uint8_t *, size_t,
	    int16_t *);
int	opuscodec_plc(struct opuscodec_dec *, int16_t *);

#endif
