/*
 * Unit tests for meet-cap's source table and synthetic sources: lookup by
 * "name[:arg]", the test pattern's JPEG (decoded header, baseline, motion),
 * the sine's frequency and phase, silence, and the PCM queue and resampler
 * the file and ALSA sources rely on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <turbojpeg.h>

#include "font.h"
#include "../../meet-cap/cap.h"

static void	test_find(void **);
static void	test_pattern(void **);
static void	test_sine(void **);
static void	test_silence(void **);
static void	test_fifo(void **);
static void	test_resampler(void **);
static void	test_font(void **);
static int	has_marker(const uint8_t *, size_t, uint8_t);

static void
test_find(void **state)
{
	const char	*arg = "unset";

	(void)state;
	assert_ptr_equal(cap_video_find("test", &arg), cap_video_sources[0]);
	assert_null(arg);
	assert_non_null(cap_video_find("file:/x.mjpeg", &arg));
	assert_string_equal(arg, "/x.mjpeg");
	assert_non_null(cap_video_find("v4l2", &arg));
	assert_null(arg);
	assert_non_null(cap_video_find("v4l2:/dev/video2", &arg));
	assert_string_equal(arg, "/dev/video2");
	assert_null(cap_video_find("test:x", &arg));
	assert_null(cap_video_find("tes", &arg));
	assert_null(cap_video_find("testx", &arg));
	assert_null(cap_video_find("", &arg));
	assert_non_null(cap_audio_find("sine:1000", &arg));
	assert_string_equal(arg, "1000");
	assert_non_null(cap_audio_find("alsa:hw:0,0", &arg));
	assert_string_equal(arg, "hw:0,0");
	assert_null(cap_audio_find("silence:1", &arg));
	assert_non_null(cap_audio_find("sine", &arg));
	assert_null(arg);
}

/* A marker outside entropy-coded data, good enough for our own images. */
static int
has_marker(const uint8_t *p, size_t len, uint8_t m)
{
	size_t	i = 2;

	while (i + 4 <= len && p[i] == 0xff) {
		if (p[i + 1] == m)
			return 1;
		if (p[i + 1] == 0xda)
			return 0;
		i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
	}
	return 0;
}

static void
test_pattern(void **state)
{
	const struct cap_video_source	*src;
	struct cap_vparams		 p = { 320, 240, 30, 80 };
	struct cap_frame		 f;
	tjhandle			 tj;
	void				*st = NULL;
	char				*cause = NULL;
	uint8_t				*first;
	size_t				 firstlen;
	int				 w, h, sub, cs;

	(void)state;
	src = cap_video_find("test", &(const char *){ NULL });
	assert_non_null(src);
	assert_int_equal(src->open(&st, NULL, &p, &cause), 0);
	assert_int_equal(src->next(st, &f, &cause), 1);
	assert_true(f.len > 100);
	assert_int_equal(f.data[0], 0xff);
	assert_int_equal(f.data[1], 0xd8);
	assert_int_equal(f.data[f.len - 2], 0xff);
	assert_int_equal(f.data[f.len - 1], 0xd9);
	assert_true(has_marker(f.data, f.len, 0xc0));	/* baseline */
	assert_false(has_marker(f.data, f.len, 0xc2));	/* progressive */
	assert_false(has_marker(f.data, f.len, 0xdd));	/* restarts */

	tj = tjInitDecompress();
	assert_int_equal(tjDecompressHeader3(tj, f.data, f.len, &w, &h, &sub,
	    &cs), 0);
	assert_int_equal(w, 320);
	assert_int_equal(h, 240);
	assert_int_equal(sub, TJSAMP_420);
	tjDestroy(tj);

	first = malloc(f.len);
	memcpy(first, f.data, f.len);
	firstlen = f.len;
	assert_int_equal(src->next(st, &f, &cause), 1);
	assert_true(f.len != firstlen || memcmp(f.data, first, f.len) != 0);
	free(first);
	src->close(st);
	assert_null(cause);
}

static void
test_sine(void **state)
{
	const struct cap_audio_source	*src;
	struct cap_aparams		 p = { 48000, 2 };
	int16_t				*buf;
	void				*st = NULL;
	char				*cause = NULL;
	const char			*arg;
	int				 i, crossings = 0, peak = 0;

	(void)state;
	src = cap_audio_find("sine:1000", &arg);
	assert_non_null(src);
	assert_int_equal(src->open(&st, arg, &p, &cause), 0);
	buf = calloc(48000 * 2, sizeof *buf);
	/* Read in uneven pieces: the phase must carry over. */
	assert_int_equal(src->read(st, buf, 1000, &cause), 1000);
	assert_int_equal(src->read(st, buf + 2000, 47000, &cause), 47000);
	for (i = 1; i < 48000; i++) {
		assert_int_equal(buf[2 * i], buf[2 * i + 1]);
		if ((buf[2 * (i - 1)] < 0) != (buf[2 * i] < 0))
			crossings++;
		if (abs(buf[2 * i]) > peak)
			peak = abs(buf[2 * i]);
		/* No jumps: 1000 Hz at half scale moves < 2200 a sample. */
		assert_true(abs(buf[2 * i] - buf[2 * (i - 1)]) < 2200);
	}
	assert_in_range(crossings, 1998, 2001);
	assert_in_range(peak, 16000, 16384);
	free(buf);
	src->close(st);

	/* Frequencies at or above Nyquist are refused, with a cause. */
	assert_int_equal(src->open(&st, "24000", &p, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(src->open(&st, "abc", &p, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

static void
test_silence(void **state)
{
	const struct cap_audio_source	*src;
	struct cap_aparams		 p = { 8000, 1 };
	int16_t				 buf[160];
	void				*st = NULL;
	char				*cause = NULL;
	const char			*arg;
	int				 i;

	(void)state;
	src = cap_audio_find("silence", &arg);
	assert_non_null(src);
	assert_int_equal(src->open(&st, arg, &p, &cause), 0);
	memset(buf, 0x55, sizeof buf);
	assert_int_equal(src->read(st, buf, 160, &cause), 160);
	for (i = 0; i < 160; i++)
		assert_int_equal(buf[i], 0);
	src->close(st);
}

static void
test_fifo(void **state)
{
	struct pcm_fifo	f = { .channels = 2 };
	int16_t		in[2000], out[2000];
	int		i;

	(void)state;
	for (i = 0; i < 2000; i++)
		in[i] = i;
	pcm_fifo_put(&f, in, 300);
	pcm_fifo_put(&f, in + 600, 700);
	assert_int_equal(f.len, 1000);
	assert_int_equal(pcm_fifo_get(&f, out, 100), 100);
	assert_memory_equal(out, in, 200 * sizeof *in);
	assert_int_equal(pcm_fifo_get(&f, out, 5000), 900);
	assert_memory_equal(out, in + 200, 1800 * sizeof *in);
	assert_int_equal(pcm_fifo_get(&f, out, 10), 0);
	pcm_fifo_clear(&f);
}

/* 1 s of 44.1 kHz stereo makes about 1 s of 48 kHz mono, mixed down. */
static void
test_resampler(void **state)
{
	struct resampler	*rs;
	const int16_t		*out;
	int16_t			*in;
	char			*cause = NULL;
	long			 n, total = 0;
	int			 i;

	(void)state;
	rs = resampler_new(44100, 2, 48000, 1, &cause);
	assert_non_null(rs);
	in = calloc(44100 * 2, sizeof *in);
	for (i = 0; i < 44100; i++) {
		in[2 * i] = 8000;	/* DC on both channels */
		in[2 * i + 1] = 8000;
	}
	for (i = 0; i < 10; i++) {
		n = resampler_convert(rs, in + i * 4410 * 2, 4410, &out);
		assert_true(n >= 0);
		if (n > 100)
			assert_in_range(out[n - 1], 4000, 12000);
		total += n;
	}
	while ((n = resampler_convert(rs, NULL, 0, &out)) > 0)
		total += n;
	assert_in_range(total, 47900, 48100);
	free(in);
	resampler_free(rs);

	assert_null(resampler_new(0, 1, 48000, 1, &cause));
	assert_non_null(cause);
	free(cause);
}

static void
test_font(void **state)
{
	uint8_t	plane[20 * 10];
	int	i, ink = 0;

	(void)state;
	assert_int_equal(font_text_width("", 1), 0);
	assert_int_equal(font_text_width("1", 1), 5);
	assert_int_equal(font_text_width("12", 2), 22);
	memset(plane, 0, sizeof plane);
	/* Drawn partly off the plane: clipped, never written outside. */
	font_draw(plane, 20, 20, 10, 15, 5, "88", 2);
	for (i = 0; i < 20 * 10; i++) {
		if (plane[i] != 0)
			ink++;
	}
	assert_true(ink > 0);
	for (i = 0; i < 5 * 20; i++)
		assert_int_equal(plane[i], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_sine),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_resampler),
		cmocka_unit_test(test_font),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
