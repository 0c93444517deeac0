/*
 * What every sink needs to write its output: a path that may be "-" for
 * stdout, and writes that finish or fail whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "play.h"
#include "xmalloc.h"

/* A descriptor for path ("-": stdout), or -1 and an allocated *cause. */
int
out_open_path(const char *path, char **cause)
{
	int	fd;

	if (strcmp(path, "-") == 0)
		return STDOUT_FILENO;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd == -1)
		xasprintf(cause, "%s: %s", path, strerror(errno));
	return fd;
}

void
out_close_path(int fd)
{
	if (fd != STDOUT_FILENO && fd != -1)
		close(fd);
}

/* Write all of buf; 0, or -1 with errno set (EPIPE when the reader left). */
int
out_write(int fd, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	struct pollfd	 pfd;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* A terminal someone made non-blocking. */
				pfd.fd = fd;
				pfd.events = POLLOUT;
				(void)poll(&pfd, 1, -1);
				continue;
			}
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
