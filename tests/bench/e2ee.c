/*
 * What end-to-end encryption costs a node (lib/e2ee.c, lib/e2ee-frame.c):
 * the Argon2id root that a member's node computes once per room, the keys
 * derived at a sender's first frame, and sealing and opening an Opus
 * packet (100 bytes), a 640x480 JPEG (40 KB) and a shared file's 64 KiB
 * chunk.  Then what a receiving node spends on a room of MIX_SPEAKERS
 * speakers whose audio the hub forwards unmixed: per 20 ms, open each
 * speaker's packet, decode it (lib/opuscodec.c) and add it into the mix,
 * beside the same without the opening.  Each figure is the median of
 * ROUNDS runs, on one thread, in microseconds of its CPU time per
 * operation; nothing is judged.
 *
 *	make -f tests/bench/bench.mk [BUILD=build] build/bench/e2ee
 *	build/bench/e2ee [-n scale]
 */
#include <sys/types.h>

#include <err.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2ee.h"
#include "opuscodec.h"

#define ROUNDS		7
#define OPUS_LEN	100
#define JPEG_LEN	40000
#define MIX_SPEAKERS	10
#define MIX_TICKS	250		/* 5 s of 20 ms frames */

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
static void	 bench_mix(const uint8_t *);
static double	 bench_mix_round(const uint8_t *, uint8_t (*)[OPUS_LEN * 4],
		    size_t *, int);

static const struct bench_case bench_cases[] = {
	{ "Opus packet", OPUS_LEN, 0, 200000 },
	{ "640x480 JPEG", JPEG_LEN, 1, 4000 },
	{ "file chunk", E2EE_FILE_CHUNK, 2, 2000 },
};

/*
 * The thread's CPU time, not the wall clock: on a machine others share,
 * what an operation costs, not how long it waited for a core.
 */
static double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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

/*
 * One round of MIX_TICKS ticks: each tick, for each speaker, open (when
 * sealed) and decode its packet and add it into the mix, then clip.  The
 * mean time of a tick.
 */
static double
bench_mix_round(const uint8_t *secret, uint8_t (*pkt)[OPUS_LEN * 4],
    size_t *len, int sealed)
{
	struct opuscodec_dec	*dec[MIX_SPEAKERS];
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	uint8_t			 meta[4], plain[OPUS_LEN * 4];
	int16_t			 pcm[OPUSCODEC_FRAME], out[OPUSCODEC_FRAME];
	int32_t			 acc[OPUSCODEC_FRAME];
	double			 t0, t;
	size_t			 mlen, plen, k, i, j;
	char			*cause = NULL;
	int			 sp, r;

	kr = e2ee_keyring_new(2);
	e2ee_keyring_add_epoch(kr, 1, secret);
	for (sp = 0; sp < MIX_SPEAKERS; sp++) {
		e2ee_keyring_add_sender(kr, (uint32_t)sp + 1);
		if ((dec[sp] = opuscodec_dec_new(&cause)) == NULL)
			errx(1, "opuscodec_dec_new: %s", cause);
	}
	mlen = e2ee_meta_audio(meta, sizeof meta, 0x90);
	t0 = bench_now();
	for (k = 0; k < MIX_TICKS; k++) {
		memset(acc, 0, sizeof acc);
		for (sp = 0; sp < MIX_SPEAKERS; sp++) {
			i = k * MIX_SPEAKERS + (size_t)sp;
			if (sealed) {
				r = e2ee_open(kr, meta, mlen, pkt[i], len[i],
				    plain, sizeof plain, &plen, &info);
				if (r != 0)
					errx(1, "e2ee_open: %s",
					    e2ee_strerror(r));
			} else {
				memcpy(plain, pkt[i], len[i]);
				plen = len[i];
			}
			if (opuscodec_decode(dec[sp], plain, plen, pcm) < 0)
				errx(1, "opuscodec_decode failed");
			for (j = 0; j < OPUSCODEC_FRAME; j++)
				acc[j] += pcm[j];
		}
		for (j = 0; j < OPUSCODEC_FRAME; j++) {
			out[j] = (int16_t)(acc[j] > INT16_MAX ? INT16_MAX :
			    acc[j] < INT16_MIN ? INT16_MIN : acc[j]);
		}
	}
	t = (bench_now() - t0) / MIX_TICKS;
	if (out[0] == 12345)
		printf(" ");	/* the mix is used: not optimized away */
	for (sp = 0; sp < MIX_SPEAKERS; sp++)
		opuscodec_dec_free(dec[sp]);
	e2ee_keyring_free(kr);
	return t;
}

static void
bench_mix(const uint8_t *secret)
{
	struct opuscodec_enc	*enc;
	struct e2ee_sender	*s;
	static uint8_t		 plain[MIX_TICKS * MIX_SPEAKERS][OPUS_LEN * 4];
	static uint8_t		 sealed[MIX_TICKS * MIX_SPEAKERS][OPUS_LEN * 4];
	static size_t		 plen[MIX_TICKS * MIX_SPEAKERS];
	static size_t		 slen[MIX_TICKS * MIX_SPEAKERS];
	int16_t			 pcm[OPUSCODEC_FRAME];
	uint8_t			 meta[4];
	double			 tp[ROUNDS], ts[ROUNDS];
	size_t			 mlen, k, i, j;
	char			*cause = NULL;
	int			 sp, n;

	/* Each speaker a tone of its own, encoded once at 32 kbit/s. */
	mlen = e2ee_meta_audio(meta, sizeof meta, 0x90);
	for (sp = 0; sp < MIX_SPEAKERS; sp++) {
		if ((enc = opuscodec_enc_new(32000, 0, &cause)) == NULL)
			errx(1, "opuscodec_enc_new: %s", cause);
		s = e2ee_sender_new(secret, e2ee_kid((uint32_t)sp + 1,
		    E2EE_STREAM_AUDIO, 1), &cause);
		if (s == NULL)
			errx(1, "e2ee_sender_new: %s", cause);
		for (k = 0; k < MIX_TICKS; k++) {
			for (j = 0; j < OPUSCODEC_FRAME; j++) {
				pcm[j] = (int16_t)(3000 * ((int)((k *
				    OPUSCODEC_FRAME + j) * (200 + 50 *
				    (size_t)sp) / 24000) % 2 ? 1 : -1));
			}
			i = k * MIX_SPEAKERS + (size_t)sp;
			n = opuscodec_encode(enc, pcm, plain[i],
			    sizeof plain[i]);
			if (n < 0)
				errx(1, "opuscodec_encode failed");
			plen[i] = (size_t)n;
			if (e2ee_seal(s, meta, mlen, plain[i], plen[i],
			    sealed[i], sizeof sealed[i], &slen[i]) != 0)
				errx(1, "e2ee_seal failed");
		}
		e2ee_sender_free(s);
		opuscodec_enc_free(enc);
	}
	for (k = 0; k < ROUNDS; k++) {
		tp[k] = bench_mix_round(secret, plain, plen, 0);
		ts[k] = bench_mix_round(secret, sealed, slen, 1);
	}
	printf("%-28s %10.2f us plain %7.2f us sealed  (a 20 ms tick, "
	    "%.2f%% / %.2f%% of a core)\n", "local mix of 10 speakers",
	    bench_median(tp, ROUNDS) * 1e6, bench_median(ts, ROUNDS) * 1e6,
	    bench_median(tp, ROUNDS) / 0.02 * 100,
	    bench_median(ts, ROUNDS) / 0.02 * 100);
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
	bench_mix(secret);
	return 0;
}
