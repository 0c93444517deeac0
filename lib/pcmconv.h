/*
 * Conversion between the pipe audio format (raw signed 16-bit little-endian
 * PCM, interleaved, at one of the Opus rates with 1 or 2 channels) and the
 * mixer's (48 kHz mono, host order).  Stereo becomes mono by averaging the
 * channels and mono becomes stereo by duplicating them.  Rates change by the
 * integer factor 48000 / rate through a windowed-sinc low-pass, so that
 * nothing above the lower rate's Nyquist frequency aliases or images; 48 kHz
 * mono passes bit-exact.  Each converter goes one way and keeps its filter
 * history and, on the way in, a partial sample frame between calls, so a
 * stream cut anywhere converts as if it came in one piece.
 */
#ifndef MEET_PCMCONV_H
#define MEET_PCMCONV_H

#include <stddef.h>
#include <stdint.h>

#define PCMCONV_RATE	48000		/* the mixer's side */

struct pcmconv;

/* 1 for 8000, 12000, 16000, 24000 and 48000 Hz, else 0. */
int	 pcmconv_rate_valid(int);

/*
 * A converter from the pipe at rate Hz with channels channels to 48 kHz
 * mono (in), or back (out); NULL and an allocated *cause when the rate or
 * the channels are not allowed.  The caller owns it and frees it with
 * pcmconv_free.
 */
struct pcmconv *pcmconv_in_new(int, int, char **);
struct pcmconv *pcmconv_out_new(int, int, char **);
void	 pcmconv_free(struct pcmconv *);

/*
 * Convert len pipe bytes, cut anywhere, to at most max 48 kHz samples in
 * out, and return how many were written.  The bytes after the last whole
 * sample frame are kept for the next call.  pcmconv_in_max(len) is always
 * enough room; frames whose samples would not fit in max are dropped.
 */
size_t	 pcmconv_in(struct pcmconv *, const uint8_t *, size_t, int16_t *,
	    size_t);
size_t	 pcmconv_in_max(const struct pcmconv *, size_t);
/* The bytes held back that do not yet make a whole sample frame. */
size_t	 pcmconv_in_pending(const struct pcmconv *);

/*
 * Convert n 48 kHz samples to whole pipe sample frames, at most max bytes
 * in out, and return how many bytes were written.  pcmconv_out_max(n) is
 * always enough room; samples whose frames would not fit in max are
 * dropped.
 */
size_t	 pcmconv_out(struct pcmconv *, const int16_t *, size_t, uint8_t *,
	    size_t);
size_t	 pcmconv_out_max(const struct pcmconv *, size_t);

#endif
