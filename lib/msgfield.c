/*
 * Typed fields of a JSON message, each checked as it is taken, and a check
 * at the end that nothing else came (see msgfield.h).  What peers send is
 * untrusted: errors never quote a key or a value that is not a plain name,
 * so that a log line or a reply cannot carry what a stranger put there.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "msgfield.h"
#include "text.h"

static json_t	*msgfield_take(struct msgfield *, const char *);
static int	 msgfield_taken(const struct msgfield *, const char *);

void
msgfield_init(struct msgfield *mf, json_t *o, const char *what)
{
	memset(mf, 0, sizeof *mf);
	snprintf(mf->what, sizeof mf->what, "%s", what);
	mf->obj = o;
	if (!json_is_object(o))
		msgfield_fail(mf, "%s is not an object", mf->what);
}

int
msgfield_fail(struct msgfield *mf, const char *fmt, ...)
{
	va_list	ap;

	if (mf->failed)
		return -1;
	mf->failed = 1;
	va_start(ap, fmt);
	vsnprintf(mf->error, sizeof mf->error, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
msgfield_error(const struct msgfield *mf)
{
	return mf->failed ? mf->error : NULL;
}

static int
msgfield_taken(const struct msgfield *mf, const char *key)
{
	size_t	i;

	for (i = 0; i < mf->ntaken; i++) {
		if (strcmp(mf->taken[i], key) == 0)
			return 1;
	}
	return 0;
}

void
msgfield_skip(struct msgfield *mf, const char *key)
{
	if (mf->failed || msgfield_taken(mf, key))
		return;
	if (mf->ntaken == MSGFIELD_MAX) {
		msgfield_fail(mf, "%s: more than %d fields", mf->what,
		    MSGFIELD_MAX);
		return;
	}
	mf->taken[mf->ntaken++] = key;
}

int
msgfield_has(struct msgfield *mf, const char *key)
{
	if (mf->failed)
		return 0;
	return json_object_get(mf->obj, key) != NULL;
}

/* The value of a field, now taken; NULL after an error. */
static json_t *
msgfield_take(struct msgfield *mf, const char *key)
{
	json_t	*v;

	msgfield_skip(mf, key);
	if (mf->failed)
		return NULL;
	if ((v = json_object_get(mf->obj, key)) == NULL)
		msgfield_fail(mf, "%s: missing field %s", mf->what, key);
	return v;
}

/* An integer in [min, max]. */
static int
msgfield_integer(struct msgfield *mf, const char *key, json_int_t min,
    json_int_t max, json_int_t *out)
{
	json_t		*v;
	json_int_t	 n;

	if ((v = msgfield_take(mf, key)) == NULL)
		return -1;
	if (!json_is_integer(v))
		return msgfield_fail(mf, "%s: field %s is not an integer",
		    mf->what, key);
	n = json_integer_value(v);
	if (n < min || n > max)
		return msgfield_fail(mf, "%s: field %s is %lld, not %lld to "
		    "%lld", mf->what, key, (long long)n, (long long)min,
		    (long long)max);
	*out = n;
	return 0;
}

int
msgfield_u32(struct msgfield *mf, const char *key, uint32_t *out)
{
	json_int_t	n;

	if (msgfield_integer(mf, key, 0, UINT32_MAX, &n) != 0)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

/* JSON carries 63 bits of a u64 here: jansson's integers are signed. */
int
msgfield_u64(struct msgfield *mf, const char *key, uint64_t *out)
{
	json_int_t	n;

	if (msgfield_integer(mf, key, 0, INT64_MAX, &n) != 0)
		return -1;
	*out = (uint64_t)n;
	return 0;
}

int
msgfield_int(struct msgfield *mf, const char *key, int min, int max,
    int *out)
{
	json_int_t	n;

	if (msgfield_integer(mf, key, min, max, &n) != 0)
		return -1;
	*out = (int)n;
	return 0;
}

int
msgfield_bool(struct msgfield *mf, const char *key, int *out)
{
	json_t	*v;

	if ((v = msgfield_take(mf, key)) == NULL)
		return -1;
	if (!json_is_boolean(v))
		return msgfield_fail(mf, "%s: field %s is not true or false",
		    mf->what, key);
	*out = json_is_true(v);
	return 0;
}

int
msgfield_string(struct msgfield *mf, const char *key, size_t max,
    const char **out)
{
	json_t	*v;
	size_t	 len;

	if ((v = msgfield_take(mf, key)) == NULL)
		return -1;
	if (!json_is_string(v))
		return msgfield_fail(mf, "%s: field %s is not a string",
		    mf->what, key);
	len = json_string_length(v);
	if (len > max)
		return msgfield_fail(mf, "%s: field %s is longer than %zu "
		    "bytes", mf->what, key, max);
	if (strlen(json_string_value(v)) != len)
		return msgfield_fail(mf, "%s: field %s holds a NUL byte",
		    mf->what, key);
	*out = json_string_value(v);
	return 0;
}

int
msgfield_name(struct msgfield *mf, const char *key, char *out)
{
	const char	*s;

	if (msgfield_string(mf, key, NAME_MAX_LEN, &s) != 0)
		return -1;
	if (name_valid(s) != 0)
		return msgfield_fail(mf, "%s: field %s is not a valid name",
		    mf->what, key);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int
msgfield_enum(struct msgfield *mf, const char *key, const char *const *names,
    int n, int *out)
{
	const char	*s;
	char		 list[128];
	size_t		 off = 0;
	int		 i;

	if (msgfield_string(mf, key, NAME_MAX_LEN, &s) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; i < n && off < sizeof list; i++)
		off += (size_t)snprintf(list + off, sizeof list - off, "%s%s",
		    i == 0 ? "" : ", ", names[i]);
	if (name_valid(s) == 0)
		return msgfield_fail(mf, "%s: field %s is %s, not one of %s",
		    mf->what, key, s, list);
	return msgfield_fail(mf, "%s: field %s is not one of %s", mf->what,
	    key, list);
}

int
msgfield_array(struct msgfield *mf, const char *key, size_t max,
    json_t **out)
{
	json_t	*v;

	if ((v = msgfield_take(mf, key)) == NULL)
		return -1;
	if (!json_is_array(v))
		return msgfield_fail(mf, "%s: field %s is not an array",
		    mf->what, key);
	if (json_array_size(v) > max)
		return msgfield_fail(mf, "%s: field %s has more than %zu "
		    "elements", mf->what, key, max);
	*out = v;
	return 0;
}

int
msgfield_end(struct msgfield *mf)
{
	const char	*key;
	json_t		*v;

	if (mf->failed)
		return -1;
	json_object_foreach(mf->obj, key, v) {
		if (msgfield_taken(mf, key))
			continue;
		if (name_valid(key) == 0)
			return msgfield_fail(mf, "%s: unknown field %s",
			    mf->what, key);
		return msgfield_fail(mf, "%s: a field whose key is not a name",
		    mf->what);
	}
	return 0;
}

void
msgfield_add_u32(json_t *o, const char *key, uint32_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

void
msgfield_add_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

void
msgfield_add_int(json_t *o, const char *key, int v)
{
	json_object_set_new(o, key, json_integer(v));
}

void
msgfield_add_bool(json_t *o, const char *key, int v)
{
	json_object_set_new(o, key, json_boolean(v));
}

void
msgfield_add_string(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v));
}

void
msgfield_add_enum(json_t *o, const char *key, const char *const *names,
    int n, int v)
{
	if (v >= 0 && v < n)
		json_object_set_new(o, key, json_string(names[v]));
}
