/*
 * Shared files on the node hosting their room: the spool, its limits, who
 * may fetch what, and the link requests of nodes whose sessions send and
 * fetch files here.
 *
 * A file is stored under its id, never under its name, in a folder of this
 * run of the node ([files] spool/meetd-RUN/ID, RUN the node's run id); while
 * it arrives it is ID.part, renamed only once its size and SHA-256 match
 * what the sender says.  The name people see is sanitized, and the original
 * is kept only as metadata.  Files go with their room, or [files] keep
 * seconds later, and all of them when the node stops.
 *
 * A node that is killed leaves its folder behind, and the next node to
 * start on the spool removes it.  Several nodes may share a spool (the
 * default is one a user, and a user may run several nodes), so a folder is
 * taken to be another node's until that node is known to be gone: each node
 * holds a flock(2) on its folder for as long as it runs, which the kernel
 * drops when the process ends, however it ends (a process id, which the
 * system gives out again, would say less).  A folder whose lock can be
 * taken is swept: its files of meet's own names, then the folder.  A flock
 * on the spool itself, held while sweeping and while a node makes and locks
 * its folder, keeps a node that starts from sweeping the folder of another
 * that starts with it before that one has locked it.  Nothing else in the
 * spool is touched.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meetd.h"
#include "sha256.h"

static TAILQ_HEAD(, shared_file) shared_files =
    TAILQ_HEAD_INITIALIZER(shared_files);
static uint64_t	spool_used;	/* bytes stored and reserved */
static char	*spool_run;	/* this run's folder, NULL until made */
static int	 spool_run_fd = -1;	/* the folder, locked while we run */

static int	spool_open_run(char **);
static void	spool_sweep(int, const char *);
static int	spool_sweep_run(int, const char *, const char *);
static int	spool_run_name(const char *);
static int	spool_file_name(const char *);
static void	spool_expire(evutil_socket_t, short, void *);
static void	spool_upload_done(struct xfer *, const char *);
static void	spool_download_done(struct xfer *, const char *);
static struct member *spool_member(struct remote *, json_t *);

static void
spool_free(struct shared_file *f)
{
	unlink(f->complete ? f->path : f->part);
	if (f->fd != -1)
		close(f->fd);
	if (f->xfer != NULL)
		xfer_free(f->xfer);
	spool_used -= f->size;
	TAILQ_REMOVE(&shared_files, f, entry);
	if (f->expire != NULL)
		event_free(f->expire);
	free(f->path);
	free(f->part);
	free(f->original);
	free(f);
}

struct shared_file *
spool_find(struct room *r, const char *id)
{
	struct shared_file	*f;

	TAILQ_FOREACH(f, &shared_files, entry) {
		if (f->room == r && f->complete && strcmp(f->id, id) == 0)
			return f;
	}
	return NULL;
}

/* May m fetch f: public, or to or from m. */
int
spool_visible(struct shared_file *f, struct member *m)
{
	return f->to == 0 || f->to == m->id || f->from == m->id;
}

/*
 * Start storing a file from member m (to member to, or the room): a
 * reserved place in the spool and an open ID.part.  NULL and *cause when
 * it is over a limit or cannot be made.
 */
struct shared_file *
spool_begin(struct member *m, struct member *to, const char *name,
    uint64_t size, char **cause)
{
	struct shared_file	*f;
	uint8_t			 rnd[8];
	int			 i;

	if (size > (uint64_t)cfg->file_max_size) {
		xasprintf(cause, "%s: %llu bytes is over the limit of %lld "
		    "bytes a file", name, (unsigned long long)size,
		    (long long)cfg->file_max_size);
		return NULL;
	}
	if (spool_used + size > (uint64_t)cfg->file_quota) {
		xasprintf(cause, "%s: the spool quota of %lld bytes would be "
		    "exceeded (%llu in use)", name, (long long)cfg->file_quota,
		    (unsigned long long)spool_used);
		return NULL;
	}
	if (spool_run == NULL && spool_open_run(cause) != 0)
		return NULL;
	f = xcalloc(1, sizeof *f);
	arc4random_buf(rnd, sizeof rnd);
	for (i = 0; i < 8; i++)
		snprintf(f->id + 2 * i, 3, "%02x", rnd[i]);
	filename_sanitize(name, f->name);
	f->original = xstrdup(name);
	f->size = size;
	f->room = m->room;
	f->from = m->id;
	snprintf(f->from_name, sizeof f->from_name, "%s", m->name);
	if (to != NULL) {
		f->to = to->id;
		snprintf(f->to_name, sizeof f->to_name, "%s", to->name);
	}
	xasprintf(&f->path, "%s/%s", spool_run, f->id);
	xasprintf(&f->part, "%s/%s.part", spool_run, f->id);
	f->fd = open(f->part, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (f->fd == -1) {
		xasprintf(cause, "spool %s: %s", f->part, strerror(errno));
		free(f->path);
		free(f->part);
		free(f->original);
		free(f);
		return NULL;
	}
	spool_used += size;
	TAILQ_INSERT_TAIL(&shared_files, f, entry);
	return f;
}

void
spool_abort(struct shared_file *f)
{
	spool_free(f);
}

/*
 * Everything arrived: check the size and the hashes (ours, and the
 * sender's), make it visible under its id and tell the room.  0, or -1 and
 * *cause with the file gone.
 */
int
spool_commit(struct shared_file *f, const char *theirs, const char *ours,
    char **cause)
{
	struct member	*m;
	json_t		*ev;

	if (theirs == NULL || strcmp(theirs, ours) != 0) {
		xasprintf(cause, "%s: SHA-256 mismatch: sent %s, stored %s",
		    f->name, theirs != NULL ? theirs : "none", ours);
		spool_free(f);
		return -1;
	}
	if (fsync(f->fd) != 0 || rename(f->part, f->path) != 0) {
		xasprintf(cause, "%s: storing: %s", f->name, strerror(errno));
		spool_free(f);
		return -1;
	}
	close(f->fd);
	f->fd = -1;
	snprintf(f->sha256, sizeof f->sha256, "%s", ours);
	f->complete = 1;
	f->shared = now_usec();
	log_info("room %s: %s shared %s (%llu bytes, id %s)", f->room->name,
	    f->from_name, f->name, (unsigned long long)f->size, f->id);

	ev = spool_json(f);
	if (f->to == 0)
		room_broadcast(f->room, ev);
	else {
		TAILQ_FOREACH(m, &f->room->members, entry) {
			if (m->state == MEMBER_JOINED &&
			    (m->id == f->to || m->id == f->from))
				member_deliver(m, ev, 0);
		}
	}
	json_decref(ev);
	return 0;
}

/* A file as list and the file event show it. */
json_t *
spool_json(struct shared_file *f)
{
	json_t	*o, *ev;

	ev = room_event(f->room, "file");
	o = json_pack("{s:O,s:s,s:O,s:s,s:s,s:s,s:I,s:s,s:s}", "ts",
	    json_object_get(ev, "ts"), "event", "file", "room",
	    json_object_get(ev, "room"), "id", f->id, "name", f->name,
	    "original", f->original, "size", (json_int_t)f->size, "from",
	    f->from_name, "sha256", f->sha256);
	json_decref(ev);
	if (f->to != 0)
		json_object_set_new(o, "to", json_string(f->to_name));
	return o;
}

json_t *
spool_list(struct room *r, struct member *m)
{
	struct shared_file	*f;
	json_t			*a = json_array();

	TAILQ_FOREACH(f, &shared_files, entry) {
		if (f->room == r && f->complete && spool_visible(f, m))
			json_array_append_new(a, spool_json(f));
	}
	return a;
}

/* The room ended: its files go now, or [files] keep seconds later. */
void
spool_room_end(struct room *r)
{
	struct shared_file	*f, *f1;

	TAILQ_FOREACH_SAFE(f, &shared_files, entry, f1) {
		if (f->room != r)
			continue;
		if (!f->complete || cfg->file_keep <= 0) {
			spool_free(f);
			continue;
		}
		f->room = NULL;
		f->expire = timer_new(spool_expire, f);
		timer_start(f->expire, cfg->file_keep);
	}
}

static void
spool_expire(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	spool_free(arg);
}

/* Shutting down: nothing of a room outlives the node, nor its folder. */
void
spool_free_all(void)
{
	struct shared_file	*f;

	while ((f = TAILQ_FIRST(&shared_files)) != NULL)
		spool_free(f);
	if (spool_run != NULL) {
		if (rmdir(spool_run) != 0)
			log_warn("spool %s", spool_run);
		close(spool_run_fd);
		spool_run_fd = -1;
		free(spool_run);
		spool_run = NULL;
	}
}

/*
 * At start: sweep what runs that are over left in the spool, and make this
 * run's folder.  A spool that cannot be made now is tried again when the
 * first file comes, which then fails with the reason.
 */
void
spool_start(void)
{
	char	*cause;

	if (spool_open_run(&cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
	}
}

/* [files] spool/meetd-RUN, made, locked and ours: 0, or -1 and *cause. */
static int
spool_open_run(char **cause)
{
	char	*run;
	int	 spoolfd, fd;

	if (mkdir(cfg->spool, 0700) != 0 && errno != EEXIST) {
		xasprintf(cause, "spool %s: %s", cfg->spool, strerror(errno));
		return -1;
	}
	if ((spoolfd = open(cfg->spool, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		xasprintf(cause, "spool %s: %s", cfg->spool, strerror(errno));
		return -1;
	}
	/* Others sweep, or make their folder, after us or before. */
	while (flock(spoolfd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			xasprintf(cause, "spool %s: flock: %s", cfg->spool,
			    strerror(errno));
			close(spoolfd);
			return -1;
		}
	}
	spool_sweep(spoolfd, cfg->spool);
	xasprintf(&run, "%s/meetd-%s", cfg->spool, node_id);
	fd = -1;
	if ((mkdir(run, 0700) != 0 && errno != EEXIST) ||
	    (fd = open(run, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
		xasprintf(cause, "spool %s: %s", run, strerror(errno));
		if (fd != -1)
			close(fd);
		free(run);
		close(spoolfd);		/* and its lock */
		return -1;
	}
	close(spoolfd);
	spool_run = run;
	spool_run_fd = fd;
	return 0;
}

/* The folders of runs that are over, in the spool (spoolfd, locked). */
static void
spool_sweep(int spoolfd, const char *spool)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	int		 fd, dupfd, n;

	if ((dupfd = dup(spoolfd)) == -1 || (d = fdopendir(dupfd)) == NULL) {
		if (dupfd != -1)
			close(dupfd);
		log_warn("spool %s: cannot look for what runs that are over "
		    "left", spool);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!spool_run_name(de->d_name))
			continue;
		fd = openat(spoolfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1)
			continue;
		/* Another user's is not ours to judge; a held one runs. */
		if (fstat(fd, &sb) != 0 || sb.st_uid != geteuid() ||
		    flock(fd, LOCK_EX | LOCK_NB) != 0) {
			close(fd);
			continue;
		}
		n = spool_sweep_run(fd, spool, de->d_name);
		if (unlinkat(spoolfd, de->d_name, AT_REMOVEDIR) != 0)
			log_warn("spool %s/%s: left as it is", spool,
			    de->d_name);
		else
			log_info("spool %s: %d file%s left by a run that is "
			    "over removed, with its folder %s", spool, n,
			    n == 1 ? "" : "s", de->d_name);
		close(fd);
	}
	closedir(d);
}

/* The files of meet's names in a run's folder (fd) removed: how many. */
static int
spool_sweep_run(int fd, const char *spool, const char *name)
{
	DIR		*d;
	struct dirent	*de;
	int		 dupfd, n = 0;

	if ((dupfd = dup(fd)) == -1 || (d = fdopendir(dupfd)) == NULL) {
		if (dupfd != -1)
			close(dupfd);
		log_warn("spool %s/%s", spool, name);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (!spool_file_name(de->d_name))
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0)
			n++;
		else
			log_warn("spool %s/%s/%s", spool, name, de->d_name);
	}
	closedir(d);
	return n;
}

/* "meetd-" and a run id, 32 hexadecimal digits: a run's folder. */
static int
spool_run_name(const char *name)
{
	size_t	i;

	if (strncmp(name, "meetd-", 6) != 0)
		return 0;
	for (i = 0; i < 32; i++) {
		if (!((name[6 + i] >= '0' && name[6 + i] <= '9') ||
		    (name[6 + i] >= 'a' && name[6 + i] <= 'f')))
			return 0;
	}
	return name[6 + i] == '\0';
}

/* A file id, 16 hexadecimal digits, with .part or alone. */
static int
spool_file_name(const char *name)
{
	size_t	i;

	for (i = 0; i < 16; i++) {
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	}
	return name[i] == '\0' || strcmp(name + i, ".part") == 0;
}

/* --- requests from other nodes --------------------------------------- */

static struct member *
spool_member(struct remote *r, json_t *body)
{
	struct member	*m;
	json_t		*v = json_object_get(body, "session");

	if (!json_is_string(v) ||
	    (m = remote_member(r, json_string_value(v))) == NULL ||
	    m->state != MEMBER_JOINED)
		return NULL;
	return m;
}

static void
spool_upload_done(struct xfer *x, const char *err)
{
	struct shared_file	*f = x->arg;

	if (err != NULL) {
		log_warnx("upload of %s to %s failed: %s", f->name,
		    f->room != NULL ? f->room->name : "?", err);
		spool_free(f);		/* frees x too */
	}
	/* Complete: the sender's file_done commits it. */
}

static void
spool_download_done(struct xfer *x, const char *err)
{
	if (err != NULL)
		log_debug("download %s ended: %s", x->label, err);
	close(x->fd);
	xfer_free(x);
}

static void
spool_reply_error(struct remote *r, uint64_t id, int code, const char *fmt,
    ...)
{
	struct evbuffer	*err;
	va_list		 ap;

	err = evbuffer_new();
	va_start(ap, fmt);
	evbuffer_add_vprintf(err, fmt, ap);
	va_end(ap);
	evbuffer_add(err, "\n", 1);
	remote_reply(r, id, code, NULL, err, NULL);
	evbuffer_free(err);
}

/* A request whose op starts with file_: 0, or -1 when it is no such op. */
int
spool_request(struct remote *r, uint64_t id, const char *op, json_t *body)
{
	struct shared_file	*f;
	struct member		*m, *to = NULL;
	struct xfer		*x;
	json_t			*v, *extra;
	const char		*name, *toname, *sha;
	char			*cause, ours[SHA256_HEX];
	uint64_t		 size, offset;
	int			 fd;

	v = json_object_get(body, "xfer");
	x = json_is_integer(v) ? xfer_by_id((uint64_t)json_integer_value(v)) :
	    NULL;

	if (strcmp(op, "file_offer") == 0) {
		name = json_string_value(json_object_get(body, "name"));
		toname = json_string_value(json_object_get(body, "to"));
		v = json_object_get(body, "size");
		if ((m = spool_member(r, body)) == NULL || name == NULL ||
		    !json_is_integer(v) || json_integer_value(v) < 0) {
			spool_reply_error(r, id, EXIT_REFUSED, "bad offer");
			return 0;
		}
		if (toname != NULL && ((to = room_member(m->room,
		    toname)) == NULL || to->state != MEMBER_JOINED)) {
			spool_reply_error(r, id, EXIT_REFUSED, "no one called "
			    "%s in %s", toname, m->room->name);
			return 0;
		}
		size = (uint64_t)json_integer_value(v);
		if ((f = spool_begin(m, to, name, size, &cause)) == NULL) {
			spool_reply_error(r, id, EXIT_REFUSED, "%s", cause);
			free(cause);
			return 0;
		}
		f->xfer = xfer_new(xfer_new_id(), 0, f->fd, size,
		    spool_upload_done, f);
		f->xfer->owner = r;
		snprintf(f->xfer->label, sizeof f->xfer->label, "%s", f->id);
		xfer_attach(f->xfer, r->link, 0);
		extra = json_pack("{s:I,s:s}", "xfer",
		    (json_int_t)f->xfer->id, "name", f->name);
		remote_reply(r, id, 0, NULL, NULL, extra);
		json_decref(extra);
		return 0;
	}
	if (strcmp(op, "file_done") == 0) {
		sha = json_string_value(json_object_get(body, "sha256"));
		/* Only the key whose link made the upload may finish it. */
		TAILQ_FOREACH(f, &shared_files, entry) {
			if (f->xfer != NULL && f->xfer == x && x->owner == r)
				break;
		}
		if (f == NULL || x->have != x->size) {
			spool_reply_error(r, id, EXIT_REFUSED, "the upload is "
			    "incomplete or gone");
			return 0;
		}
		xfer_sha256(x, ours);
		xfer_free(x);
		f->xfer = NULL;
		if (spool_commit(f, sha, ours, &cause) != 0) {
			spool_reply_error(r, id, EXIT_REFUSED, "%s", cause);
			free(cause);
			return 0;
		}
		extra = json_pack("{s:s,s:s,s:I,s:s}", "file", f->id, "name",
		    f->name, "size", (json_int_t)f->size, "sha256", f->sha256);
		remote_reply(r, id, 0, NULL, NULL, extra);
		json_decref(extra);
		return 0;
	}
	if (strcmp(op, "file_resume") == 0 || strcmp(op, "file_pull") == 0) {
		if (x == NULL || x->owner != r) {
			spool_reply_error(r, id, EXIT_REFUSED, "the transfer "
			    "is gone");
			return 0;
		}
		v = json_object_get(body, "offset");
		offset = json_is_integer(v) ? (uint64_t)json_integer_value(v) :
		    0;
		if (offset > x->size) {
			spool_reply_error(r, id, EXIT_REFUSED, "bad offset");
			return 0;
		}
		xfer_attach(x, r->link, x->sending ? offset : x->have);
		extra = json_pack("{s:I}", "have", (json_int_t)x->have);
		remote_reply(r, id, 0, NULL, NULL, extra);
		json_decref(extra);
		return 0;
	}
	if (strcmp(op, "file_open") == 0) {
		name = json_string_value(json_object_get(body, "file"));
		if ((m = spool_member(r, body)) == NULL || name == NULL ||
		    (f = spool_find(m->room, name)) == NULL ||
		    !spool_visible(f, m)) {
			spool_reply_error(r, id, EXIT_REFUSED, "no file %s",
			    name != NULL ? name : "?");
			return 0;
		}
		if ((fd = open(f->path, O_RDONLY | O_CLOEXEC)) == -1) {
			spool_reply_error(r, id, EXIT_REFUSED, "%s: %s",
			    f->path, strerror(errno));
			return 0;
		}
		x = xfer_new(xfer_new_id(), 1, fd, f->size,
		    spool_download_done, NULL);
		x->owner = r;
		snprintf(x->label, sizeof x->label, "%s", f->id);
		extra = json_pack("{s:I,s:s,s:I,s:s}", "xfer",
		    (json_int_t)x->id, "name", f->name, "size",
		    (json_int_t)f->size, "sha256", f->sha256);
		remote_reply(r, id, 0, NULL, NULL, extra);
		json_decref(extra);
		return 0;
	}
	if (strcmp(op, "file_cancel") == 0) {
		if (x != NULL && x->owner == r && !x->finished)
			xfer_abort(x, "cancelled by the other node");
		remote_reply(r, id, 0, NULL, NULL, NULL);
		return 0;
	}
	return -1;
}

/* A remote is gone for good: its transfers end. */
void
spool_remote_gone(struct remote *r)
{
	struct xfer	*x;

	while ((x = xfer_by_owner(r)) != NULL) {
		xfer_abort(x, "the other node is gone");
		x = NULL;
	}
	xfer_forget_owner(r);
}
