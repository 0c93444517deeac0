/*
 * The nodes this node has linked to, and their keys ([node] known_nodes):
 * trust on first use, as ssh's known_hosts.
 *
 * One line per node: its address as joins name it (HOST:PORT) and the
 * fingerprint of its key.  Lines starting with '#' and blank lines are
 * ignored.  The first link to an address that is not in the file writes
 * it; every later link to that address must present the same key.  The
 * file is read each time it is needed, so an operator may edit it (remove
 * a line to accept a node's new key) without a restart.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meetd.h"

static char	*knownnodes_file;

void
knownnodes_set_path(const char *path)
{
	free(knownnodes_file);
	knownnodes_file = xstrdup(path);
}

const char *
knownnodes_path(void)
{
	return knownnodes_file != NULL ? knownnodes_file : "";
}

/*
 * The fingerprint known for addr into fp: 1 when found, 0 when the address
 * is not known, -1 and *cause when the file cannot be read or is bad.
 */
int
knownnodes_lookup(const char *addr, char *fp, size_t fplen, char **cause)
{
	FILE	*f;
	char	 line[1024], *a, *k, *save;
	int	 n = 0, found = 0;

	if ((f = fopen(knownnodes_file, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", knownnodes_file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		n++;
		line[strcspn(line, "\r\n")] = '\0';
		if ((a = strtok_r(line, " \t", &save)) == NULL || *a == '#')
			continue;
		k = strtok_r(NULL, " \t", &save);
		if (k == NULL || !nodekey_fingerprint_valid(k) ||
		    strtok_r(NULL, " \t", &save) != NULL) {
			xasprintf(cause, "%s:%d: not \"HOST:PORT sha256:...\"",
			    knownnodes_file, n);
			fclose(f);
			return -1;
		}
		if (strcmp(a, addr) == 0) {
			snprintf(fp, fplen, "%s", k);
			found = 1;	/* the last line for it wins */
		}
	}
	fclose(f);
	return found;
}

/* Remember addr's key: a line appended.  0, or -1 and *cause. */
int
knownnodes_add(const char *addr, const char *fp, char **cause)
{
	char	*line, *copy, *slash;
	int	 fd, r = 0;

	/* Its folder, private to this user, when it is missing. */
	copy = xstrdup(knownnodes_file);
	if ((slash = strrchr(copy, '/')) != NULL && slash != copy) {
		*slash = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST)
			log_warn("%s", copy);
	}
	free(copy);
	fd = open(knownnodes_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", knownnodes_file, strerror(errno));
		return -1;
	}
	xasprintf(&line, "%s %s\n", addr, fp);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		xasprintf(cause, "%s: %s", knownnodes_file, strerror(errno));
		r = -1;
	}
	free(line);
	close(fd);
	return r;
}

void
knownnodes_free(void)
{
	free(knownnodes_file);
	knownnodes_file = NULL;
}
