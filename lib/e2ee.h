/*
 * End-to-end encrypted rooms: the room's keys and SFrame (RFC 9605) sealing
 * of media frames, chat messages and shared files by the sender's node, so
 * that the hosting node forwards and stores what it cannot read.
 *
 * Keys, from the passphrase down:
 *
 *   passphrase	the first line of the --key-file (e2ee_passphrase_read)
 *   root	Argon2id (libsodium's crypto_pwhash) of the passphrase, its
 *		salt the BLAKE2b-128 of the room's name and 16-byte id
 *		(e2ee_root_derive); every member computes it alone
 *   epoch N	HKDF-SHA256 (OpenSSL's EVP_KDF): Extract(salt = the epoch's
 *		salt, IKM = root), then Expand(info = "meet e2ee epoch" ||
 *		N as 4 bytes big-endian, 32 bytes) (e2ee_epoch_secret)
 *   base key	HKDF-Expand(epoch secret, "meet sframe" || KID as 8 bytes
 *		big-endian, 32 bytes), one per sender and stream
 *		(e2ee_base_key)
 *   key, salt	RFC 9605 section 4.4.2 unchanged for AES_128_GCM_SHA256_128
 *		(cipher suite 0x0004): sframe_key (16 bytes) and sframe_salt
 *		(12) from the base key and KID (e2ee_key_salt)
 *
 * Epochs.  The salt of every epoch, epoch 0 included, is 32 random bytes
 * drawn by the host's node when the room is made and again whenever a
 * member joins or leaves.  It goes to each member present in a box of its
 * own (e2ee_salt_seal: libsodium's crypto_box, X25519 and
 * XSalsa20-Poly1305, from the host member's key pair to the member's,
 * e2ee_member_key_make), so that the hub, which relays the boxes, never has
 * it in the clear, and a member gets the salts only of the epochs during
 * which it is in the room.  A member who left knows the passphrase, hence
 * the root, but never sees the next epoch's salt, so it cannot compute
 * what comes after; a late joiner is given the salt of the epoch that its
 * arrival starts and no earlier one, and each epoch's secret depends on
 * nothing but the root and that epoch's salt, so it cannot compute what
 * came before.  The box is authenticated by the host's key, which a member
 * learns once and keeps for the room: neither the hub nor one who left
 * (nor the two together) can start an epoch whose salt they chose.  What
 * this does not stop: a hub that, with someone who has the passphrase,
 * shows a member who joins then a host key of theirs (the tag proves the
 * passphrase, not who holds it).  Each
 * member announces its public key with a tag under a key from the root
 * (e2ee_member_tag), so the host's node seals salts only to members who
 * know the passphrase, and can tell a member whose passphrase is wrong.
 *
 * Key ids.  A KID names sender, stream and epoch, so that a receiver finds
 * the key from the header alone and tells "not a key I have" from "a key
 * that does not open this" (E2EE_ERR_EPOCH, E2EE_ERR_KID, E2EE_ERR_AUTH):
 *
 *	bits 0-15	the epoch, modulo 65536
 *	bits 16-19	the stream (enum e2ee_stream)
 *	bits 20-43	the sender: 24 random bits that the member's node draws
 *			when it joins, unique among the room's members (a
 *			node draws again when its id is taken, and takes no
 *			roster in which two members claim one)
 *
 * The sender id is drawn by the sender's own node, never assigned by the
 * hub, so that the hub cannot give two senders one key and make them reuse
 * a (key, nonce) pair; a rejoin draws a new one, so its counters restart at
 * 0 under new keys.  Each stream has its own KID, so the audio, video and
 * chat of one member count on separate counters (separate threads).
 *
 * A sealed frame (RFC 9605 section 4.2): the SFrame header (its config byte,
 * then KID and CTR in the fewest big-endian bytes, section 4.3), then the
 * AES-128-GCM ciphertext of the payload and its 16-byte tag.  The AAD is the
 * header followed by the metadata that the relay reads in the clear
 * (e2ee_meta_*): its first byte is the stream, so that nothing sealed for
 * one use opens as another.  The nonce is sframe_salt XOR CTR, CTR counting
 * from 0 per KID (section 4.4.3).
 *
 * Departures from RFC 9605: the base keys come from the epoch secret as
 * above (section 5 leaves key management to the application, and this is
 * neither its sender-key nor its MLS scheme, though the KID layout borrows
 * MLS's idea of an epoch in the low bits); and the metadata is framed as
 * e2ee_meta_* say.  From base key to ciphertext it is RFC 9605, and
 * appendix C's vectors for suite 0x0004 check it.
 *
 * Threads: a sender and a keyring are not locked; each is used by one
 * thread (a media worker owns the ones of its streams; the control thread
 * owns the ones for chat and files).  The other functions keep no state.
 */
#ifndef MEET_E2EE_H
#define MEET_E2EE_H

#include <stddef.h>
#include <stdint.h>

#define E2EE_PASSPHRASE_MAX	1024	/* bytes, without the newline */
#define E2EE_NAME_MAX		255	/* a room or member name, here */
#define E2EE_ROOM_ID_LEN	16
#define E2EE_SECRET_LEN		32	/* root, epoch secret, base key */
#define E2EE_SALT_LEN		32	/* an epoch's salt */
#define E2EE_SALT_BOX_LEN	76	/* nonce, MAC, epoch (4), salt */
#define E2EE_MEMBER_PK_LEN	32	/* X25519 */
#define E2EE_MEMBER_TAG_LEN	32	/* HMAC-SHA256 */
#define E2EE_KEY_LEN		16	/* sframe_key: AES-128 */
#define E2EE_NONCE_LEN		12	/* sframe_salt, and the nonce */
#define E2EE_TAG_LEN		16
#define E2EE_HEADER_MAX		17	/* config byte, KID and CTR of 8 */
#define E2EE_OVERHEAD_MAX	(E2EE_HEADER_MAX + E2EE_TAG_LEN)
#define E2EE_SUITE		0x0004	/* AES_128_GCM_SHA256_128 */

/*
 * Argon2id's cost, fixed: a member's node and the others must agree, so it
 * is not configurable.  RFC 9106's second recommended option (3 passes over
 * 64 MiB), with libsodium's one lane: about 85 ms on the machine where it
 * was chosen (a 2-core x86-64 VM; 150 ms while others loaded it), memory
 * that is freed at once after.
 */
#define E2EE_PWHASH_OPSLIMIT	3ULL
#define E2EE_PWHASH_MEMLIMIT	((size_t)64 * 1024 * 1024)

#define E2EE_EPOCH_BITS		16
#define E2EE_EPOCH_MASK		0xffffU
#define E2EE_SENDER_BITS	24
#define E2EE_SENDER_MASK	0xffffffU
#define E2EE_KID_SHIFT_STREAM	16
#define E2EE_KID_SHIFT_SENDER	20

/* What a KID's stream is; the first byte of every frame's metadata. */
enum e2ee_stream {
	E2EE_STREAM_AUDIO = 1,		/* an Opus packet */
	E2EE_STREAM_VIDEO = 2,		/* a JPEG image, before packetization */
	E2EE_STREAM_SCREEN = 3,		/* likewise */
	E2EE_STREAM_CHAT = 4,		/* chat text and reactions */
	E2EE_STREAM_FILE = 5		/* a shared file's chunks */
};
#define E2EE_STREAM_MAX		15	/* 4 bits */

/*
 * Results: 0, or one of these (e2ee_strerror names them), apart so that a
 * node counts drops by reason, and raises `undecryptable' naming the sender
 * for the first three when they last (a wrong passphrase is
 * E2EE_ERR_AUTH), never for a replay or a malformed frame.
 */
#define E2EE_ERR_EPOCH		-1	/* no secret for the KID's epoch */
#define E2EE_ERR_KID		-2	/* a sender or stream not known */
#define E2EE_ERR_AUTH		-3	/* the tag failed: key or tampering */
#define E2EE_ERR_REPLAY		-4	/* a CTR seen before, or too old */
#define E2EE_ERR_MALFORMED	-5	/* not an SFrame header and tag */
#define E2EE_ERR_ROOM		-6	/* the output buffer is too small */
#define E2EE_ERR_TRUNCATED	-7	/* a sealed file without its end */
#define E2EE_ERR_FAIL		-8	/* the library failed otherwise */

/* How far back a receiver takes frames out of order, in CTRs. */
#define E2EE_REPLAY_WINDOW	128
#define E2EE_SENDERS_MAX	1024	/* a keyring's senders */
#define E2EE_EPOCHS_MAX		1024	/* a keyring's epochs */
#define E2EE_RECV_MAX		4096	/* a keyring's derived keys */

/* Where a member's passphrase comes from: see e2ee_passphrase_read. */
struct e2ee_passphrase {
	char			 text[E2EE_PASSPHRASE_MAX + 1];
	size_t			 len;
};

/*
 * A member's key pair for epoch salts, made by its node when it joins; the
 * secret half never leaves that node.
 */
struct e2ee_member_key {
	uint8_t			 pk[E2EE_MEMBER_PK_LEN];
	uint8_t			 sk[32];
};

/* What e2ee_open found, on success and on the errors that name a KID. */
struct e2ee_opened {
	uint64_t		 kid;
	uint64_t		 ctr;
	uint32_t		 sender;
	uint32_t		 epoch;		/* modulo 65536 */
	enum e2ee_stream	 stream;
};

struct e2ee_sender;
struct e2ee_keyring;

const char	*e2ee_strerror(int);
/*
 * HKDF-SHA256 for e2ee*.c: mode is OpenSSL's EVP_KDF_HKDF_MODE_*; a salt
 * or info of length 0 is none.  0, or E2EE_ERR_FAIL.
 */
int		 e2ee_hkdf(int, const uint8_t *, size_t, const uint8_t *,
		     size_t, const uint8_t *, size_t, uint8_t *, size_t);

/*
 * The passphrase of a key file: its first line, without the newline (and
 * without a carriage return before it); what follows is ignored.  Refused,
 * with *cause naming the file: not a regular file; readable or writable by
 * group or others (as ssh refuses a private key: chmod 600); an empty first
 * line; a first line longer than E2EE_PASSPHRASE_MAX bytes or holding a
 * NUL.  Spaces are kept: they are part of the passphrase.  The _fd form
 * reads an open descriptor (what a client passed) and names it name.
 */
int		 e2ee_passphrase_read(const char *, struct e2ee_passphrase *,
		     char **);
int		 e2ee_passphrase_read_fd(int, const char *,
		     struct e2ee_passphrase *, char **);
void		 e2ee_passphrase_clear(struct e2ee_passphrase *);

/*
 * The room's root secret: crypto_pwhash (Argon2id v1.3, the costs above) of
 * the passphrase, its 16-byte salt the unkeyed BLAKE2b (crypto_generichash)
 * of "meet e2ee room" || the name's length (1 byte) || the name || the
 * room's 16-byte id (e2ee_pwhash_salt, E2EE_ERR_FAIL for a name over 255
 * bytes).  Costly (E2EE_PWHASH_*): call it off the event loop.  0, or
 * E2EE_ERR_FAIL when memory is short.
 */
int		 e2ee_pwhash_salt(const char *, const uint8_t *, uint8_t *);
int		 e2ee_root_derive(const struct e2ee_passphrase *, const char *,
		     const uint8_t *, uint8_t *);

/* Epochs: a fresh salt, and an epoch's secret from the root and salt. */
void		 e2ee_epoch_salt_make(uint8_t *);
int		 e2ee_epoch_secret(const uint8_t *, uint32_t, const uint8_t *,
		     uint8_t *);

/*
 * Member keys and the salts sealed to them.  e2ee_member_tag is
 * HMAC-SHA256 under HKDF-Expand(root, "meet e2ee member", 32) of the
 * sender id (4 bytes) || the public key || the member's name; the host's
 * node checks it (e2ee_member_tag_check, in constant time) before it
 * seals a salt to that key.  e2ee_salt_seal: the epoch (4 bytes) and its
 * salt, boxed from the host's key pair to a member's public key, after a
 * random 24-byte nonce.  e2ee_salt_open, with the member's key pair and
 * the host's public key: 0 with the epoch and salt (the epoch to use is
 * the one inside the box, not what the hub said), or E2EE_ERR_AUTH for a
 * box not from the host, not for this key, or altered.
 */
void		 e2ee_member_key_make(struct e2ee_member_key *);
void		 e2ee_member_key_clear(struct e2ee_member_key *);
int		 e2ee_member_tag(const uint8_t *, uint32_t, const uint8_t *,
		     const char *, uint8_t *);
int		 e2ee_member_tag_check(const uint8_t *, uint32_t,
		     const uint8_t *, const char *, const uint8_t *);
int		 e2ee_salt_seal(uint32_t, const uint8_t *,
		     const struct e2ee_member_key *, const uint8_t *,
		     uint8_t *);
int		 e2ee_salt_open(const uint8_t *, size_t,
		     const struct e2ee_member_key *, const uint8_t *,
		     uint32_t *, uint8_t *);

/* A sender id, 24 random bits, never 0 (so a KID is never 0 or small). */
uint32_t	 e2ee_sender_id_make(void);
uint64_t	 e2ee_kid(uint32_t, enum e2ee_stream, uint32_t);
uint32_t	 e2ee_kid_sender(uint64_t);
uint32_t	 e2ee_kid_epoch(uint64_t);
unsigned int	 e2ee_kid_stream(uint64_t);

/*
 * The SFrame header: encode into E2EE_HEADER_MAX bytes, returning its
 * length; decode: its length, or E2EE_ERR_MALFORMED when too short or not
 * in the fewest bytes (RFC 9605 says "MUST be encoded with the minimum").
 */
size_t		 e2ee_header_encode(uint64_t, uint64_t, uint8_t *);
int		 e2ee_header_decode(const uint8_t *, size_t, uint64_t *,
		     uint64_t *);

/* The key schedule: a sender's base key, and RFC 9605's key and salt. */
int		 e2ee_base_key(const uint8_t *, uint64_t, uint8_t *);
int		 e2ee_key_salt(const uint8_t *, size_t, uint64_t, uint8_t *,
		     uint8_t *);

/*
 * The metadata of each kind, into buf of size bytes: its length, or 0 when
 * it does not fit.  Audio: the stream and the RFC 6464 level byte (the V
 * bit and -dBov, as the RTP header extension carries it in the clear).
 * Video and screen: the stream and the layer.  Chat: the stream, then the
 * message type ("chat", "reaction") and the room's name, each after its
 * length in 1 byte.  Files: the stream, the room's name after its length,
 * the file's 16-byte nonce, the chunk's index (8 bytes big-endian) and 1
 * for the last chunk or 0.
 */
#define E2EE_META_MAX		(1 + 1 + 255 + 1 + 255 + 16 + 8 + 1)
size_t		 e2ee_meta_audio(uint8_t *, size_t, uint8_t);
size_t		 e2ee_meta_video(uint8_t *, size_t, enum e2ee_stream,
		     uint8_t);
size_t		 e2ee_meta_chat(uint8_t *, size_t, const char *,
		     const char *);
size_t		 e2ee_meta_file(uint8_t *, size_t, const char *,
		     const uint8_t *, uint64_t, int);

/*
 * A sender: one KID, its key and salt, and its next CTR (from 0, or what
 * e2ee_sender_set_ctr says).  e2ee_sender_new derives from an epoch secret;
 * e2ee_sender_new_base takes a base key as RFC 9605 does.  NULL and *cause
 * when OpenSSL refuses.
 */
struct e2ee_sender *e2ee_sender_new(const uint8_t *, uint64_t, char **);
struct e2ee_sender *e2ee_sender_new_base(const uint8_t *, size_t, uint64_t,
		     char **);
void		 e2ee_sender_free(struct e2ee_sender *);
uint64_t	 e2ee_sender_kid(const struct e2ee_sender *);
void		 e2ee_sender_set_ctr(struct e2ee_sender *, uint64_t);

/*
 * Seal len bytes of payload with the metadata into out, of size bytes
 * (len + E2EE_OVERHEAD_MAX is always enough; out must not overlap the
 * payload), and set *outlen.  0, E2EE_ERR_ROOM, or E2EE_ERR_FAIL (also
 * when the CTR is spent).
 */
int		 e2ee_seal(struct e2ee_sender *, const uint8_t *, size_t,
		     const uint8_t *, size_t, uint8_t *, size_t, size_t *);

/*
 * A keyring: the epoch secrets a member's node holds (up to max, the oldest
 * forgotten first) and the senders it knows; each KID's key is derived at
 * its first frame and kept.  Epochs are added in order: adding the one
 * held again with its secret does nothing, with another secret is
 * E2EE_ERR_FAIL, and one older than the newest added is E2EE_ERR_REPLAY
 * (its frames would open again under fresh windows).
 *
 * Opening checks, in order: the header (E2EE_ERR_MALFORMED), the epoch
 * (E2EE_ERR_EPOCH), the sender and stream (E2EE_ERR_KID), the CTR
 * against the KID's replay window (E2EE_ERR_REPLAY, except for
 * E2EE_STREAM_FILE, which is fetched again at will and whose chunks the
 * file's nonce and index name), then the tag (E2EE_ERR_AUTH);
 * only a frame that authenticates moves the window.  *info is filled from
 * the header whenever it parsed.
 */
struct e2ee_keyring *e2ee_keyring_new(size_t);
void		 e2ee_keyring_free(struct e2ee_keyring *);
int		 e2ee_keyring_add_epoch(struct e2ee_keyring *, uint32_t,
		     const uint8_t *);
void		 e2ee_keyring_drop_epoch(struct e2ee_keyring *, uint32_t);
int		 e2ee_keyring_has_epoch(struct e2ee_keyring *, uint32_t);
int		 e2ee_keyring_add_sender(struct e2ee_keyring *, uint32_t);
void		 e2ee_keyring_drop_sender(struct e2ee_keyring *, uint32_t);
int		 e2ee_open(struct e2ee_keyring *, const uint8_t *, size_t,
		     const uint8_t *, size_t, uint8_t *, size_t, size_t *,
		     struct e2ee_opened *);

/*
 * Shared files, sealed whole before upload: a preamble (E2EE_FILE_MAGIC and
 * a 16-byte nonce drawn by the sealer), then the chunks, each sealed with
 * e2ee_meta_file: its index from 0 and whether it is the last.  Every chunk
 * but the last carries E2EE_FILE_CHUNK bytes; the last carries what is left
 * (0 to E2EE_FILE_CHUNK bytes: an empty file is one empty chunk) and is
 * sealed with the last-chunk flag, so the end is marked inside what the tag
 * covers.  A file cut after any chunk fails: its new last chunk was sealed
 * as not last.  Chunks moved, or taken from another file, fail: index and
 * nonce are in the AAD.  The opener takes chunks only from the first
 * chunk's KID and, at its end, E2EE_ERR_TRUNCATED when no last chunk came.
 */
#define E2EE_FILE_MAGIC		"meetE2F1"
#define E2EE_FILE_MAGIC_LEN	8
#define E2EE_FILE_NONCE_LEN	16
#define E2EE_FILE_PREAMBLE	(E2EE_FILE_MAGIC_LEN + E2EE_FILE_NONCE_LEN)
#define E2EE_FILE_CHUNK		(64 * 1024)
#define E2EE_FILE_SEALED_MAX	(E2EE_FILE_CHUNK + E2EE_OVERHEAD_MAX)

struct e2ee_file {
	char			 room[256];
	uint8_t			 nonce[E2EE_FILE_NONCE_LEN];
	uint64_t		 index;		/* the next chunk's */
	int			 ended;		/* the last chunk is done */
	int			 have_kid;	/* opening: kid is set */
	uint64_t		 kid;
};

/* Sealing: a new nonce, and the preamble to write first. */
int		 e2ee_file_seal_begin(struct e2ee_file *, const char *,
		     uint8_t *);
int		 e2ee_file_seal_chunk(struct e2ee_file *, struct e2ee_sender *,
		     const uint8_t *, size_t, int, uint8_t *, size_t,
		     size_t *);
/*
 * Opening: the preamble (E2EE_ERR_MALFORMED when it is not one); then, for
 * the sealed bytes at buf (avail of them here, remaining to the file's
 * end, avail included), the length of the next sealed chunk and whether it
 * is the last (E2EE_ERR_MALFORMED when what remains cannot be a chunk);
 * then the chunk; at the end, 0 or E2EE_ERR_TRUNCATED.
 */
int		 e2ee_file_open_begin(struct e2ee_file *, const char *,
		     const uint8_t *, size_t);
int		 e2ee_file_chunk_len(const uint8_t *, size_t, uint64_t,
		     size_t *, int *);
int		 e2ee_file_open_chunk(struct e2ee_file *,
		     struct e2ee_keyring *, const uint8_t *, size_t, int,
		     uint8_t *, size_t, size_t *, struct e2ee_opened *);
int		 e2ee_file_open_end(const struct e2ee_file *);

#endif
