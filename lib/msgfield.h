/*
 * Typed fields of a message that is a JSON object, read the way OpenSMTPD's
 * mproc reads an imsg: each field is taken with a reader of its type
 * (msgfield_u32, msgfield_name, ...) and msgfield_end fails when a field
 * nobody took is left over.  A reader fails on a missing field, a field of
 * another JSON type or a value out of its range, and says which in the
 * message's error; the first error sticks, and every later reader fails
 * at once, so an unpack function reads all its fields and checks once.
 *
 * A struct msgfield borrows its object: it must outlive the reading.
 */
#ifndef MEET_MSGFIELD_H
#define MEET_MSGFIELD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define MSGFIELD_MAX	16	/* fields one message may have */
#define MSGFIELD_ERROR	256

struct msgfield {
	json_t		*obj;			/* borrowed */
	char		 what[64];		/* the message, for errors */
	const char	*taken[MSGFIELD_MAX];	/* the caller's keys */
	size_t		 ntaken;
	int		 failed;
	char		 error[MSGFIELD_ERROR];
};

/* Start reading o (an object, or the first error says it is not). */
void	 msgfield_init(struct msgfield *, json_t *, const char *);
/* Record an error (when none is yet): always -1. */
int	 msgfield_fail(struct msgfield *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
const char *msgfield_error(const struct msgfield *);

/* 1 when the field is there (an optional one is then read), else 0. */
int	 msgfield_has(struct msgfield *, const char *);
/* Take a field without reading it, there or not (an envelope's). */
void	 msgfield_skip(struct msgfield *, const char *);

/* Readers: 0, or -1 and the error. */
int	 msgfield_u32(struct msgfield *, const char *, uint32_t *);
int	 msgfield_u64(struct msgfield *, const char *, uint64_t *);
int	 msgfield_int(struct msgfield *, const char *, int, int, int *);
int	 msgfield_bool(struct msgfield *, const char *, int *);
/* A string of at most max bytes, borrowed from the object. */
int	 msgfield_string(struct msgfield *, const char *, size_t,
	    const char **);
/* A room or participant name (text.h), copied into NAME_MAX_LEN + 1. */
int	 msgfield_name(struct msgfield *, const char *, char *);
/* One of n names: its index. */
int	 msgfield_enum(struct msgfield *, const char *, const char *const *,
	    int, int *);
/* An array of at most max elements, borrowed. */
int	 msgfield_array(struct msgfield *, const char *, size_t, json_t **);
/* Every field was taken: 0, or -1 naming the first one left over. */
int	 msgfield_end(struct msgfield *);

/*
 * Writers: the matching field into an object.  A value the reader would
 * refuse (a u64 past 63 bits, an enum out of its names, a string that is
 * not UTF-8) is refused there too: the far end is told what was wrong.
 */
void	 msgfield_add_u32(json_t *, const char *, uint32_t);
void	 msgfield_add_u64(json_t *, const char *, uint64_t);
void	 msgfield_add_int(json_t *, const char *, int);
void	 msgfield_add_bool(json_t *, const char *, int);
void	 msgfield_add_string(json_t *, const char *, const char *);
void	 msgfield_add_enum(json_t *, const char *, const char *const *, int,
	    int);

#endif
