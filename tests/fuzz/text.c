/*
 * Fuzzing the checks of what people type (lib/text.c): the input is one
 * string, taken as a name, as chat text and as a file name.  utf8_valid
 * must agree with jansson's UTF-8 check, and whatever is taken or made
 * must have the properties text.h promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "text.h"

static void	text_fuzz(const char *, size_t);
static void	text_filename(const char *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
text_filename(const char *s)
{
	char	out[FILENAME_MAX_LEN + 1];
	size_t	len, i;

	filename_sanitize(s, out);
	len = strlen(out);
	if (len == 0 || len > FILENAME_MAX_LEN || out[0] == '.' ||
	    utf8_valid(out, len) != 0)
		abort();
	for (i = 0; i < len; i++) {
		if ((uint8_t)out[i] < 0x20 || out[i] == 0x7f ||
		    out[i] == '/' || out[i] == '\\')
			abort();
	}
}

static void
text_fuzz(const char *s, size_t len)
{
	json_t	*j;
	char	 err[256];
	int	 valid;

	valid = utf8_valid(s, len) == 0;
	j = json_stringn(s, len);
	if (valid != (j != NULL))
		abort();
	json_decref(j);

	if (name_valid(s) == 0) {
		if (strlen(s) > NAME_MAX_LEN ||
		    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
		    "vwxyz0123456789._-") != strlen(s))
			abort();
	}
	err[0] = '\0';
	if (text_check(s, 4096, err, sizeof err) == 0) {
		if (utf8_valid(s, strlen(s)) != 0)
			abort();
	} else if (err[0] == '\0')
		abort();
	text_filename(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	/* The string as a C string: a NUL in it ends it, as in argv. */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	text_fuzz(s, size);
	free(s);
	return 0;
}
