/*
 * What every harness in tests/fuzz shares: the two entry points libFuzzer
 * calls (prototyped here for -Wmissing-prototypes), and a reader that deals
 * an input out in pieces, so that one input can be a series of packets,
 * ticks or connections.
 */
#ifndef MEET_FUZZ_H
#define MEET_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* An input being read from the front; nothing is copied. */
struct fuzz_input {
	const uint8_t	*p;
	size_t		 left;
};

static inline void
fuzz_input_init(struct fuzz_input *in, const uint8_t *p, size_t len)
{
	in->p = p;
	in->left = len;
}

/* The next byte, 0 once the input is used up. */
static inline uint8_t
fuzz_u8(struct fuzz_input *in)
{
	uint8_t	c;

	if (in->left == 0)
		return 0;
	c = in->p[0];
	in->p++;
	in->left--;
	return c;
}

/* The next two bytes, big-endian, 0 once the input is used up. */
static inline uint16_t
fuzz_u16(struct fuzz_input *in)
{
	uint16_t	hi;

	hi = fuzz_u8(in);
	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static inline uint32_t
fuzz_u32(struct fuzz_input *in)
{
	uint32_t	hi;

	hi = fuzz_u16(in);
	return hi << 16 | fuzz_u16(in);
}

/*
 * A piece of up to n bytes (fewer at the end): its start, and its length in
 * *len.  The piece points into the input.
 */
static inline const uint8_t *
fuzz_bytes(struct fuzz_input *in, size_t n, size_t *len)
{
	const uint8_t	*p = in->p;

	if (n > in->left)
		n = in->left;
	in->p += n;
	in->left -= n;
	*len = n;
	return p;
}

#endif
