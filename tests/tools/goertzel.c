/*
 * goertzel: how loud given frequencies are in raw S16LE PCM on stdin, for
 * regress tests that check tones without trusting the program under test.
 *
 *	goertzel [-r RATE] [-c CH] [-s SKIP] FREQ... < pcm
 *
 * Channels are averaged to mono; -s skips that many seconds at the start
 * (resampler warm-up, fades).  For each frequency a line "FREQ DB" is
 * printed, DB being the level relative to a full-scale sine (a sine at half
 * scale reads about -6), measured over the whole input with a Hann window.
 * A last line "rms DB" gives the overall level the same way.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void	usage(void) __attribute__((noreturn));
static double	level_db(double);

static void
usage(void)
{
	fprintf(stderr, "usage: goertzel [-r RATE] [-c CH] [-s SKIP] "
	    "FREQ... < pcm\n");
	exit(2);
}

static double
level_db(double x)
{
	return x > 1e-12 ? 20 * log10(x) : -240;
}

int
main(int argc, char **argv)
{
	int16_t		*pcm = NULL;
	double		*x, w, sumw, re, im, s0, s1, s2, coef, rms;
	size_t		 len = 0, size = 0, n, i, skip;
	ssize_t		 r;
	long		 rate = 48000, ch = 1;
	double		 skipsec = 0;
	int		 c, f, nfreq;

	while ((c = getopt(argc, argv, "c:r:s:")) != -1) {
		switch (c) {
		case 'c':
			ch = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rate = strtol(optarg, NULL, 10);
			break;
		case 's':
			skipsec = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 || rate <= 0 || ch <= 0 || skipsec < 0)
		usage();
	nfreq = argc;

	for (;;) {
		if (size - len < 65536) {
			size = size * 2 + 65536;
			if ((pcm = realloc(pcm, size)) == NULL) {
				perror("goertzel");
				return 1;
			}
		}
		r = read(STDIN_FILENO, (char *)pcm + len, size - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			perror("goertzel: stdin");
			return 1;
		}
		if (r == 0)
			break;
		len += r;
	}
	n = len / 2 / ch;
	skip = (size_t)(skipsec * rate);
	if (n <= skip + 1) {
		fprintf(stderr, "goertzel: not enough input\n");
		free(pcm);
		return 1;
	}
	n -= skip;
	if ((x = calloc(n, sizeof *x)) == NULL) {
		perror("goertzel");
		return 1;
	}
	for (i = 0; i < n; i++) {
		for (c = 0; c < ch; c++)
			x[i] += pcm[(i + skip) * ch + c];
		x[i] /= 32768.0 * ch;
	}

	/* The window's sum scales a full-scale sine to 0 dB. */
	sumw = 0;
	rms = 0;
	for (i = 0; i < n; i++) {
		sumw += 0.5 - 0.5 * cos(2 * M_PI * i / (n - 1));
		rms += x[i] * x[i];
	}
	for (f = 0; f < nfreq; f++) {
		coef = 2 * cos(2 * M_PI * strtod(argv[f], NULL) / rate);
		s1 = s2 = 0;
		for (i = 0; i < n; i++) {
			w = 0.5 - 0.5 * cos(2 * M_PI * i / (n - 1));
			s0 = x[i] * w + coef * s1 - s2;
			s2 = s1;
			s1 = s0;
		}
		re = s1 - s2 * coef / 2;
		im = s2 * sin(acos(coef / 2));
		printf("%s %.1f\n", argv[f],
		    level_db(2 * sqrt(re * re + im * im) / sumw));
	}
	/* A full-scale sine has an rms of 1/sqrt(2): call that 0 dB too. */
	printf("rms %.1f\n", level_db(sqrt(2 * rms / n)));
	free(x);
	free(pcm);
	return 0;
}
