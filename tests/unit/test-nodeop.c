/*
 * Unit tests for the node protocol's operations on the wire (meetd/nodeop.c):
 * each request and each reply packs and reads back to the same struct;
 * requests as a peer could send them are refused, with a reason naming the
 * operation and the field, for a missing field, a wrong type, a kind out of
 * range, ssrc 0, an id that is not a number, a name that is not a name and
 * a field left over; replies likewise, and a refusal's reason is kept only
 * when it is plain text.  The same checks refuse a bad struct built here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../meetd/nodeop.h"

static void	test_names(void **);
static void	test_track_round_trip(void **);
static void	test_untrack_round_trip(void **);
static void	test_sub_round_trip(void **);
static void	test_unsub_leave_round_trip(void **);
static void	test_request_refused(void **);
static void	test_check_local(void **);
static void	test_reply_track(void **);
static void	test_reply_sub(void **);
static void	test_reply_sub_refused(void **);
static void	test_reply_failure(void **);
static void	test_reply_refused(void **);
static json_t	*wire(const struct nodeop_req *);
static void	request_refused(const char *, const char *);
static void	reply_refused(enum nodeop_type, const char *, const char *);
static json_t	*parse(const char *);

static json_t *
parse(const char *s)
{
	json_error_t	 je;
	json_t		*o;

	o = json_loads(s, 0, &je);
	assert_non_null(o);
	return o;
}

/* req as it goes on a link: packed, with the envelope peer.c adds. */
static json_t *
wire(const struct nodeop_req *req)
{
	json_t	*o;

	o = nodeop_request_pack(req);
	json_object_set_new(o, "id", json_integer(17));
	json_object_set_new(o, "session",
	    json_string("0123456789abcdef0123456789abcdef"));
	return o;
}

/* The request s must be refused with exactly msg. */
static void
request_refused(const char *s, const char *msg)
{
	struct nodeop_req	 req;
	json_t			*o = parse(s);
	char			*cause = NULL;

	assert_int_equal(nodeop_request_unpack(o, &req, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, msg);
	free(cause);
	json_decref(o);
}

/* The reply s to an operation of type must be refused with exactly msg. */
static void
reply_refused(enum nodeop_type type, const char *s, const char *msg)
{
	struct nodeop_reply	 rep;
	json_t			*o = parse(s);
	char			*cause = NULL;

	assert_int_equal(nodeop_reply_unpack(o, type, &rep, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, msg);
	assert_null(rep.u.media_sub.tracks);
	free(cause);
	json_decref(o);
}

static void
test_names(void **state)
{
	enum nodeop_type	type;

	(void)state;
	assert_string_equal(nodeop_name(NODEOP_MEDIA_TRACK), "media_track");
	assert_string_equal(nodeop_name(NODEOP_LEAVE), "leave");
	assert_int_equal(nodeop_find("media_unsub", &type), 0);
	assert_int_equal(type, NODEOP_MEDIA_UNSUB);
	assert_int_equal(nodeop_find("leave", NULL), 0);
	/* The old commands, and the link's other requests, are not ops. */
	assert_int_equal(nodeop_find("media-track", NULL), -1);
	assert_int_equal(nodeop_find("cmd", NULL), -1);
	assert_int_equal(nodeop_find("join", NULL), -1);
	assert_int_equal(nodeop_needs_joined(NODEOP_MEDIA_TRACK), 1);
	assert_int_equal(nodeop_needs_joined(NODEOP_MEDIA_SUB), 1);
	assert_int_equal(nodeop_needs_joined(NODEOP_MEDIA_UNSUB), 0);
	assert_int_equal(nodeop_needs_joined(NODEOP_LEAVE), 0);
}

static void
test_track_round_trip(void **state)
{
	struct nodeop_req	 req, back;
	json_t			*o;
	char			*cause = NULL;

	(void)state;
	memset(&req, 0, sizeof req);
	req.type = NODEOP_MEDIA_TRACK;
	req.u.media_track.kind = MEDIA_SCREEN;
	o = wire(&req);
	assert_string_equal(json_string_value(json_object_get(o, "op")),
	    "media_track");
	assert_string_equal(json_string_value(json_object_get(o, "kind")),
	    "screen");
	assert_int_equal(json_object_size(o), 4);	/* id, op, session */
	assert_int_equal(nodeop_request_unpack(o, &back, &cause), 0);
	assert_null(cause);
	assert_int_equal(back.type, NODEOP_MEDIA_TRACK);
	assert_int_equal(back.u.media_track.kind, MEDIA_SCREEN);
	json_decref(o);
}

static void
test_untrack_round_trip(void **state)
{
	struct nodeop_req	 req, back;
	json_t			*o;
	char			*cause = NULL;

	(void)state;
	memset(&req, 0, sizeof req);
	req.type = NODEOP_MEDIA_UNTRACK;
	req.u.media_untrack.ssrc = 0xdeadbeef;
	o = wire(&req);
	assert_true(json_is_integer(json_object_get(o, "ssrc")));
	assert_int_equal(nodeop_request_unpack(o, &back, &cause), 0);
	assert_int_equal(back.type, NODEOP_MEDIA_UNTRACK);
	assert_true(back.u.media_untrack.ssrc == 0xdeadbeef);
	json_decref(o);
}

static void
test_sub_round_trip(void **state)
{
	struct nodeop_req	 req, back;
	json_t			*o;
	char			*cause = NULL;

	(void)state;
	memset(&req, 0, sizeof req);
	req.type = NODEOP_MEDIA_SUB;
	req.u.media_sub.kind = MEDIA_VIDEO;
	req.u.media_sub.sub = 1ULL << 40;
	strcpy(req.u.media_sub.from, "carol");
	o = wire(&req);
	assert_int_equal(nodeop_request_unpack(o, &back, &cause), 0);
	assert_int_equal(back.u.media_sub.kind, MEDIA_VIDEO);
	assert_true(back.u.media_sub.sub == 1ULL << 40);
	assert_string_equal(back.u.media_sub.from, "carol");
	json_decref(o);

	/* Everyone: no from on the wire, "" after. */
	req.u.media_sub.kind = MEDIA_AUDIO;
	req.u.media_sub.from[0] = '\0';
	o = wire(&req);
	assert_null(json_object_get(o, "from"));
	memset(&back, 0xff, sizeof back);
	assert_int_equal(nodeop_request_unpack(o, &back, &cause), 0);
	assert_int_equal(back.u.media_sub.kind, MEDIA_AUDIO);
	assert_string_equal(back.u.media_sub.from, "");
	json_decref(o);
}

static void
test_unsub_leave_round_trip(void **state)
{
	struct nodeop_req	 req, back;
	json_t			*o;
	char			*cause = NULL;

	(void)state;
	memset(&req, 0, sizeof req);
	req.type = NODEOP_MEDIA_UNSUB;
	req.u.media_unsub.sub = 42;
	o = wire(&req);
	assert_int_equal(nodeop_request_unpack(o, &back, &cause), 0);
	assert_int_equal(back.type, NODEOP_MEDIA_UNSUB);
	assert_true(back.u.media_unsub.sub == 42);
	json_decref(o);

	memset(&req, 0, sizeof req);
	req.type = NODEOP_LEAVE;
	o = wire(&req);
	assert_int_equal(json_object_size(o), 3);
	assert_int_equal(nodeop_request_unpack(o, &back, &cause), 0);
	assert_int_equal(back.type, NODEOP_LEAVE);
	json_decref(o);
}

/* What a broken or hostile node might send. */
static void
test_request_refused(void **state)
{
	(void)state;
	request_refused("{\"id\": 1}", "request: no op");
	request_refused("{\"id\": 1, \"op\": 5}", "request: no op");
	request_refused("{\"id\": 1, \"op\": \"media-track\"}",
	    "request: unknown op");

	/* Missing fields. */
	request_refused("{\"op\": \"media_track\"}",
	    "media_track: missing field kind");
	request_refused("{\"op\": \"media_sub\", \"kind\": \"audio\"}",
	    "media_sub: missing field sub");
	request_refused("{\"op\": \"media_untrack\"}",
	    "media_untrack: missing field ssrc");

	/* Wrong types, and ids that are not numbers. */
	request_refused("{\"op\": \"media_track\", \"kind\": 0}",
	    "media_track: field kind is not a string");
	request_refused("{\"op\": \"media_untrack\", \"ssrc\": \"12345\"}",
	    "media_untrack: field ssrc is not an integer");
	request_refused("{\"op\": \"media_unsub\", \"sub\": \"7\"}",
	    "media_unsub: field sub is not an integer");
	request_refused("{\"op\": \"media_unsub\", \"sub\": 7.5}",
	    "media_unsub: field sub is not an integer");
	request_refused("{\"op\": \"media_sub\", \"kind\": \"video\", "
	    "\"sub\": [1]}", "media_sub: field sub is not an integer");

	/* Out of range. */
	request_refused("{\"op\": \"media_track\", \"kind\": \"mix\"}",
	    "media_track: field kind is mix, not one of audio, video, "
	    "screen");
	request_refused("{\"op\": \"media_sub\", \"kind\": \"screen\", "
	    "\"sub\": 3}", "media_sub: kind screen is not audio or video");
	request_refused("{\"op\": \"media_untrack\", \"ssrc\": 0}",
	    "media_untrack: ssrc 0 is no stream");
	request_refused("{\"op\": \"media_untrack\", \"ssrc\": 4294967296}",
	    "media_untrack: field ssrc is 4294967296, not 0 to 4294967295");
	request_refused("{\"op\": \"media_untrack\", \"ssrc\": -1}",
	    "media_untrack: field ssrc is -1, not 0 to 4294967295");
	request_refused("{\"op\": \"media_unsub\", \"sub\": 0}",
	    "media_unsub: sub 0 is no recv");
	request_refused("{\"op\": \"media_sub\", \"kind\": \"audio\", "
	    "\"sub\": -4}",
	    "media_sub: field sub is -4, not 0 to 9223372036854775807");

	/* Names that are not names. */
	request_refused("{\"op\": \"media_sub\", \"kind\": \"audio\", "
	    "\"sub\": 3, \"from\": \"../etc\"}",
	    "media_sub: field from is not a valid name");
	request_refused("{\"op\": \"media_sub\", \"kind\": \"audio\", "
	    "\"sub\": 3, \"from\": \"\"}",
	    "media_sub: field from is not a valid name");
	request_refused("{\"op\": \"media_sub\", \"kind\": \"audio\", "
	    "\"sub\": 3, \"from\": null}",
	    "media_sub: field from is not a string");

	/* Leftovers. */
	request_refused("{\"op\": \"media_track\", \"kind\": \"audio\", "
	    "\"ssrc\": 5}", "media_track: unknown field ssrc");
	request_refused("{\"op\": \"leave\", \"why\": \"bored\"}",
	    "leave: unknown field why");
	request_refused("{\"op\": \"media_unsub\", \"sub\": 1, "
	    "\"\\u001b[2J\": 1}",
	    "media_unsub: a field whose key is not a name");

	/* Not an object at all. */
	request_refused("[\"media_track\"]", "request: no op");
}

/* A struct built on this node passes the same checks (nodeop_call). */
static void
test_check_local(void **state)
{
	struct nodeop_req	 req;
	char			*cause = NULL;

	(void)state;
	memset(&req, 0, sizeof req);
	req.type = NODEOP_MEDIA_TRACK;
	req.u.media_track.kind = MEDIA_MIX;
	assert_int_equal(nodeop_check(&req, &cause), -1);
	assert_string_equal(cause, "media_track: kind mix is not audio, "
	    "video or screen");
	free(cause);

	memset(&req, 0, sizeof req);
	req.type = NODEOP_MEDIA_SUB;
	req.u.media_sub.kind = MEDIA_AUDIO;
	req.u.media_sub.sub = 1;
	strcpy(req.u.media_sub.from, "no spaces");
	assert_int_equal(nodeop_check(&req, &cause), -1);
	assert_string_equal(cause, "media_sub: from is not a valid name");
	free(cause);

	req.u.media_sub.from[0] = '\0';
	req.u.media_sub.sub = (uint64_t)INT64_MAX + 1;
	assert_int_equal(nodeop_check(&req, &cause), -1);
	assert_string_equal(cause, "media_sub: sub 9223372036854775808 is "
	    "no recv");
	free(cause);

	req.u.media_sub.sub = 8;
	cause = NULL;
	assert_int_equal(nodeop_check(&req, &cause), 0);
	assert_null(cause);

	memset(&req, 0, sizeof req);
	req.type = NODEOP_MAX;
	assert_int_equal(nodeop_check(&req, &cause), -1);
	free(cause);
}

static void
test_reply_track(void **state)
{
	struct nodeop_reply	 rep, back;
	json_t			*o;
	char			*cause = NULL;

	(void)state;
	nodeop_reply_init(&rep, NODEOP_MEDIA_TRACK);
	rep.u.media_track.ssrc = 0x01020304;
	o = nodeop_reply_pack(&rep);
	json_object_set_new(o, "id", json_integer(3));
	assert_null(json_object_get(o, "error"));
	assert_int_equal(nodeop_reply_unpack(o, NODEOP_MEDIA_TRACK, &back,
	    &cause), 0);
	assert_int_equal(back.code, EXIT_DONE);
	assert_string_equal(back.error, "");
	assert_true(back.u.media_track.ssrc == 0x01020304);
	json_decref(o);

	reply_refused(NODEOP_MEDIA_TRACK, "{\"id\": 3, \"code\": 0}",
	    "media_track reply: missing field ssrc");
	reply_refused(NODEOP_MEDIA_TRACK, "{\"code\": 0, \"ssrc\": 0}",
	    "media_track reply: ssrc 0 is no stream");
	reply_refused(NODEOP_MEDIA_TRACK, "{\"code\": 0, \"ssrc\": \"9\"}",
	    "media_track reply: field ssrc is not an integer");
	reply_refused(NODEOP_MEDIA_TRACK, "{\"code\": 0, \"ssrc\": 9, "
	    "\"out\": \"{}\"}", "media_track reply: unknown field out");
	reply_refused(NODEOP_MEDIA_TRACK, "{\"ssrc\": 9}",
	    "media_track reply: missing field code");
	reply_refused(NODEOP_MEDIA_TRACK, "{\"code\": 256}",
	    "media_track reply: field code is 256, not 0 to 255");
	/* Replies to ops with no fields have none either. */
	reply_refused(NODEOP_MEDIA_UNTRACK, "{\"code\": 0, \"ssrc\": 9}",
	    "media_untrack reply: unknown field ssrc");
}

static void
test_reply_sub(void **state)
{
	struct nodeop_reply	 rep, back;
	json_t			*o;
	char			*cause = NULL;

	(void)state;
	nodeop_reply_init(&rep, NODEOP_MEDIA_SUB);
	rep.u.media_sub.mix_ssrc = 77;
	rep.u.media_sub.ntracks = 2;
	rep.u.media_sub.tracks = calloc(2, sizeof *rep.u.media_sub.tracks);
	strcpy(rep.u.media_sub.tracks[0].name, "alice");
	rep.u.media_sub.tracks[0].kind = MEDIA_AUDIO;
	rep.u.media_sub.tracks[0].ssrc = 1000;
	strcpy(rep.u.media_sub.tracks[1].name, "carol");
	rep.u.media_sub.tracks[1].kind = MEDIA_SCREEN;
	rep.u.media_sub.tracks[1].ssrc = 2000;
	o = nodeop_reply_pack(&rep);
	nodeop_reply_clear(&rep);
	assert_null(rep.u.media_sub.tracks);
	assert_int_equal(nodeop_reply_unpack(o, NODEOP_MEDIA_SUB, &back,
	    &cause), 0);
	assert_int_equal(back.u.media_sub.mix_ssrc, 77);
	assert_int_equal(back.u.media_sub.ntracks, 2);
	assert_string_equal(back.u.media_sub.tracks[0].name, "alice");
	assert_int_equal(back.u.media_sub.tracks[0].kind, MEDIA_AUDIO);
	assert_int_equal(back.u.media_sub.tracks[0].ssrc, 1000);
	assert_string_equal(back.u.media_sub.tracks[1].name, "carol");
	assert_int_equal(back.u.media_sub.tracks[1].kind, MEDIA_SCREEN);
	assert_int_equal(back.u.media_sub.tracks[1].ssrc, 2000);
	nodeop_reply_clear(&back);
	json_decref(o);

	/* No tracks, no mix (video). */
	o = parse("{\"code\": 0, \"mix_ssrc\": 0, \"tracks\": []}");
	assert_int_equal(nodeop_reply_unpack(o, NODEOP_MEDIA_SUB, &back,
	    &cause), 0);
	assert_int_equal(back.u.media_sub.ntracks, 0);
	assert_null(back.u.media_sub.tracks);
	json_decref(o);
}

static void
test_reply_sub_refused(void **state)
{
	json_t	*o, *a;
	char	*s, *cause = NULL;
	struct nodeop_reply	 rep;
	int	 i;

	(void)state;
	reply_refused(NODEOP_MEDIA_SUB, "{\"code\": 0, \"mix_ssrc\": 1}",
	    "media_sub reply: missing field tracks");
	reply_refused(NODEOP_MEDIA_SUB, "{\"code\": 0, \"mix_ssrc\": 1, "
	    "\"tracks\": {}}", "media_sub reply: field tracks is not an array");
	reply_refused(NODEOP_MEDIA_SUB, "{\"code\": 0, \"mix_ssrc\": 1, "
	    "\"tracks\": [5]}", "media_sub reply: tracks[0] is not an object");
	reply_refused(NODEOP_MEDIA_SUB, "{\"code\": 0, \"mix_ssrc\": 1, "
	    "\"tracks\": [{\"name\": \"a\", \"kind\": \"audio\", "
	    "\"ssrc\": 4}, {\"name\": \"b c\", \"kind\": \"audio\", "
	    "\"ssrc\": 5}]}",
	    "media_sub reply: tracks[1]: field name is not a valid name");
	reply_refused(NODEOP_MEDIA_SUB, "{\"code\": 0, \"mix_ssrc\": 1, "
	    "\"tracks\": [{\"name\": \"a\", \"kind\": \"mix\", \"ssrc\": 4}]}",
	    "media_sub reply: tracks[0]: field kind is mix, not one of "
	    "audio, video, screen");
	reply_refused(NODEOP_MEDIA_SUB, "{\"code\": 0, \"mix_ssrc\": 1, "
	    "\"tracks\": [{\"name\": \"a\", \"kind\": \"audio\", "
	    "\"ssrc\": 0}]}", "media_sub reply: tracks[0]: ssrc 0 is no "
	    "stream");
	reply_refused(NODEOP_MEDIA_SUB, "{\"code\": 0, \"mix_ssrc\": 1, "
	    "\"tracks\": [{\"name\": \"a\", \"kind\": \"audio\", "
	    "\"ssrc\": 4, \"x\": 1}]}",
	    "media_sub reply: tracks[0]: unknown field x");
	reply_refused(NODEOP_MEDIA_SUB, "{\"code\": 0, \"mix_ssrc\": -1, "
	    "\"tracks\": []}",
	    "media_sub reply: field mix_ssrc is -1, not 0 to 4294967295");

	/* One track more than a reply may carry. */
	a = json_array();
	for (i = 0; i <= NODEOP_MAX_TRACKS; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:i}", "name",
		    "a", "kind", "audio", "ssrc", i + 1));
	o = json_pack("{s:i,s:i,s:o}", "code", 0, "mix_ssrc", 0, "tracks", a);
	s = json_dumps(o, 0);
	json_decref(o);
	reply_refused(NODEOP_MEDIA_SUB, s,
	    "media_sub reply: field tracks has more than 4096 elements");
	free(s);

	/* The arrays already read are freed when a later element is bad. */
	o = parse("{\"code\": 0, \"mix_ssrc\": 1, \"tracks\": ["
	    "{\"name\": \"a\", \"kind\": \"audio\", \"ssrc\": 4}, 7]}");
	assert_int_equal(nodeop_reply_unpack(o, NODEOP_MEDIA_SUB, &rep,
	    &cause), -1);
	assert_int_equal(rep.u.media_sub.ntracks, 0);
	free(cause);
	json_decref(o);
}

/* Refusals: the reason, and no fields. */
static void
test_reply_failure(void **state)
{
	struct nodeop_reply	 rep, back;
	json_t			*o;
	char			*cause = NULL;

	(void)state;
	nodeop_reply_init(&rep, NODEOP_MEDIA_TRACK);
	rep.u.media_track.ssrc = 5;
	nodeop_reply_fail(&rep, EXIT_REFUSED, "%s already sends %s", "bob",
	    "audio");
	assert_int_equal(rep.u.media_track.ssrc, 0);
	o = nodeop_reply_pack(&rep);
	assert_null(json_object_get(o, "ssrc"));
	assert_int_equal(nodeop_reply_unpack(o, NODEOP_MEDIA_TRACK, &back,
	    &cause), 0);
	assert_int_equal(back.code, EXIT_REFUSED);
	assert_string_equal(back.error, "bob already sends audio");
	json_decref(o);

	/* A failure is never EXIT_DONE. */
	nodeop_reply_fail(&rep, EXIT_DONE, "oops");
	assert_int_equal(rep.code, EXIT_REFUSED);

	/* What peer.c makes up when the link fails. */
	o = parse("{\"code\": 1, \"err\": \"link to h:1 lost: eof\\n\"}");
	assert_int_equal(nodeop_reply_unpack(o, NODEOP_MEDIA_SUB, &back,
	    &cause), 0);
	assert_int_equal(back.code, 1);
	assert_string_equal(back.error, "link to h:1 lost: eof");
	json_decref(o);

	/* No reason given. */
	o = parse("{\"id\": 2, \"code\": 2}");
	assert_int_equal(nodeop_reply_unpack(o, NODEOP_MEDIA_UNSUB, &back,
	    &cause), 0);
	assert_int_equal(back.code, 2);
	assert_string_equal(back.error, "media_unsub refused, with no reason");
	json_decref(o);

	/* A reason that would drive a terminal is not passed on. */
	o = parse("{\"code\": 1, \"error\": \"\\u001b[31mgotcha\"}");
	assert_int_equal(nodeop_reply_unpack(o, NODEOP_MEDIA_TRACK, &back,
	    &cause), 0);
	assert_string_equal(back.error, "media_track refused, with a reason "
	    "that is not plain text");
	json_decref(o);
}

static void
test_reply_refused(void **state)
{
	char	 big[2000];

	(void)state;
	reply_refused(NODEOP_MEDIA_TRACK, "{\"code\": 1, \"error\": 3}",
	    "media_track reply: field error is not a string");
	reply_refused(NODEOP_MEDIA_TRACK, "{\"code\": 1, \"error\": \"no\", "
	    "\"ssrc\": 4}", "media_track reply: unknown field ssrc");
	reply_refused(NODEOP_MEDIA_TRACK, "{\"code\": \"0\"}",
	    "media_track reply: field code is not an integer");
	reply_refused(NODEOP_MEDIA_TRACK, "[\"done\"]",
	    "media_track reply is not an object");
	memset(big, 'x', sizeof big);
	memcpy(big, "{\"code\": 1, \"error\": \"", 22);
	memcpy(big + sizeof big - 3, "\"}", 3);
	reply_refused(NODEOP_MEDIA_TRACK, big,
	    "media_track reply: field error is longer than 1024 bytes");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_track_round_trip),
		cmocka_unit_test(test_untrack_round_trip),
		cmocka_unit_test(test_sub_round_trip),
		cmocka_unit_test(test_unsub_leave_round_trip),
		cmocka_unit_test(test_request_refused),
		cmocka_unit_test(test_check_local),
		cmocka_unit_test(test_reply_track),
		cmocka_unit_test(test_reply_sub),
		cmocka_unit_test(test_reply_sub_refused),
		cmocka_unit_test(test_reply_failure),
		cmocka_unit_test(test_reply_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
