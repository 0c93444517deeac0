/*
 * A first-in first-out queue of S16 interleaved frames, for the audio
 * sources whose input comes in other sizes than the 20 ms blocks main()
 * asks for (resampled files, ALSA reads).
 */
#include <stdlib.h>
#include <string.h>

#include "cap.h"
#include "xmalloc.h"

/* Grow when needed so at least n more frames fit. */
void
pcm_fifo_put(struct pcm_fifo *f, const int16_t *in, size_t n)
{
	size_t	want = f->len + n;

	if (want > f->size) {
		f->size = want > 2 * f->size ? want : 2 * f->size;
		f->buf = xreallocarray(f->buf, f->size,
		    f->channels * sizeof *f->buf);
	}
	memcpy(f->buf + f->len * f->channels, in,
	    n * f->channels * sizeof *in);
	f->len += n;
}

/* Take up to n frames, oldest first; how many were taken. */
size_t
pcm_fifo_get(struct pcm_fifo *f, int16_t *out, size_t n)
{
	size_t	ch = f->channels;

	if (n > f->len)
		n = f->len;
	memcpy(out, f->buf, n * ch * sizeof *out);
	memmove(f->buf, f->buf + n * ch, (f->len - n) * ch * sizeof *out);
	f->len -= n;
	return n;
}

void
pcm_fifo_clear(struct pcm_fifo *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->size = 0;
}
