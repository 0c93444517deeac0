/*
 * The participants loadgen plays: their roles in each room (cameras,
 * speakers, the clicker, listeners that decode their mix, whom each one
 * watches), their receiving sockets, and their making and unmaking in
 * meetd through meetctl (node.c).  loadgen.c, at the top, says who does
 * what.
 */
#include <sys/epoll.h>

#include <arpa/inet.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

#include "loadgen.h"

static void	part_listen(struct part *, int, const struct in_addr *, int);

/*
 * Its sockets, at port P and (when it watches a camera) P + 2, in epoll
 * with its index n shifted left once and the low bit set for video.
 */
static void
part_listen(struct part *p, int n, const struct in_addr *addr, int ep)
{
	struct epoll_event	ev;

	if (udpio_bind_pair(addr, p->watch >= 0, &p->afd, &p->vfd,
	    &p->port) != 0)
		fatal("no UDP port pair for %s", p->name);
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)n << 1;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, p->afd, &ev) != 0)
		fatal("epoll_ctl");
	if (p->vfd != -1) {
		ev.data.u64 = (uint64_t)n << 1 | 1;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, p->vfd, &ev) != 0)
			fatal("epoll_ctl");
	}
}

/* Participants, their roles and sockets (loadgen.h, struct part). */
void
parts_setup(struct load *l, const struct in_addr *addr, int decoders,
    int ep)
{
	struct part		*p;
	struct cam		*c;
	int			 r, i, n, dec;

	l->addr = *addr;
	l->nparts = l->rooms * l->per_room;
	l->parts = xcalloc((size_t)l->nparts, sizeof *l->parts);
	l->ncams = l->rooms * l->cameras;
	l->cams = xcalloc((size_t)l->ncams + 1, sizeof *l->cams);
	l->lrooms = xcalloc((size_t)l->rooms, sizeof *l->lrooms);
	for (r = 0; r < l->rooms; r++) {
		dec = l->speakers > 0 ? decoders : 0;
		for (i = l->per_room - 1; i >= 0; i--) {
			n = r * l->per_room + i;
			p = &l->parts[n];
			p->room = r;
			p->idx = i;
			snprintf(p->name, sizeof p->name, "p%d", i);
			p->cam = i < l->cameras ? r * l->cameras + i : -1;
			p->watch = -1;
			if (l->cameras > 0 && i >= l->cameras)
				p->watch = r * l->cameras + i % l->cameras;
			else if (l->cameras > 1)
				p->watch = r * l->cameras +
				    (i + 1) % l->cameras;
			if (i < l->speakers)
				p->voice = i == 0 ? VOICE_CLICK : VOICE_SPEECH;
			else
				p->voice = l->all_send ? VOICE_QUIET :
				    VOICE_NONE;
			/* Listeners decode; the clicker hears no click. */
			if (dec > 0 && i != 0) {
				p->cf = click_finder_new();
				dec--;
			}
			track_init(&p->mix, TRACK_MIX, &l->mhist);
			track_init(&p->video, TRACK_VIDEO, &l->vhist);
			part_listen(p, n, addr, ep);
			p->a_ssrc = arc4random();
			p->a_seq = (uint16_t)arc4random();
			p->a_ts = arc4random();
			if (p->cam >= 0) {
				c = &l->cams[p->cam];
				c->part = n;
				c->id = (uint32_t)p->cam;
				c->ssrc = arc4random();
				c->seq = (uint16_t)arc4random();
				c->ts = arc4random();
			}
		}
		snprintf(l->lrooms[r].name, LG_NAME_MAX, "%s-r%d",
		    l->prefix, r);
		snprintf(l->lrooms[r].host, LG_NAME_MAX, "%s-h%d",
		    l->prefix, r);
	}
}

/* Rooms and plain-RTP participants in meetd, through meetctl. */
int
parts_meetd_add(struct load *l, volatile sig_atomic_t *quit)
{
	struct part		*p;
	struct lroom		*lr;
	struct sockaddr_in	 peer;
	char			 from[LG_NAME_MAX];
	int			 r, i;
	uint64_t		 t0 = udpio_mono_ns();

	for (r = 0; r < l->rooms && !*quit; r++) {
		lr = &l->lrooms[r];
		if (node_room_create(lr->name, lr->host) != 0)
			return -1;
		lr->created = 1;
		for (i = 0; i < l->per_room && !*quit; i++) {
			p = &l->parts[r * l->per_room + i];
			memset(&peer, 0, sizeof peer);
			peer.sin_family = AF_INET;
			peer.sin_port = htons(p->port);
			peer.sin_addr = l->addr;
			if (p->watch >= 0)
				snprintf(from, sizeof from, "p%d",
				    l->parts[l->cams[p->watch].part].idx);
			if (node_rtp_add(lr->host, p->name, &peer,
			    p->watch >= 0 ? from : NULL, &p->send_to) != 0)
				return -1;
		}
	}
	fprintf(stderr, "loadgen: %d rooms, %d plain-RTP participants made "
	    "with meetctl in %.1f s\n", l->rooms, l->nparts,
	    (double)(udpio_mono_ns() - t0) / 1e9);
	return *quit ? -1 : 0;
}

void
parts_meetd_end(struct load *l)
{
	int	r;

	for (r = 0; r < l->rooms; r++) {
		if (l->lrooms[r].created)
			node_room_end(l->lrooms[r].host);
		l->lrooms[r].created = 0;
	}
}
