/*
 * Fuzzing the configuration reader (meetd/config.c): the input is a
 * meetd.conf, read by config_load from a memory file as meetd -f reads
 * one.  A file it takes is copied as the workers copy it and applied over
 * the defaults as SIGHUP does; a file it refuses must say why.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "../../meetd/meetd.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz-config", 0, 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*c, *copy, *old;
	char		 path[64], *cause = NULL;
	int		 fd;

	if ((fd = memfd_create("meetd.conf", MFD_CLOEXEC)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (config_load(path, &c, &cause) != 0) {
		if (cause == NULL || strstr(cause, path) == NULL)
			abort();	/* an error names the file */
		free(cause);
		close(fd);
		return 0;
	}
	copy = config_copy(c);
	old = config_defaults();
	config_apply_reload(old, copy);
	config_free(copy);
	config_free(old);
	config_free(c);
	close(fd);
	return 0;
}
