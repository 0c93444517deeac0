/*
 * Browser participants: the page meetd serves on [web] listen and the
 * WebSocket the page speaks over.  web.c owns the listener and the
 * connections (HTTP for the page's files and downloads, then RFC 6455);
 * web-client.c is the participant behind a WebSocket, a local session
 * that the connection owns and whose every act is a command of the table;
 * the page's files are compiled in (web/embed.sh writes web-files.c).
 */
#ifndef MEETD_WEB_H
#define MEETD_WEB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The page's files, generated from web/ into the build. */
struct web_file {
	const char		*path;		/* "/index.html" */
	const char		*type;		/* Content-Type */
	const unsigned char	*data;
	size_t			 len;
};
extern const struct web_file web_files[];

#define WEB_SECRET_LEN	32	/* hex digits: 128 random bits */

/* web.c */
struct web_conn;
struct web_client;
int		 web_start(const char *, int, char **);
void		 web_stop(void);
const char	*web_address(void);
void		 web_send_json(struct web_conn *, json_t *);
void		 web_close(struct web_conn *, uint16_t, const char *);
struct web_conn	*web_conn_find(uint64_t);
uint64_t	 web_conn_id(struct web_conn *);
const char	*web_conn_secret(struct web_conn *);
const char	*web_conn_addr(struct web_conn *);
struct web_client *web_conn_client(struct web_conn *);
u_int		 web_conn_count(void);

void		 web_download_ready(struct web_conn *, int, const char *,
		     uint64_t);
void		 web_download_failed(struct web_conn *, int, const char *);

/* web-fetch.c */
struct web_fetch;
struct web_fetch *web_fetch_start(struct web_conn *, uint64_t, const char *,
		     char *, size_t);
void		 web_fetch_cancel(struct web_fetch *);

/* web-tls.c */
int		 web_tls_init(const char *, const char *, char **);
int		 web_tls_on(void);
struct ssl_st	*web_tls_new(void);
void		 web_tls_free(void);

/* web-client.c */
struct web_client *web_client_new(struct web_conn *);
void		 web_client_free(struct web_client *);
void		 web_client_message(struct web_client *, const char *, size_t);
int		 web_client_file(struct web_client *, const char *, int *,
		     char *, size_t, uint64_t *, char *, size_t);
uint64_t	 web_client_session(struct web_client *);

#endif
