/*
 * A shared file of a room on another node, for a page to download: it is
 * fetched from the room's node over the link as meetctl file get fetches it
 * (file_open, then the chunks of transfer.c, checked by SHA-256), into an
 * unlinked file in the spool, and only then sent to the browser, whose
 * HTTP connection (web.c) waits meanwhile.  A transfer that makes no
 * progress for WEB_FETCH_STALL seconds, whose page goes, or whose browser
 * stops waiting, is given up.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meetd.h"
#include "web.h"

#define WEB_FETCH_STALL	30.0	/* seconds without a byte */
#define WEB_FETCH_CHECK	2.0

struct web_fetch {
	struct web_conn	*conn;		/* NULL once it stopped waiting */
	uint64_t	 session;	/* whose file it is, by id */
	char		 id[17];
	char		 name[FILENAME_MAX_LEN + 1];
	char		 sha256[65];
	uint64_t	 size;
	int		 fd;		/* the unlinked copy */
	struct xfer	*x;
	int		 pending;	/* requests not answered */
	struct event	*watch;
	uint64_t	 seen;		/* bytes at the last check */
	double		 still;		/* seconds without progress */
};

static int	web_fetch_request(struct web_fetch *, json_t *, peer_cb);
static void	web_fetch_opened(json_t *, void *);
static void	web_fetch_pulled(json_t *, void *);
static void	web_fetch_received(struct xfer *, const char *);
static void	web_fetch_ignore(struct xfer *, const char *);
static void	web_fetch_check(evutil_socket_t, short, void *);
static void	web_fetch_fail(struct web_fetch *, int, const char *);
static void	web_fetch_release(struct web_fetch *);
static int	web_fetch_tmpfile(char *, size_t);

/*
 * Start fetching file id of session sid's room for conn; web.c gets
 * web_download_ready or web_download_failed for it later, never from
 * inside this call.  NULL and why in err when it cannot start.
 */
struct web_fetch *
web_fetch_start(struct web_conn *conn, uint64_t sid, const char *id,
    char *err, size_t errlen)
{
	struct web_fetch	*f;
	struct session		*s;
	char			*cause;
	json_t			*req;

	if ((s = session_find_id(sid)) == NULL || s->peer == NULL) {
		snprintf(err, errlen, "the page is not in a room on another "
		    "node");
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	f->conn = conn;
	f->session = sid;
	f->fd = -1;
	snprintf(f->id, sizeof f->id, "%s", id);
	req = json_pack("{s:s,s:s,s:s}", "op", "file_open", "file", f->id,
	    "session", s->wire);
	if (peer_request(s->peer, req, web_fetch_opened, f, &cause) != 0) {
		snprintf(err, errlen, "%s", cause);
		free(cause);
		json_decref(req);
		free(f);
		return NULL;
	}
	json_decref(req);
	f->pending++;
	f->watch = event_new(base, -1, EV_PERSIST, web_fetch_check, f);
	timer_start(f->watch, WEB_FETCH_CHECK);
	return f;
}

/* The browser stopped waiting: the fetch ends, now or at its last reply. */
void
web_fetch_cancel(struct web_fetch *f)
{
	log_info("web: the download of file %s was given up by its browser",
	    f->id);
	f->conn = NULL;
	web_fetch_release(f);
	if (f->pending == 0)
		free(f);
}

/* Let go of everything but f itself. */
static void
web_fetch_release(struct web_fetch *f)
{
	struct xfer	*x;

	if ((x = f->x) != NULL) {
		f->x = NULL;
		x->done = web_fetch_ignore;
		if (!x->finished)
			xfer_abort(x, "cancelled");
		xfer_free(x);
	}
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	if (f->watch != NULL)
		event_free(f->watch);
	f->watch = NULL;
}

static void
web_fetch_ignore(struct xfer *x, const char *err)
{
	(void)x;
	(void)err;
}

/* It failed: the browser is told, and what is left of f goes. */
static void
web_fetch_fail(struct web_fetch *f, int status, const char *why)
{
	struct web_conn	*conn = f->conn;

	log_warnx("web: file %s for the page not fetched: %s", f->id, why);
	f->conn = NULL;
	web_fetch_release(f);
	if (conn != NULL)
		web_download_failed(conn, status, why);
	if (f->pending == 0)
		free(f);
}

static int
web_fetch_request(struct web_fetch *f, json_t *req, peer_cb cb)
{
	struct session	*s;
	char		*cause;

	if ((s = session_find_id(f->session)) == NULL || s->peer == NULL) {
		json_decref(req);
		web_fetch_fail(f, 410, "the page left the room");
		return -1;
	}
	json_object_set_new(req, "session", json_string(s->wire));
	if (peer_request(s->peer, req, cb, f, &cause) != 0) {
		json_decref(req);
		web_fetch_fail(f, 502, cause);
		free(cause);
		return -1;
	}
	json_decref(req);
	f->pending++;
	return 0;
}

/* An unlinked file in the spool for the copy: its fd, or -1 and why. */
static int
web_fetch_tmpfile(char *err, size_t errlen)
{
	char	*path;
	int	 fd;

	if (mkdir(cfg->spool, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", cfg->spool, strerror(errno));
		return -1;
	}
	xasprintf(&path, "%s/web-fetch-XXXXXX", cfg->spool);
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else
		unlink(path);
	free(path);
	return fd;
}

static void
web_fetch_opened(json_t *reply, void *arg)
{
	struct web_fetch	*f = arg;
	struct session		*s;
	const char		*name, *sha, *e;
	json_t			*v, *xv;
	char			 err[512];

	f->pending--;
	if (f->conn == NULL) {
		if (f->pending == 0)
			free(f);
		return;
	}
	v = json_object_get(reply, "code");
	if (!json_is_integer(v) || json_integer_value(v) != 0) {
		e = json_string_value(json_object_get(reply, "err"));
		snprintf(err, sizeof err, "%s", e != NULL ? e : "refused");
		err[strcspn(err, "\n")] = '\0';
		web_fetch_fail(f, 404, err);
		return;
	}
	name = json_string_value(json_object_get(reply, "name"));
	sha = json_string_value(json_object_get(reply, "sha256"));
	v = json_object_get(reply, "size");
	xv = json_object_get(reply, "xfer");
	if (name == NULL || sha == NULL || !json_is_integer(v) ||
	    !json_is_integer(xv) || json_integer_value(v) < 0) {
		web_fetch_fail(f, 502, "a bad answer from the room's node");
		return;
	}
	snprintf(f->name, sizeof f->name, "%s", name);
	snprintf(f->sha256, sizeof f->sha256, "%s", sha);
	f->size = (uint64_t)json_integer_value(v);
	if ((f->fd = web_fetch_tmpfile(err, sizeof err)) == -1) {
		web_fetch_fail(f, 500, err);
		return;
	}
	f->x = xfer_new((uint64_t)json_integer_value(xv), 0, f->fd, f->size,
	    web_fetch_received, f);
	snprintf(f->x->label, sizeof f->x->label, "web %s", f->id);
	if (f->size == 0) {
		f->x->finished = 1;
		web_fetch_received(f->x, NULL);
		return;
	}
	if ((s = session_find_id(f->session)) == NULL || s->peer == NULL ||
	    s->peer->link == NULL) {
		web_fetch_fail(f, 502, "the link to the room's node is down");
		return;
	}
	xfer_attach(f->x, s->peer->link, 0);
	web_fetch_request(f, json_pack("{s:s,s:I,s:I}", "op", "file_pull",
	    "xfer", (json_int_t)f->x->id, "offset", (json_int_t)0),
	    web_fetch_pulled);
}

static void
web_fetch_pulled(json_t *reply, void *arg)
{
	struct web_fetch	*f = arg;
	json_t			*v;

	f->pending--;
	if (f->conn == NULL) {
		if (f->pending == 0)
			free(f);
		return;
	}
	v = json_object_get(reply, "code");
	if (!json_is_integer(v) || json_integer_value(v) != 0)
		web_fetch_fail(f, 502, "the room's node would not send it");
}

/* Every byte is here (or it failed): checked, then to the browser. */
static void
web_fetch_received(struct xfer *x, const char *err)
{
	struct web_fetch	*f = x->arg;
	struct web_conn		*conn = f->conn;
	char			 sha[65], why[256], name[FILENAME_MAX_LEN + 1];
	uint64_t		 size = f->size;
	int			 fd;

	if (err != NULL) {
		web_fetch_fail(f, 502, err);
		return;
	}
	xfer_sha256(x, sha);
	if (strcmp(sha, f->sha256) != 0) {
		snprintf(why, sizeof why, "SHA-256 mismatch: expected %s, got "
		    "%s", f->sha256, sha);
		web_fetch_fail(f, 502, why);
		return;
	}
	if (lseek(f->fd, 0, SEEK_SET) != 0) {
		web_fetch_fail(f, 500, strerror(errno));
		return;
	}
	/* The copy is the connection's now. */
	fd = f->fd;
	f->fd = -1;
	snprintf(name, sizeof name, "%s", f->name);
	f->conn = NULL;
	web_fetch_release(f);
	if (f->pending == 0)
		free(f);
	if (conn != NULL)
		web_download_ready(conn, fd, name, size);
	else
		close(fd);
}

/* Still coming?  A transfer stalled for too long is given up. */
static void
web_fetch_check(evutil_socket_t fd, short events, void *arg)
{
	struct web_fetch	*f = arg;
	uint64_t		 now = f->x != NULL ? xfer_progress(f->x) : 0;

	(void)fd;
	(void)events;
	if (now != f->seen) {
		f->seen = now;
		f->still = 0;
		return;
	}
	f->still += WEB_FETCH_CHECK;
	if (f->still >= WEB_FETCH_STALL)
		web_fetch_fail(f, 504, "the room's node sent nothing for a "
		    "while");
}
