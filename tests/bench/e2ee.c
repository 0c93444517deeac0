/*
 * What end-to-end encryption costs a node (lib/e2ee.c, lib/e2ee-frame.c):
 * the Argon2id root that a member's node computes once per room, the keys
 * derived at a sender's first frame, and sealing and opening an Opus
 * packet (100 bytes), a 640x480 JPEG (40 KB) and a shared file's 64 KiB
 * chunk.  Each figure is the median of ROUNDS runs, on one thread, in
 * microseconds per operation; nothing is judged.
 *
 *	make -f tests/bench/bench.mk [BUILD=build] build/bench/e2ee
 *	build/bench/e2ee [-n scale]
 */
#include <sys/types.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2ee.h"

#define ROUNDS		7
#define OPUS_LEN	100
#define JPEG_LEN	40000

struct bench_case {
	const char	*name;
	size_t		 len;
	int		 meta;		/* 0 audio, 1 video, 2 file */
	long		 iters;		/* at scale 1 */
};

static double	 bench_now(void);
static int	 bench_cmp(const void *, const void *);
static double	 bench_median(double *, size_t);
static void	 bench_kdf(void);
static void	 bench_derive(const uint8_t *, long);
static void	 bench_frames(const uint8_t *, const struct bench_case *, long);

static const struct bench_case bench_cases[] = {
	{ "Opus packet", OPUS_LEN, 0, 200000 },
	{ "640x480 JPEG", JPEG_LEN, 1, 4000 },
	{ "file chunk", E2EE_FILE_CHUNK, 2, 2000 },
};

static double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, bench_cmp);
	return v[n / 2];
}

/* The root: once per member's node per room. */
static void
bench_kdf(void)
{
	struct e2ee_passphrase	 pass;
	uint8_t			 id[E2EE_ROOM_ID_LEN], root[E2EE_SECRET_LEN];
	double			 t[ROUNDS], t0;
	size_t			 i;

	memset(&pass, 0, sizeof pass);
	pass.len = (size_t)snprintf(pass.text, sizeof pass.text, "%s",
	    "a passphrase of some length");
	memset(id, 7, sizeof id);
	for (i = 0; i < ROUNDS; i++) {
		t0 = bench_now();
		if (e2ee_root_derive(&pass, "bench", id, root) != 0)
			errx(1, "e2ee_root_derive failed");
		t[i] = bench_now() - t0;
	}
	printf("%-28s %10.0f us  (Argon2id, ops %llu, %zu MiB)\n",
	    "root (once per room)", bench_median(t, ROUNDS) * 1e6,
	    E2EE_PWHASH_OPSLIMIT, E2EE_PWHASH_MEMLIMIT >> 20);
}

/* A KID's keys: at a sender's first frame, and at each new epoch. */
static void
bench_derive(const uint8_t *secret, long iters)
{
	struct e2ee_sender	*s;
	double			 t[ROUNDS], t0;
	char			*cause = NULL;
	size_t			 i;
	long			 j;

	for (i = 0; i < ROUNDS; i++) {
		t0 = bench_now();
		for (j = 0; j < iters; j++) {
			s = e2ee_sender_new(secret, e2ee_kid((uint32_t)j + 1,
			    E2EE_STREAM_AUDIO, 1), &cause);
			if (s == NULL)
				errx(1, "e2ee_sender_new: %s", cause);
			e2ee_sender_free(s);
		}
		t[i] = (bench_now() - t0) / (double)iters;
	}
	printf("%-28s %10.2f us  (HKDF x4, AES key schedule)\n",
	    "keys of a new KID", bench_median(t, ROUNDS) * 1e6);
}

static void
bench_frames(const uint8_t *secret, const struct bench_case *bc, long iters)
{
	struct e2ee_sender	*s;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	enum e2ee_stream	 stream;
	uint8_t			 meta[E2EE_META_MAX], nonce[16], *pt, *ct;
	uint8_t			*out;
	double			 ts[ROUNDS], to[ROUNDS], t0;
	size_t			 mlen, len = 0, olen, i;
	char			*cause = NULL;
	long			 j;
	int			 r;

	stream = bc->meta == 0 ? E2EE_STREAM_AUDIO :
	    bc->meta == 1 ? E2EE_STREAM_VIDEO : E2EE_STREAM_FILE;
	if (bc->meta == 0)
		mlen = e2ee_meta_audio(meta, sizeof meta, 0x85);
	else if (bc->meta == 1)
		mlen = e2ee_meta_video(meta, sizeof meta, stream, 0);
	else {
		memset(nonce, 1, sizeof nonce);
		mlen = e2ee_meta_file(meta, sizeof meta, "bench", nonce, 0, 0);
	}
	if ((pt = malloc(bc->len)) == NULL ||
	    (ct = malloc(bc->len + E2EE_OVERHEAD_MAX)) == NULL ||
	    (out = malloc(bc->len + E2EE_OVERHEAD_MAX)) == NULL)
		err(1, "malloc");
	for (i = 0; i < bc->len; i++)
		pt[i] = (uint8_t)(i * 31);
	if ((s = e2ee_sender_new(secret, e2ee_kid(0x1234, stream, 1),
	    &cause)) == NULL)
		errx(1, "e2ee_sender_new: %s", cause);
	kr = e2ee_keyring_new(2);
	e2ee_keyring_add_epoch(kr, 1, secret);
	e2ee_keyring_add_sender(kr, 0x1234);

	for (i = 0; i < ROUNDS; i++) {
		t0 = bench_now();
		for (j = 0; j < iters; j++) {
			if (e2ee_seal(s, meta, mlen, pt, bc->len, ct,
			    bc->len + E2EE_OVERHEAD_MAX, &len) != 0)
				errx(1, "e2ee_seal failed");
		}
		ts[i] = (bench_now() - t0) / (double)iters;

		/*
		 * Opening the same frame again and again would be refused as
		 * a replay (except for files): open what was sealed last,
		 * then, to time the rest, frames a receiver takes in order;
		 * the open is that loop's time less the seal's.
		 */
		t0 = bench_now();
		for (j = 0; j < iters; j++) {
			e2ee_seal(s, meta, mlen, pt, bc->len, ct,
			    bc->len + E2EE_OVERHEAD_MAX, &len);
			r = e2ee_open(kr, meta, mlen, ct, len, out, bc->len,
			    &olen, &info);
			if (r != 0)
				errx(1, "e2ee_open: %s", e2ee_strerror(r));
		}
		to[i] = (bench_now() - t0) / (double)iters - ts[i];
	}
	printf("%-28s %10.2f us seal %8.2f us open  (%zu -> %zu bytes)\n",
	    bc->name, bench_median(ts, ROUNDS) * 1e6,
	    bench_median(to, ROUNDS) * 1e6, bc->len, len);
	if (memcmp(out, pt, bc->len) != 0)
		errx(1, "%s: what opened is not what was sealed", bc->name);
	e2ee_keyring_free(kr);
	e2ee_sender_free(s);
	free(out);
	free(ct);
	free(pt);
}

int
main(int argc, char **argv)
{
	uint8_t		 secret[E2EE_SECRET_LEN];
	double		 scale = 1;
	size_t		 i;
	long		 iters;
	int		 ch;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		switch (ch) {
		case 'n':
			scale = strtod(optarg, NULL);
			if (scale <= 0)
				errx(1, "-n %s: not a positive scale", optarg);
			break;
		default:
			fprintf(stderr, "usage: e2ee [-n scale]\n");
			return 1;
		}
	}
	memset(secret, 0x42, sizeof secret);
	bench_kdf();
	bench_derive(secret, (long)(20000 * scale) + 1);
	for (i = 0; i < sizeof bench_cases / sizeof bench_cases[0]; i++) {
		iters = (long)((double)bench_cases[i].iters * scale) + 1;
		bench_frames(secret, &bench_cases[i], iters);
	}
	return 0;
}
