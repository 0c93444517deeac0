/*
 * meetd.conf: an INI file read with inih.  Every key has an embedded default,
 * so meetd runs with no file at all.  An unknown section or key, or a bad
 * value, is an error naming the file, the line and the key.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "meetd.h"

enum key_type {
	KEY_STRING,
	KEY_INT,
	KEY_SECONDS,
	KEY_NAME,
	KEY_BYTES,
	KEY_ADDR,		/* HOST[:PORT], as -l takes */
	KEY_ADDR_OFF		/* the same, or empty: off */
};

struct config_key {
	const char	*section;
	const char	*name;
	enum key_type	 type;
	size_t		 offset;
	double		 min;
	double		 max;
};

#define OFF(f)	offsetof(struct config, f)
static const struct config_key config_keys[] = {
	{ "node", "name", KEY_NAME, OFF(node_name), 0, 0 },
	{ "node", "listen", KEY_ADDR, OFF(listen), 0, 0 },
	{ "node", "link_grace", KEY_SECONDS, OFF(link_grace), 0.1, 86400 },
	{ "node", "keepalive", KEY_SECONDS, OFF(keepalive), 0.05, 60 },
	{ "node", "keepalive_timeout", KEY_SECONDS, OFF(keepalive_timeout),
	    0.1, 600 },
	{ "node", "reconnect_max", KEY_SECONDS, OFF(reconnect_max), 0.05,
	    600 },
	{ "node", "key", KEY_STRING, OFF(node_key), 0, 0 },
	{ "node", "known_nodes", KEY_STRING, OFF(known_nodes), 0, 0 },
	{ "node", "handshake_timeout", KEY_SECONDS, OFF(handshake_timeout),
	    0.1, 60 },
	{ "node", "max_handshakes", KEY_INT, OFF(max_handshakes), 1, 100000 },
	{ "node", "max_handshakes_per_address", KEY_INT,
	    OFF(max_handshakes_per_address), 1, 100000 },
	{ "control", "socket", KEY_STRING, OFF(socket), 0, 0 },
	{ "control", "group", KEY_STRING, OFF(socket_group), 0, 0 },
	{ "control", "command_timeout", KEY_SECONDS, OFF(command_timeout),
	    0.1, 600 },
	{ "control", "max_pending", KEY_INT, OFF(max_pending), 1, 100000 },
	{ "control", "max_pending_per_user", KEY_INT,
	    OFF(max_pending_per_user), 1, 100000 },
	{ "rooms", "max_rooms", KEY_INT, OFF(max_rooms), 1, 1000000 },
	{ "rooms", "max_participants", KEY_INT, OFF(max_participants), 0,
	    1000000 },
	{ "sessions", "max_sessions", KEY_INT, OFF(max_sessions), 1,
	    1000000 },
	{ "sessions", "events", KEY_INT, OFF(session_events), 16, 1000000 },
	{ "chat", "history", KEY_INT, OFF(chat_history), 0, 1000000 },
	{ "chat", "max_length", KEY_INT, OFF(chat_max_length), 1, 65536 },
	{ "files", "spool", KEY_STRING, OFF(spool), 0, 0 },
	{ "files", "max_size", KEY_BYTES, OFF(file_max_size), 1, 1e15 },
	{ "files", "quota", KEY_BYTES, OFF(file_quota), 1, 1e15 },
	{ "files", "keep", KEY_SECONDS, OFF(file_keep), 0, 31536000 },
	{ "media", "workers", KEY_INT, OFF(workers), 0, 256 },
	{ "media", "mix_talkers", KEY_INT, OFF(mix_talkers), 0, 1000000 },
	{ "media", "opus_bitrate", KEY_INT, OFF(opus_bitrate), 6000, 510000 },
	{ "media", "opus_complexity", KEY_INT, OFF(opus_complexity), 0, 10 },
	{ "media", "video_quality", KEY_INT, OFF(video_quality), 1, 100 },
	{ "media", "recv_audio_buffer", KEY_SECONDS, OFF(recv_audio_buffer),
	    0.02, 10 },
	{ "media", "recv_video_frames", KEY_INT, OFF(recv_video_frames), 1,
	    1000 },
	{ "media", "rtp_timeout", KEY_SECONDS, OFF(rtp_timeout), 0, 86400 },
	{ "media", "rate_per_source", KEY_INT, OFF(rate_per_source), 0,
	    10000000 },
	{ "media", "rate_per_stream", KEY_INT, OFF(rate_per_stream), 0,
	    10000000 },
	{ "media", "rate_burst", KEY_SECONDS, OFF(rate_burst), 0.01, 10 },
	{ "record", "dir", KEY_STRING, OFF(record_dir), 0, 0 },
	{ "record", "slots", KEY_INT, OFF(record_slots), 0, 64 },
	{ "record", "anyone", KEY_INT, OFF(record_anyone), 0, 1 },
	{ "web", "listen", KEY_ADDR_OFF, OFF(web_listen), 0, 0 },
	{ "web", "certificate", KEY_STRING, OFF(web_certificate), 0, 0 },
	{ "web", "certificate_key", KEY_STRING, OFF(web_certificate_key), 0,
	    0 },
	{ "web", "max_connections", KEY_INT, OFF(web_max_connections), 1,
	    100000 },
	{ "web", "max_handshakes", KEY_INT, OFF(web_max_handshakes), 1,
	    100000 },
	{ "web", "handshake_timeout", KEY_SECONDS, OFF(web_handshake_timeout),
	    0.1, 60 },
	{ "web", "max_message", KEY_INT, OFF(web_max_message), 1024,
	    16 * 1024 * 1024 },
	{ "log", "verbose", KEY_INT, OFF(verbose), 0, 2 },
};

struct config_parse {
	struct config	*cfg;
	FILE		*f;
	int		 line;		/* lines read so far */
	char		*error;		/* the first error of ours */
	int		 error_line;	/* and its line */
};

static char	*config_read_line(char *, int, void *);
static void	 config_check_section(struct config_parse *, const char *);
static char	*config_state_entry(const char *, const char *);
static int	 config_same(const char *, const char *);
static int	config_handler(void *, const char *, const char *,
		    const char *);
static int	config_set(struct config *, const struct config_key *,
		    const char *, char **);

struct config *
config_defaults(void)
{
	struct config	*c;
	char		 host[256];
	const char	*state;

	c = xcalloc(1, sizeof *c);
	if (gethostname(host, sizeof host) != 0 || name_valid(host) != 0)
		snprintf(host, sizeof host, "meetd");
	host[NAME_MAX_LEN] = '\0';
	c->node_name = xstrdup(host);
	c->listen = xstrdup("127.0.0.1:7700");
	c->link_grace = 15;
	c->keepalive = 1;
	c->keepalive_timeout = 4;
	c->reconnect_max = 2;
	c->node_key = NULL;		/* nodekey_default_path() */
	c->known_nodes = NULL;
	c->handshake_timeout = 5;
	c->max_handshakes = 256;
	c->max_handshakes_per_address = 16;
	c->command_timeout = 5;
	c->max_pending = 128;
	c->max_pending_per_user = 32;
	c->max_rooms = 1000;
	c->max_participants = 0;
	c->max_sessions = 1000;
	c->session_events = 1000;
	c->chat_history = 100;
	c->chat_max_length = 4096;
	xasprintf(&c->spool, "/var/tmp/meet-spool-%u", (unsigned)geteuid());
	c->file_max_size = 1LL << 30;
	c->file_quota = 4LL << 30;
	c->file_keep = 0;
	c->workers = 0;
	c->mix_talkers = 4;
	c->opus_bitrate = 32000;
	c->opus_complexity = 4;		/* the mixes: BENCHMARKS.md */
	c->video_quality = 85;
	c->recv_audio_buffer = 0.2;
	c->recv_video_frames = 3;
	c->rtp_timeout = 0;
	c->rate_per_source = 50000;	/* packets a second */
	c->rate_per_stream = 10000;	/* MJPEG 1080p is ~4,000 */
	c->rate_burst = 0.5;		/* seconds' worth */
	c->record_slots = 8;
	c->record_anyone = 0;
	c->web_listen = xstrdup(WEB_LISTEN_DEFAULT);
	c->web_max_connections = 256;
	c->web_max_handshakes = 32;
	c->web_handshake_timeout = 5;
	c->web_max_message = 64 * 1024;
	/*
	 * systemd's StateDirectory= (etc/meetd.service: "meet meet/recordings",
	 * so its recordings entry), then the usual.
	 */
	if ((state = getenv("STATE_DIRECTORY")) != NULL && *state == '/')
		c->record_dir = config_state_entry(state, "/recordings");
	else if (geteuid() == 0)
		c->record_dir = xstrdup("/var/lib/meet/recordings");
	else if (getenv("HOME") != NULL && *getenv("HOME") == '/')
		xasprintf(&c->record_dir, "%s/meet-recordings",
		    getenv("HOME"));
	else
		xasprintf(&c->record_dir, "/tmp/meet-recordings-%u",
		    (unsigned)geteuid());
	c->verbose = 0;
	return c;
}

/*
 * The entry of a colon-separated $STATE_DIRECTORY that ends in suffix, else
 * its first; the caller frees it.
 */
static char *
config_state_entry(const char *list, const char *suffix)
{
	const char	*p = list, *end;
	size_t		 n, slen = strlen(suffix);

	for (;;) {
		end = p + strcspn(p, ":");
		n = (size_t)(end - p);
		if (n >= slen && strncmp(end - slen, suffix, slen) == 0)
			return xstrndup(p, n);
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return xstrndup(list, strcspn(list, ":"));
}

/* Are two optional strings the same (both unset counts)? */
static int
config_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static char *
config_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* A copy of c that shares nothing with it (for another thread). */
struct config *
config_copy(const struct config *c)
{
	struct config	*n;

	n = xmalloc(sizeof *n);
	memcpy(n, c, sizeof *n);
	n->path = config_strdup(c->path);
	n->node_name = config_strdup(c->node_name);
	n->listen = config_strdup(c->listen);
	n->socket = config_strdup(c->socket);
	n->socket_group = config_strdup(c->socket_group);
	n->node_key = config_strdup(c->node_key);
	n->known_nodes = config_strdup(c->known_nodes);
	n->spool = config_strdup(c->spool);
	n->record_dir = config_strdup(c->record_dir);
	n->web_listen = config_strdup(c->web_listen);
	n->web_certificate = config_strdup(c->web_certificate);
	n->web_certificate_key = config_strdup(c->web_certificate_key);
	return n;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->node_name);
	free(c->listen);
	free(c->socket);
	free(c->socket_group);
	free(c->node_key);
	free(c->known_nodes);
	free(c->spool);
	free(c->record_dir);
	free(c->web_listen);
	free(c->web_certificate);
	free(c->web_certificate_key);
	free(c);
}

static int
config_set(struct config *c, const struct config_key *k, const char *value,
    char **cause)
{
	struct node_addr na;
	char		*end, **sp, err[256];
	long		 l;
	double		 d;

	switch (k->type) {
	case KEY_STRING:
	case KEY_NAME:
	case KEY_ADDR:
		if (*value == '\0') {
			xasprintf(cause, "empty value");
			return -1;
		}
		if (k->type == KEY_ADDR && node_addr_parse(value,
		    ADDR_DEFAULT_PORT, &na, err, sizeof err) != 0) {
			xasprintf(cause, "%s", err);
			return -1;
		}
		if (k->type == KEY_NAME && name_valid(value) != 0) {
			xasprintf(cause, "'%s' is not a name (letters, digits, "
			    "'.', '_' and '-', 1 to %d)", value, NAME_MAX_LEN);
			return -1;
		}
		sp = (char **)((char *)c + k->offset);
		free(*sp);
		*sp = xstrdup(value);
		return 0;
	case KEY_ADDR_OFF:
		if (*value != '\0' && node_addr_parse(value, WEB_DEFAULT_PORT,
		    &na, err, sizeof err) != 0) {
			xasprintf(cause, "%s", err);
			return -1;
		}
		sp = (char **)((char *)c + k->offset);
		free(*sp);
		*sp = xstrdup(value);
		return 0;
	case KEY_INT:
		errno = 0;
		l = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || errno != 0) {
			xasprintf(cause, "'%s' is not a whole number", value);
			return -1;
		}
		if (l < k->min || l > k->max) {
			xasprintf(cause, "%ld is out of range (%.0f to %.0f)",
			    l, k->min, k->max);
			return -1;
		}
		*(int *)((char *)c + k->offset) = (int)l;
		return 0;
	case KEY_BYTES:
		errno = 0;
		d = strtod(value, &end);
		if (*end == 'K' || *end == 'k')
			d *= 1024, end++;
		else if (*end == 'M')
			d *= 1024 * 1024, end++;
		else if (*end == 'G')
			d *= 1024.0 * 1024 * 1024, end++;
		if (*value == '\0' || *end != '\0' || errno != 0 ||
		    !isfinite(d)) {
			xasprintf(cause, "'%s' is not a size (bytes, or with K, "
			    "M or G)", value);
			return -1;
		}
		if (d < k->min || d > k->max) {
			xasprintf(cause, "%s is out of range", value);
			return -1;
		}
		*(int64_t *)((char *)c + k->offset) = (int64_t)d;
		return 0;
	case KEY_SECONDS:
		errno = 0;
		d = strtod(value, &end);
		if (*value == '\0' || *end != '\0' || errno != 0 ||
		    !isfinite(d)) {
			xasprintf(cause, "'%s' is not a number of seconds",
			    value);
			return -1;
		}
		if (d < k->min || d > k->max) {
			xasprintf(cause, "%g is out of range (%g to %g "
			    "seconds)", d, k->min, k->max);
			return -1;
		}
		*(double *)((char *)c + k->offset) = d;
		return 0;
	}
	return -1;
}

/*
 * inih's reader.  It counts lines, so that a handler's error can be told
 * apart from a syntax error inih found on an earlier line, and it drops
 * leading space: inih would take an indented line for the continuation of
 * the value above, and an indented "key = value" would silently become the
 * value of the previous key.
 */
static char *
config_read_line(char *buf, int size, void *arg)
{
	struct config_parse	*p = arg;
	size_t			 n;

	if (fgets(buf, size, p->f) == NULL)
		return NULL;
	p->line++;
	n = strspn(buf, " \t");
	if (n > 0)
		memmove(buf, buf + n, strlen(buf + n) + 1);
	config_check_section(p, buf);
	return buf;
}

/*
 * A section header.  inih calls the handler for keys only, so a section
 * with none, such as a misspelt [chta] left empty, is checked here, on its
 * own line; a header with no ']' is inih's syntax error.
 */
static void
config_check_section(struct config_parse *p, const char *line)
{
	const char	*end;
	size_t		 i, len;

	if (p->line == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;	/* a byte order mark, which inih skips */
	if (*line != '[' || (end = strchr(line + 1, ']')) == NULL)
		return;
	len = (size_t)(end - line - 1);
	for (i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		if (strlen(config_keys[i].section) == len &&
		    strncmp(config_keys[i].section, line + 1, len) == 0)
			return;
	}
	if (p->error == NULL) {
		xasprintf(&p->error, "unknown section [%.*s]", (int)len,
		    line + 1);
		p->error_line = p->line;
	}
}

static int
config_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct config_parse	*p = arg;
	const struct config_key	*k;
	size_t			 i;
	char			*cause;
	int			 known_section = 0;

	for (i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		k = &config_keys[i];
		if (strcmp(k->section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(k->name, name) != 0)
			continue;
		if (config_set(p->cfg, k, value, &cause) == 0)
			return 1;
		if (p->error == NULL) {
			xasprintf(&p->error, "[%s] %s: %s", section, name,
			    cause);
			p->error_line = p->line;
		}
		free(cause);
		return 0;
	}
	if (p->error == NULL) {
		p->error_line = p->line;
		if (!known_section)
			xasprintf(&p->error, "unknown section [%s] (key %s)",
			    section, name);
		else
			xasprintf(&p->error, "unknown key '%s' in [%s]", name,
			    section);
	}
	return 0;
}

/*
 * Read path over the defaults.  0 and *out on success; -1 and *cause (owned
 * by the caller) naming the file and line on error.
 */
int
config_load(const char *path, struct config **out, char **cause)
{
	struct config_parse	 p;
	struct stat		 sb;
	FILE			*f;
	int			 line, failed;

	p.cfg = config_defaults();
	p.line = 0;
	p.error = NULL;
	p.error_line = 0;
	if (path != NULL) {
		if ((f = fopen(path, "r")) == NULL) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			config_free(p.cfg);
			return -1;
		}
		/* A directory opens, and reads as an empty file. */
		if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
			xasprintf(cause, "%s: is a directory", path);
			fclose(f);
			config_free(p.cfg);
			return -1;
		}
		p.f = f;
		line = ini_parse_stream(config_read_line, &p, config_handler,
		    &p);
		failed = ferror(f);
		fclose(f);
		if (failed) {
			xasprintf(cause, "%s: cannot read it", path);
			free(p.error);
			config_free(p.cfg);
			return -1;
		}
		if (line != 0 || p.error != NULL) {
			/*
			 * inih's line is that of its first error, a syntax
			 * error or a handler's; one of ours may come before.
			 */
			if (p.error == NULL || (line != 0 &&
			    line < p.error_line)) {
				free(p.error);
				p.error = xstrdup("syntax error");
				p.error_line = line;
			}
			xasprintf(cause, "%s:%d: %s", path, p.error_line,
			    p.error);
			free(p.error);
			config_free(p.cfg);
			return -1;
		}
		p.cfg->path = xstrdup(path);
	}
	if ((p.cfg->web_certificate == NULL) !=
	    (p.cfg->web_certificate_key == NULL)) {
		xasprintf(cause, "%s: [web] certificate and certificate_key go "
		    "together", path != NULL ? path : "defaults");
		config_free(p.cfg);
		return -1;
	}
	*out = p.cfg;
	return 0;
}

/*
 * SIGHUP: take what can change while running from the new configuration;
 * the listen address and the socket need a restart.
 */
void
config_apply_reload(struct config *old, struct config *new)
{
	if (strcmp(old->listen, new->listen) != 0)
		log_warnx("reload: [node] listen changed; it takes effect "
		    "at the next start");
	if ((old->socket == NULL) != (new->socket == NULL) ||
	    (old->socket != NULL && strcmp(old->socket, new->socket) != 0))
		log_warnx("reload: [control] socket changed; it takes effect "
		    "at the next start");
	if (!config_same(old->node_key, new->node_key))
		log_warnx("reload: [node] key changed; it takes effect at "
		    "the next start");
	if (!config_same(old->known_nodes, new->known_nodes))
		log_warnx("reload: [node] known_nodes changed; it takes "
		    "effect at the next start");
	if (!config_same(old->spool, new->spool)) {
		log_warnx("reload: [files] spool changed; it takes effect "
		    "at the next start");
		free(new->spool);
		new->spool = xstrdup(old->spool);
	}
	if (old->workers != new->workers) {
		log_warnx("reload: [media] workers changed; it takes effect "
		    "at the next start");
		new->workers = old->workers;
	}
	if (strcmp(old->web_listen, new->web_listen) != 0)
		log_warnx("reload: [web] listen changed; it takes effect at "
		    "the next start");
	if (!config_same(old->web_certificate, new->web_certificate) ||
	    !config_same(old->web_certificate_key, new->web_certificate_key))
		log_warnx("reload: [web] certificate changed; it takes effect "
		    "at the next start");
	free(new->web_listen);
	new->web_listen = xstrdup(old->web_listen);
	free(new->listen);
	new->listen = xstrdup(old->listen);
	free(new->socket);
	new->socket = old->socket != NULL ? xstrdup(old->socket) : NULL;
}
