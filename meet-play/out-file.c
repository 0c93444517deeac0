/*
 * The file sink: S16LE to a sound file through libsndfile, its format chosen
 * by the file name's extension (.raw and .pcm: the bytes of the pipe format,
 * no header).  Written at the input's pace, with no clock.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sndfile.h>

#include "play.h"
#include "xmalloc.h"

struct file_out {
	SNDFILE	*sf;
	char	*path;
};

static const struct {
	const char	*ext;
	int		 format;
} file_formats[] = {
	{ "wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16 },
	{ "flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
	{ "ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
	{ "oga", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
	{ "opus", SF_FORMAT_OGG | SF_FORMAT_OPUS },
	{ "aif", SF_FORMAT_AIFF | SF_FORMAT_PCM_16 },
	{ "aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16 },
	{ "au", SF_FORMAT_AU | SF_FORMAT_PCM_16 },
	{ "caf", SF_FORMAT_CAF | SF_FORMAT_PCM_16 },
	{ "w64", SF_FORMAT_W64 | SF_FORMAT_PCM_16 },
	{ "raw", SF_FORMAT_RAW | SF_FORMAT_PCM_16 | SF_ENDIAN_LITTLE },
	{ "pcm", SF_FORMAT_RAW | SF_FORMAT_PCM_16 | SF_ENDIAN_LITTLE },
};

static int	file_open(void **, const char *, const struct aout_params *,
		    size_t *, char **);
static int	file_write(void *, const int16_t *, size_t, char **);
static void	file_close(void *, int);

const struct aout_sink out_file_sink = {
	.name = "file",
	.takes_path = 1,
	.realtime = 0,
	.open = file_open,
	.write = file_write,
	.restarted = NULL,
	.close = file_close,
};

static int
file_open(void **state, const char *path, const struct aout_params *ap,
    size_t *startq, char **cause)
{
	struct file_out	*f = NULL;
	SF_INFO		 info;
	const char	*dot;
	size_t		 i;
	int		 rc = -1;

	*startq = 0;
	if (path == NULL || *path == '\0') {
		*cause = xstrdup("file needs a path (file:PATH)");
		goto out;
	}
	memset(&info, 0, sizeof info);
	dot = strrchr(path, '.');
	for (i = 0; dot != NULL && i < sizeof file_formats /
	    sizeof file_formats[0]; i++) {
		if (strcasecmp(dot + 1, file_formats[i].ext) == 0) {
			info.format = file_formats[i].format;
			break;
		}
	}
	if (info.format == 0) {
		xasprintf(cause, "%s: unknown file type (.wav, .flac, .ogg, "
		    ".opus, .aiff, .au, .caf, .w64, .raw or .pcm)", path);
		goto out;
	}
	info.samplerate = (int)ap->rate;
	info.channels = (int)ap->channels;
	if (!sf_format_check(&info)) {
		xasprintf(cause, "%s: %u Hz, %u channels cannot be written "
		    "in this format", path, ap->rate, ap->channels);
		goto out;
	}
	f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	if ((f->sf = sf_open(path, SFM_WRITE, &info)) == NULL) {
		xasprintf(cause, "%s: %s", path, sf_strerror(NULL));
		goto out;
	}
	*state = f;
	rc = 0;
out:
	if (rc == -1 && f != NULL) {
		free(f->path);
		free(f);
	}
	return rc;
}

static int
file_write(void *state, const int16_t *p, size_t frames, char **cause)
{
	struct file_out	*f = state;

	if (sf_writef_short(f->sf, p, (sf_count_t)frames) !=
	    (sf_count_t)frames) {
		xasprintf(cause, "%s: %s", f->path, sf_strerror(f->sf));
		return -1;
	}
	return 0;
}

static void
file_close(void *state, int drain)
{
	struct file_out	*f = state;

	(void)drain;
	sf_close(f->sf);
	free(f->path);
	free(f);
}
