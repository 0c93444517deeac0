/*
 * Logging for every meet program: one place decides where messages go.
 *
 * Messages go to stderr.  A daemon (log_init with LOG_PRIORITY) prefixes each
 * line with the syslog priority as "<N>", which systemd's journal reads; the
 * filters and meetctl print "prog: message" as users expect.
 */
#ifndef MEET_LOG_H
#define MEET_LOG_H

#include <stdarg.h>

#define LOG_PRIORITY	0x1	/* "<N>" prefixes for the journal */

void	log_init(const char *, int, int);
void	log_setverbose(int);
int	log_getverbose(void);
const char *log_progname(void);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
