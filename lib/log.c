/*
 * Logging for every meet program.  log_warn and fatal add strerror(errno);
 * log_warnx and fatalx do not.  Verbosity 0 prints warnings and info, 1 adds
 * debug.  A log line often names what another node or user sent: its
 * control characters are escaped (text_escape_buf), so that none reaches a
 * terminal or splits a line of the journal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "text.h"

static const char	*log_name = "meet";
static int		 log_verbose;
static int		 log_flags;

static void	log_vwrite(int, const char *, va_list, const char *);

void
log_init(const char *name, int verbose, int flags)
{
	log_name = name;
	log_verbose = verbose;
	log_flags = flags;
}

/* Set by the main thread, read by every thread. */
void
log_setverbose(int verbose)
{
	__atomic_store_n(&log_verbose, verbose, __ATOMIC_RELAXED);
}

int
log_getverbose(void)
{
	return __atomic_load_n(&log_verbose, __ATOMIC_RELAXED);
}

const char *
log_progname(void)
{
	return log_name;
}

static void
log_vwrite(int pri, const char *fmt, va_list ap, const char *error)
{
	char	raw[2048], msg[4 * sizeof raw];
	int	n;

	/* No allocation here: fatal() may be telling of memory running out. */
	n = vsnprintf(raw, sizeof raw, fmt, ap);
	if (n < 0)
		n = 0;
	text_escape_buf(raw, (size_t)n < sizeof raw ? (size_t)n :
	    sizeof raw - 1, 0, msg, sizeof msg);
	if (log_flags & LOG_PRIORITY) {
		if (error != NULL)
			fprintf(stderr, "<%d>%s: %s\n", pri, msg, error);
		else
			fprintf(stderr, "<%d>%s\n", pri, msg);
	} else {
		if (error != NULL)
			fprintf(stderr, "%s: %s: %s\n", log_name, msg, error);
		else
			fprintf(stderr, "%s: %s\n", log_name, msg);
	}
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_getverbose() < 1)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
