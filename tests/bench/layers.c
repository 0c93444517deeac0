/*
 * What the sender pays for video layers (lib/jpeglayers.c): camera JPEGs
 * from an MJPEG file (meet-cap -v test writes them) go through
 * jpeglayers_make with each set of layers a sender may be asked for, image
 * by image, the whole file -n times over; for each set, the time per image
 * (wall clock and this thread's CPU), what that costs at -f frames a
 * second as a share of one core, and for each layer its size, its bytes
 * and its RFC 2435 packets at -m bytes of payload.
 *
 * Then what a receiver behind -l percent of random loss gets of each
 * layer: every image's packets, each dropped with that chance, through
 * lib/rfc2435.c's depacketizer, -t times; the share rebuilt whole.
 *
 *	layers [-f fps] [-l loss] [-m maxpayload] [-n rounds] [-q q1,q2,q3]
 *	    [-t trials] file.mjpeg
 *
 * One JSON line a set, after "json: ".  Nothing is judged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jpeglayers.h"
#include "mjpeg.h"
#include "rfc2435.h"
#include "xmalloc.h"

#define LAYERS_MAX_IMAGES	256

struct images {
	uint8_t	*data[LAYERS_MAX_IMAGES];
	size_t	 len[LAYERS_MAX_IMAGES];
	size_t	 n;
};

/* What one set of layers cost over the run. */
struct layers_run {
	unsigned int	 mask;
	uint64_t	 images;
	double		 wall_ms;
	double		 cpu_ms;
	uint64_t	 bytes[JPEGLAYERS_MAX];
	uint64_t	 packets[JPEGLAYERS_MAX];
	int		 width[JPEGLAYERS_MAX];
	int		 height[JPEGLAYERS_MAX];
};

static void	usage(void) __attribute__((noreturn));
static void	images_frame(const uint8_t *, size_t, void *);
static void	images_read(const char *, struct images *);
static void	count_payload(const uint8_t *, size_t, int, void *);
static double	clock_ms(clockid_t);
static void	run_set(struct jpeglayers *, const struct images *, int,
		    size_t, struct layers_run *);
static void	print_set(const struct layers_run *, double, size_t,
		    const char *);
static void	depack_frame(const uint8_t *, size_t, void *);
static void	store_payload(const uint8_t *, size_t, int, void *);
static double	whole_share(const uint8_t *, size_t, size_t, double, int,
		    uint32_t *);
static uint32_t	rnd(uint32_t *);

/* One image cut into payloads, for the loss trials. */
struct payloads {
	uint8_t	 *data[1024];
	size_t	  len[1024];
	int	  marker[1024];
	int	  n;
};

static void
usage(void)
{
	fprintf(stderr, "usage: layers [-f fps] [-l loss] [-m maxpayload] "
	    "[-n rounds] [-q q1,q2,q3] [-t trials] file.mjpeg\n");
	exit(2);
}

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
depack_frame(const uint8_t *p, size_t len, void *arg)
{
	(void)p;
	(void)len;
	(*(int *)arg)++;
}

static void
store_payload(const uint8_t *p, size_t len, int marker, void *arg)
{
	struct payloads	*pl = arg;

	if (pl->n == 1024) {
		fprintf(stderr, "layers: more than 1024 payloads\n");
		exit(1);
	}
	pl->data[pl->n] = xmalloc(len);
	memcpy(pl->data[pl->n], p, len);
	pl->len[pl->n] = len;
	pl->marker[pl->n++] = marker;
}

/*
 * The share of trials in which the receiver rebuilds the image whole when
 * each of its packets is lost with chance loss.  The depacketizer gives up
 * an image when the next one starts, so every trial is decided.
 */
static double
whole_share(const uint8_t *jpeg, size_t len, size_t maxpayload, double loss,
    int trials, uint32_t *seed)
{
	struct payloads		 pl;
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*dp;
	uint16_t		 seq = 0;
	int			 t, k, whole = 0;
	char			 err[256];

	pl.n = 0;
	if (jpeg_rtp_info(jpeg, len, &info, err, sizeof err) != 0 ||
	    rfc2435_packetize(&info, maxpayload, store_payload, &pl) < 0) {
		fprintf(stderr, "layers: not for RFC 2435: %s\n", err);
		exit(1);
	}
	dp = rfc2435_depack_new(0);
	for (t = 0; t < trials; t++) {
		for (k = 0; k < pl.n; k++, seq++) {
			if (rnd(seed) % 1000000 < loss * 1000000)
				continue;
			rfc2435_depack_push(dp, pl.data[k], pl.len[k],
			    (uint32_t)t * 4500, seq, pl.marker[k],
			    depack_frame, &whole);
		}
	}
	rfc2435_depack_free(dp);
	for (k = 0; k < pl.n; k++)
		free(pl.data[k]);
	return (double)whole / trials;
}

static void
images_frame(const uint8_t *p, size_t len, void *arg)
{
	struct images	*im = arg;

	if (im->n == LAYERS_MAX_IMAGES)
		return;
	im->data[im->n] = xmalloc(len);
	memcpy(im->data[im->n], p, len);
	im->len[im->n++] = len;
}

static void
images_read(const char *path, struct images *im)
{
	struct mjpeg_splitter	*sp;
	uint8_t			 buf[65536];
	ssize_t			 n;
	int			 fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		fprintf(stderr, "layers: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	sp = mjpeg_splitter_new(0);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		mjpeg_splitter_feed(sp, buf, (size_t)n, images_frame, im);
	if (n == -1) {
		fprintf(stderr, "layers: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	mjpeg_splitter_free(sp);
	close(fd);
	if (im->n == 0) {
		fprintf(stderr, "layers: %s: no JPEG images\n", path);
		exit(1);
	}
}

static void
count_payload(const uint8_t *p, size_t len, int marker, void *arg)
{
	(void)p;
	(void)len;
	(void)marker;
	(*(uint64_t *)arg)++;
}

static double
clock_ms(clockid_t clock)
{
	struct timespec	ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Every image of the file, rounds times, with the layers of r->mask.  The
 * packets are counted apart from the timing: they are the packetizer's
 * cost, which the sender pays for layer 0 too.
 */
static void
run_set(struct jpeglayers *jl, const struct images *im, int rounds,
    size_t maxpayload, struct layers_run *r)
{
	struct jpeglayer	 out[JPEGLAYERS_MAX];
	struct jpeg_rtp_info	 info;
	double			 w0, c0;
	size_t			 k;
	int			 round, i;
	char			 err[256];

	for (round = 0; round < rounds; round++) {
		for (k = 0; k < im->n; k++) {
			w0 = clock_ms(CLOCK_MONOTONIC);
			c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
			if (jpeglayers_make(jl, im->data[k], im->len[k],
			    r->mask, out, err, sizeof err) < 0) {
				fprintf(stderr, "layers: image %zu: %s\n", k,
				    err);
				exit(1);
			}
			r->cpu_ms += clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
			r->wall_ms += clock_ms(CLOCK_MONOTONIC) - w0;
			r->images++;
			for (i = 0; i < JPEGLAYERS_MAX; i++) {
				r->width[i] = out[i].width;
				r->height[i] = out[i].height;
				if (!out[i].made)
					continue;
				r->bytes[i] += out[i].len;
				if (jpeg_rtp_info(out[i].jpeg, out[i].len,
				    &info, err, sizeof err) != 0 ||
				    rfc2435_packetize(&info, maxpayload,
				    count_payload, &r->packets[i]) < 0) {
					fprintf(stderr, "layers: layer %d: "
					    "not for RFC 2435: %s\n", i, err);
					exit(1);
				}
			}
		}
	}
}

static void
print_set(const struct layers_run *r, double fps, size_t maxpayload,
    const char *file)
{
	char	 names[64], js[1024];
	size_t	 off = 0, joff = 0;
	double	 per = r->cpu_ms / r->images;
	int	 i;

	names[0] = '\0';
	for (i = 0; i < JPEGLAYERS_MAX; i++) {
		if ((r->mask & JPEGLAYERS_BIT(i)) == 0 || r->width[i] == 0)
			continue;
		off += snprintf(names + off, sizeof names - off, "%s%dx%d",
		    off == 0 ? "" : "+", r->width[i], r->height[i]);
		joff += snprintf(js + joff, sizeof js - joff,
		    "%s{\"layer\":%d,\"width\":%d,\"height\":%d,"
		    "\"bytes\":%.0f,\"packets\":%.2f}", joff == 0 ? "" : ",",
		    i, r->width[i], r->height[i],
		    (double)r->bytes[i] / r->images,
		    (double)r->packets[i] / r->images);
	}
	printf("%-26s %8.3f %8.3f %8.1f %%", names, r->wall_ms / r->images,
	    per, per * fps / 10);
	for (i = 0; i < JPEGLAYERS_MAX; i++) {
		if ((r->mask & JPEGLAYERS_BIT(i)) && r->width[i] != 0)
			printf("  %d: %.0f B %.1f pk", i,
			    (double)r->bytes[i] / r->images,
			    (double)r->packets[i] / r->images);
	}
	printf("\n");
	printf("json: {\"bench\":\"layers\",\"file\":\"%s\",\"mask\":%u,"
	    "\"images\":%llu,\"wall_ms\":%.4f,\"cpu_ms\":%.4f,\"fps\":%g,"
	    "\"cpu_pct\":%.2f,\"max_payload\":%zu,\"layers\":[%s]}\n", file,
	    r->mask, (unsigned long long)r->images, r->wall_ms / r->images,
	    per, fps, per * fps / 10, maxpayload, js);
}

int
main(int argc, char **argv)
{
	/* Each smaller layer alone, then the sets a sender is asked for. */
	static const unsigned int masks[] = { 0x2, 0x4, 0x8, 0x6, 0xe };
	struct images		 im = { .n = 0 };
	struct layers_run	 r;
	struct jpeglayers	*jl;
	int			 q[JPEGLAYERS_MAX] = { 0, JPEGLAYERS_QUALITY_HALF,
				     JPEGLAYERS_QUALITY_QUARTER,
				     JPEGLAYERS_QUALITY_EIGHTH };
	struct jpeglayer	 out[JPEGLAYERS_MAX];
	double			 fps = 15, loss = 15, whole[JPEGLAYERS_MAX];
	int			 size[JPEGLAYERS_MAX][2];
	size_t			 maxpayload = 1200, k;
	uint32_t		 seed = 2463534242u;
	int			 ch, rounds = 10, trials = 2000, i;
	char			 err[256];

	while ((ch = getopt(argc, argv, "f:l:m:n:q:t:")) != -1) {
		switch (ch) {
		case 'f':
			fps = atof(optarg);
			break;
		case 'l':
			loss = atof(optarg);
			break;
		case 't':
			trials = atoi(optarg);
			break;
		case 'm':
			maxpayload = (size_t)atol(optarg);
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		case 'q':
			if (sscanf(optarg, "%d,%d,%d", &q[1], &q[2],
			    &q[3]) != 3)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || fps <= 0 || rounds < 1 || trials < 1 || loss < 0 ||
	    loss > 100 || maxpayload < RFC2435_MIN_PAYLOAD)
		usage();
	images_read(argv[0], &im);
	if ((jl = jpeglayers_new(q, err, sizeof err)) == NULL) {
		fprintf(stderr, "layers: %s\n", err);
		return 1;
	}

	/* The full layer as it came: its packets, at no cost. */
	memset(&r, 0, sizeof r);
	r.mask = 0x1;
	run_set(jl, &im, 1, maxpayload, &r);
	printf("%s: %zu images, %dx%d, %.0f B, %.1f packets of %zu B; "
	    "qualities %d,%d,%d\n", argv[0], im.n, r.width[0], r.height[0],
	    (double)r.bytes[0] / r.images, (double)r.packets[0] / r.images,
	    maxpayload, q[1], q[2], q[3]);
	printf("%-26s %8s %8s %10s\n", "LAYERS MADE", "WALL ms", "CPU ms",
	    "CPU@fps");
	for (k = 0; k < sizeof masks / sizeof masks[0]; k++) {
		memset(&r, 0, sizeof r);
		r.mask = masks[k];
		/* One unmeasured pass: buffers grown, caches warm. */
		run_set(jl, &im, 1, maxpayload, &r);
		memset(&r, 0, sizeof r);
		r.mask = masks[k];
		run_set(jl, &im, rounds, maxpayload, &r);
		print_set(&r, fps, maxpayload, argv[0]);
	}

	/* Every image's layers behind random loss, trials spread over them. */
	memset(whole, 0, sizeof whole);
	for (k = 0; k < im.n; k++) {
		if (jpeglayers_make(jl, im.data[k], im.len[k], JPEGLAYERS_ALL,
		    out, err, sizeof err) < 0) {
			fprintf(stderr, "layers: image %zu: %s\n", k, err);
			return 1;
		}
		for (i = 0; i < JPEGLAYERS_MAX; i++) {
			size[i][0] = out[i].width;
			size[i][1] = out[i].height;
			if (out[i].made)
				whole[i] += whole_share(out[i].jpeg, out[i].len,
				    maxpayload, loss / 100,
				    (trials + (int)im.n - 1) / (int)im.n,
				    &seed) / im.n;
		}
	}
	printf("behind %g %% random loss, images rebuilt whole:", loss);
	for (i = 0; i < JPEGLAYERS_MAX; i++) {
		if (size[i][0] != 0)
			printf(" %dx%d %.1f %%", size[i][0], size[i][1],
			    whole[i] * 100);
	}
	printf("\n");
	for (i = 0; i < JPEGLAYERS_MAX; i++) {
		if (size[i][0] == 0)
			continue;
		printf("json: {\"bench\":\"layers_loss\",\"file\":\"%s\","
		    "\"loss_pct\":%g,\"trials\":%d,\"width\":%d,"
		    "\"height\":%d,\"whole_pct\":%.2f}\n", argv[0], loss,
		    trials, size[i][0], size[i][1], whole[i] * 100);
	}
	jpeglayers_free(jl);
	for (k = 0; k < im.n; k++)
		free(im.data[k]);
	return 0;
}
