/*
 * meet-cap's source tables: the one place a new source is added.
 */
#include <string.h>

#include "cap.h"

static int	cap_split(const char *, const char *, int, const char **);

extern const struct cap_video_source	cap_video_test;
extern const struct cap_video_source	cap_video_file;
extern const struct cap_video_source	cap_video_v4l2;
extern const struct cap_audio_source	cap_audio_sine;
extern const struct cap_audio_source	cap_audio_silence;
extern const struct cap_audio_source	cap_audio_alsa;
extern const struct cap_audio_source	cap_audio_file;

const struct cap_video_source *cap_video_sources[] = {
	&cap_video_test,
	&cap_video_file,
	&cap_video_v4l2,
	NULL
};

const struct cap_audio_source *cap_audio_sources[] = {
	&cap_audio_sine,
	&cap_audio_silence,
	&cap_audio_alsa,
	&cap_audio_file,
	NULL
};

/*
 * Does spec ("name" or "name:arg") name this source?  *arg is set to the
 * argument, or NULL when there is none.
 */
static int
cap_split(const char *spec, const char *name, int takes_arg,
    const char **arg)
{
	const char	*colon;
	size_t		 len;

	colon = strchr(spec, ':');
	len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (strlen(name) != len || strncmp(name, spec, len) != 0)
		return 0;
	if (colon != NULL && !takes_arg)
		return 0;
	*arg = colon != NULL ? colon + 1 : NULL;
	return 1;
}

/* The video source spec names; NULL when there is none. */
const struct cap_video_source *
cap_video_find(const char *spec, const char **arg)
{
	const struct cap_video_source	**vs;

	for (vs = cap_video_sources; *vs != NULL; vs++) {
		if (cap_split(spec, (*vs)->name, (*vs)->takes_arg, arg))
			return *vs;
	}
	return NULL;
}

/* The audio source spec names; NULL when there is none. */
const struct cap_audio_source *
cap_audio_find(const char *spec, const char **arg)
{
	const struct cap_audio_source	**as;

	for (as = cap_audio_sources; *as != NULL; as++) {
		if (cap_split(spec, (*as)->name, (*as)->takes_arg, arg))
			return *as;
	}
	return NULL;
}
