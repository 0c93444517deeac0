/*
 * The control socket meetctl talks to.  Its path is -S, else $MEET_SOCKET,
 * else $XDG_RUNTIME_DIR/meet/meetd.sock, else /run/meet/meetd.sock.  It is
 * mode 0660, and a peer is obeyed only when it is root, the daemon's own
 * user, or in the socket's group, as its primary group or a supplementary
 * one.  A refused peer is told why in an error frame before it is closed.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "meetd.h"

char			*control_path;
static int		 control_fd = -1;
static struct event	*control_ev;
static gid_t		 control_gid;

static void	control_accept(evutil_socket_t, short, void *);
static int	control_mkdir(const char *, char **);
static void	control_refuse(int, const char *);
static int	control_peer_groups(int, uid_t, gid_t, gid_t **);
static int	control_peer_admitted(int, const struct ucred *);

const char *
control_default_path(void)
{
	static char	 path[4096];
	const char	*s;

	if ((s = getenv("MEET_SOCKET")) != NULL && *s != '\0')
		return s;
	if ((s = getenv("XDG_RUNTIME_DIR")) != NULL && *s != '\0') {
		snprintf(path, sizeof path, "%s/meet/meetd.sock", s);
		return path;
	}
	return "/run/meet/meetd.sock";
}

/* Make the socket's folder when it is missing (private to this user). */
static int
control_mkdir(const char *path, char **cause)
{
	char	*copy, *dir;
	int	 r = 0;

	copy = xstrdup(path);
	dir = dirname(copy);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		r = -1;
	}
	free(copy);
	return r;
}

int
control_start(const char *path, const char *group, char **cause)
{
	struct sockaddr_un	 sun;
	struct group		*gr;
	struct stat		 st;
	int			 fd, probe;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: socket path too long", path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if (control_mkdir(path, cause) != 0)
		return -1;

	/* A live daemon answers; a stale socket is removed. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			xasprintf(cause, "%s: exists and is not a socket",
			    path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe != -1 && connect(probe, (struct sockaddr *)&sun,
		    sizeof sun) == 0) {
			close(probe);
			xasprintf(cause, "%s: another meetd is running there",
			    path);
			return -1;
		}
		if (probe != -1)
			close(probe);
		unlink(path);
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	control_gid = getegid();
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			xasprintf(cause, "[control] group: no group %s", group);
			goto fail;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) != 0) {
			xasprintf(cause, "%s: chgrp %s: %s", path, group,
			    strerror(errno));
			goto fail;
		}
		control_gid = gr->gr_gid;
	}
	if (chmod(path, 0660) != 0 || listen(fd, 64) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	control_fd = fd;
	control_path = xstrdup(path);
	control_ev = event_new(base, fd, EV_READ | EV_PERSIST, control_accept,
	    NULL);
	event_add(control_ev, NULL);
	return 0;

fail:
	close(fd);
	unlink(path);
	return -1;
}

/*
 * Tell a refused peer why, as far as one write goes, and close.  The frame
 * is small enough for an empty socket buffer, so it is there to read even
 * when the peer's own writes fail once we are gone; unread bytes of the
 * peer's do not take it away (a Unix socket delivers what it holds first).
 */
static void
control_refuse(int fd, const char *why)
{
	json_t	*o;
	uint8_t	*p;
	size_t	 len;

	o = json_pack("{s:s}", "error", why);
	if ((p = frame_pack(FRAME_ERROR, o, &len)) != NULL) {
		if (send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
			log_debug("refusal not sent: %s", strerror(errno));
		free(p);
	}
	json_decref(o);
	close(fd);
}

/*
 * The groups of the peer on fd, as the kernel took them at connect
 * (SO_PEERGROUPS), or, where it cannot tell, as the group database lists
 * them for uid.  The count and *groups (the caller frees it), or -1.
 */
static int
control_peer_groups(int fd, uid_t uid, gid_t gid, gid_t **groups)
{
	struct passwd	*pw;
	int		 n = 64;
#ifdef SO_PEERGROUPS
	socklen_t	 len = (socklen_t)(n * sizeof **groups);
	int		 r;

	*groups = xmalloc(len);
	r = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, *groups, &len);
	if (r != 0 && errno == ERANGE) {
		/* len now says how much it needs. */
		*groups = xreallocarray(*groups, 1, len);
		r = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, *groups, &len);
	}
	if (r == 0)
		return (int)(len / sizeof **groups);
	free(*groups);
#else
	(void)fd;
#endif
	if ((pw = getpwuid(uid)) == NULL)
		return -1;
	*groups = xreallocarray(NULL, (size_t)n, sizeof **groups);
	if (getgrouplist(pw->pw_name, gid, *groups, &n) == -1) {
		/* n now says how many there are. */
		*groups = xreallocarray(*groups, (size_t)n, sizeof **groups);
		if (getgrouplist(pw->pw_name, gid, *groups, &n) == -1) {
			free(*groups);
			return -1;
		}
	}
	return n;
}

/* Root, the daemon's user, and the socket's group (any of the peer's). */
static int
control_peer_admitted(int fd, const struct ucred *cred)
{
	gid_t	*groups;
	int	 n, i, found = 0;

	if (cred->uid == 0 || cred->uid == geteuid() ||
	    cred->gid == control_gid)
		return 1;
	if ((n = control_peer_groups(fd, cred->uid, cred->gid,
	    &groups)) == -1)
		return 0;
	for (i = 0; i < n && !found; i++)
		found = (groups[i] == control_gid);
	free(groups);
	return found;
}

static void
control_accept(evutil_socket_t fd, short events, void *arg)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
	char		*why;
	int		 cfd;

	(void)events;
	(void)arg;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept on %s", control_path);
		return;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		log_warn("%s: peer credentials", control_path);
		close(cfd);
		return;
	}
	if (!control_peer_admitted(cfd, &cred)) {
		log_warnx("%s: refused uid %u gid %u (not root, not uid %u, "
		    "not in group %u)", control_path, (unsigned)cred.uid,
		    (unsigned)cred.gid, (unsigned)geteuid(),
		    (unsigned)control_gid);
		xasprintf(&why, "permission denied: uid %u is not root, not "
		    "the daemon's user, and not in the socket's group (gid %u)",
		    (unsigned)cred.uid, (unsigned)control_gid);
		control_refuse(cfd, why);
		free(why);
		return;
	}
	if (client_accept(cfd, cred.uid, &why) != 0) {
		log_warnx("%s: refused uid %u: %s", control_path,
		    (unsigned)cred.uid, why);
		control_refuse(cfd, why);
		free(why);
	}
}

void
control_stop(void)
{
	if (control_ev != NULL) {
		event_free(control_ev);
		control_ev = NULL;
	}
	if (control_fd != -1) {
		close(control_fd);
		control_fd = -1;
		unlink(control_path);
	}
}
