/*
 * Finishing a Matroska recording once it stops (record-finish.c), for
 * record.c: which of the file's tracks the finished copy keeps, and how.
 */
#ifndef MEETD_RECORD_FINISH_H
#define MEETD_RECORD_FINISH_H

#include <pthread.h>
#include <stdint.h>

#include "text.h"

struct room_media;
struct worker;

/* One track of the file as it was written, by its stream index. */
struct record_finish_track {
	int		 keep;		/* something was written to it */
	int		 is_default;	/* the track a player picks */
	int		 width;		/* its first image's; 0: as declared */
	int		 height;
};

struct record_finish {
	char			*path;
	char			*part;		/* the copy, until renamed */
	uint64_t		 room;
	char			 room_name[NAME_MAX_LEN + 1];
	char			 by[NAME_MAX_LEN + 1];
	int64_t			 end;		/* ms: when it stopped */
	int			 chat_stream;
	int			 ntracks;
	struct record_finish_track *tracks;

	/* Set as it runs. */
	int			 kept;		/* tracks in the copy */
	char			*cause;		/* why there is no copy */
	struct worker		*worker;	/* NULL: run where it started */
	pthread_t		 thread;
	struct record_finish	*next;		/* the worker's running */
};

struct record_finish *record_finish_new(const char *, uint64_t,
		     const char *, const char *, int64_t, int);
void		 record_finish_free(struct record_finish *);
void		 record_finish_start(struct record_finish *);
void		 record_announce(struct room_media *, const char *,
		     const char *, const char *, const char *);
int		 record_finish_renumber(const char *, size_t, const int *, int,
		     char *, size_t);

#endif
