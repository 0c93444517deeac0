/*
 * Fuzzing the addresses people give (lib/addr.c): the input is one string,
 * as HOST[:PORT] and as NAME@HOST[:PORT].  A parsed address must read
 * back the same from its formatted form, which is what status prints and
 * what a peer is known by.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"
#include "text.h"

static void	addr_fuzz(const char *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
addr_fuzz(const char *s)
{
	struct node_addr	 a, back;
	char			 buf[ADDR_HOST_MAX + 16], name[NAME_MAX_LEN + 1];
	char			 err[512];
	int			 remote;

	if (node_addr_parse(s, ADDR_DEFAULT_PORT, &a, err, sizeof err) == 0) {
		if (a.port < 0 || a.port > 65535 || a.host[0] == '\0')
			abort();
		node_addr_format(&a, buf, sizeof buf);
		if (node_addr_parse(buf, 1, &back, err, sizeof err) != 0 ||
		    strcmp(back.host, a.host) != 0 || back.port != a.port)
			abort();
	}
	if (room_addr_parse(s, name, &remote, &a, err, sizeof err) == 0 &&
	    name_valid(name) != 0)
		abort();
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
	addr_fuzz(s);
	free(s);
	return 0;
}
