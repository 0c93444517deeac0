/*
 * What loadgen reads from /proc: a process's CPU time and resident
 * memory, one core's busy time, and the kernel's UDP error counters from
 * /proc/net/snmp (datagrams dropped on full receive buffers anywhere on
 * the machine: the node's, the relay's or loadgen's own sockets).
 *
 * CPU time comes two ways.  utime + stime of /proc/PID/stat are sampled at
 * the scheduler tick (250 Hz here), and a relay whose work comes in bursts
 * locked to loadgen's 1 ms timer can be missed by the tick again and
 * again: they are reported, but the figure used is the scheduler's exact
 * run time, the first field of /proc/PID/task/TID/schedstat summed over
 * the threads.  Both include the softirq work (loopback delivery to the
 * receiving socket) done in the process's system calls.  A core's busy
 * share is one minus its idle share: with NO_HZ idle time is measured,
 * not sampled.
 */
#include <sys/resource.h>
#include <sys/time.h>

#include <dirent.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"

static uint64_t	proc_runtime(pid_t);

void
proc_sample(pid_t pid, struct proc_sample *ps)
{
	char			 path[64], buf[2048], *p;
	FILE			*f;
	unsigned long long	 ut, st;
	long			 rss, tck = sysconf(_SC_CLK_TCK);
	size_t			 n;
	int			 field;

	memset(ps, 0, sizeof *ps);
	if (pid <= 0)
		return;
	ps->when = udpio_mono_ns();
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name may hold spaces and parentheses: fields follow the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return;
	p += 2;
	ut = st = 0;
	rss = 0;
	/* p is field 3 (state); utime 14, stime 15, rss 24. */
	for (field = 3; *p != '\0' && field <= 24; field++) {
		if (field == 14)
			ut = strtoull(p, NULL, 10);
		else if (field == 15)
			st = strtoull(p, NULL, 10);
		else if (field == 24)
			rss = strtol(p, NULL, 10);
		if ((p = strchr(p, ' ')) == NULL)
			break;
		p++;
	}
	ps->tick_ns = (ut + st) * (1000000000ULL / (unsigned long long)tck);
	ps->rss = (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
	ps->cpu_ns = proc_runtime(pid);
	ps->ok = 1;
}

double
proc_cpu_pct(const struct proc_sample *a, const struct proc_sample *b,
    int ticks)
{
	if (!a->ok || !b->ok || b->when <= a->when)
		return -1;
	return 100.0 * (double)(ticks ? b->tick_ns - a->tick_ns :
	    b->cpu_ns - a->cpu_ns) / (double)(b->when - a->when);
}

/* The run time of every thread of pid, ns, from the scheduler. */
static uint64_t
proc_runtime(pid_t pid)
{
	char			 path[300], buf[128];
	DIR			*d;
	struct dirent		*e;
	FILE			*f;
	uint64_t		 sum = 0;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/schedstat",
		    (int)pid, e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) != NULL)
			sum += strtoull(buf, NULL, 10);
		fclose(f);
	}
	closedir(d);
	return sum;
}

void
core_sample(int core, struct core_sample *cs)
{
	char			 line[512], want[32];
	FILE			*f;
	unsigned long long	 v[10];
	int			 n;

	memset(cs, 0, sizeof *cs);
	if (core < 0 || (f = fopen("/proc/stat", "r")) == NULL)
		return;
	cs->when = udpio_mono_ns();
	snprintf(want, sizeof want, "cpu%d ", core);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, want, strlen(want)) != 0)
			continue;
		memset(v, 0, sizeof v);
		n = sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu "
		    "%llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		    &v[6], &v[7]);
		if (n < 7)
			break;
		/* user nice system idle iowait irq softirq steal */
		cs->idle = v[3] + v[4];
		cs->softirq = v[6];
		cs->steal = v[7];
		cs->ok = 1;
		break;
	}
	fclose(f);
}

void
udp_counters_read(struct udp_counters *uc)
{
	char			 head[512], vals[512], *hs, *vs, *h, *v;
	FILE			*f;
	unsigned long long	 x;

	memset(uc, 0, sizeof *uc);
	if ((f = fopen("/proc/net/snmp", "r")) == NULL)
		return;
	while (fgets(head, sizeof head, f) != NULL) {
		if (strncmp(head, "Udp: ", 5) != 0)
			continue;
		if (fgets(vals, sizeof vals, f) == NULL)
			break;
		h = strtok_r(head + 5, " \n", &hs);
		v = strtok_r(vals + 5, " \n", &vs);
		while (h != NULL && v != NULL) {
			x = strtoull(v, NULL, 10);
			if (strcmp(h, "InErrors") == 0)
				uc->in_errors = x;
			else if (strcmp(h, "RcvbufErrors") == 0)
				uc->rcvbuf_errors = x;
			else if (strcmp(h, "SndbufErrors") == 0)
				uc->sndbuf_errors = x;
			h = strtok_r(NULL, " \n", &hs);
			v = strtok_r(NULL, " \n", &vs);
		}
		break;
	}
	fclose(f);
}

/* The busy share of a core between two samples, %; -1 when unknown. */
double
core_busy_pct(const struct core_sample *a, const struct core_sample *b)
{
	double	wall, idle;

	if (!a->ok || !b->ok || b->when <= a->when)
		return -1;
	wall = (double)(b->when - a->when) / 1e9;
	idle = (double)(b->idle - a->idle) / (double)sysconf(_SC_CLK_TCK);
	return idle > wall ? 0 : 100.0 * (1.0 - idle / wall);
}

/* The share of a core's time of field (softirq or steal), %. */
double
core_field_pct(uint64_t a, uint64_t b, const struct core_sample *s0,
    const struct core_sample *s1)
{
	double	wall;

	if (!s0->ok || !s1->ok || s1->when <= s0->when)
		return -1;
	wall = (double)(s1->when - s0->when) / 1e9;
	return 100.0 * (double)(b - a) / (double)sysconf(_SC_CLK_TCK) / wall;
}

/* This process's run time, ns, exact (the scheduler's). */
uint64_t
self_cpu_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
