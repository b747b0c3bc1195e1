/*  mitra.h -- libmitra, the client library of the Mitra daemon.

    A client sends events and queries to mitrad over ZeroMQ and reads its
    replies; a subscriber receives the notifications mitrad publishes. The
    wire format is proto/PROTOCOL.md; this library hides it behind a few
    calls and never gives the caller a reply it has not checked.

    Conventions (czmq's):
    - `_new` returns NULL on failure and sets errno; `_destroy (&p)` accepts
      a NULL pointer and sets it to NULL.
    - A `**` argument hands ownership over; other pointers are borrowed.
    - Strings returned by accessors belong to the object and live until it is
      destroyed. Functions named `_json` return malloc'd text: free () it.
    - Objects are not thread-safe: use one per thread.

    Signals: czmq installs SIGINT/SIGTERM handlers that set zsys_interrupted
    when the first socket is made (unless ZSYS_SIGHANDLER=false). A call
    waiting for the daemon gives up with MITRA_RC_INTERRUPTED once it sees
    zsys_interrupted set.
*/
#ifndef MITRA_H
#define MITRA_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

//  The shared library exports only what this header declares.
#if defined(__GNUC__)
#   define MITRA_EXPORT __attribute__ ((visibility ("default")))
#else
#   define MITRA_EXPORT
#endif

//  What a request or a receive came to. Every call that talks to mitrad
//  returns one of these.
typedef enum {
    MITRA_RC_OK = 0,        //  accepted (event) or answered (query); reply given
    MITRA_RC_REJECTED,      //  mitrad answered with a typed error; reply given
    MITRA_RC_UNREACHABLE,   //  no reply after every try; no reply given
    MITRA_RC_TIMEOUT,       //  subscriber: nothing arrived within the timeout
    MITRA_RC_INVALID,       //  the caller's input could not be sent (not a map,
                            //  bad JSON, bad request id); nothing was sent
    MITRA_RC_PROTOCOL,      //  the peer sent something that is not Mitra protocol
    MITRA_RC_INTERRUPTED,   //  zsys_interrupted was set while waiting
} mitra_rc_t;

//  Name of a return code ("ok", "rejected", "unreachable", ...); "unknown"
//  for a value out of range.
MITRA_EXPORT const char *
    mitra_rc_name (int rc);

//  -------------------------------------------------------------------------
//  Replies

typedef struct _mitra_reply_t mitra_reply_t;

//  True for an ok reply, false for an error reply.
MITRA_EXPORT bool
    mitra_reply_ok (mitra_reply_t *self);

//  The request id the reply answers; "" when mitrad could not read the
//  request's id (its `id` was nil).
MITRA_EXPORT const char *
    mitra_reply_id (mitra_reply_t *self);

//  Event-log position of an accepted event; 0 when the reply has no `seq`
//  (query replies, errors). Sequence numbers start at 1.
MITRA_EXPORT uint64_t
    mitra_reply_seq (mitra_reply_t *self);

//  Error code as on the wire ("not_found", "invalid_field", ...), the
//  message meant for a person, and the field it concerns. Code and message
//  are NULL for an ok reply; field is NULL when the error names none.
MITRA_EXPORT const char *
    mitra_reply_error_code (mitra_reply_t *self);
MITRA_EXPORT const char *
    mitra_reply_error_message (mitra_reply_t *self);
MITRA_EXPORT const char *
    mitra_reply_error_field (mitra_reply_t *self);

//  The `result` of a query reply as a msgpack object, or NULL when there is
//  none (event replies, errors). Valid until the reply is destroyed.
MITRA_EXPORT const msgpack_object *
    mitra_reply_result (mitra_reply_t *self);

//  The result as compact JSON text, or NULL when there is none or on
//  allocation failure. Caller frees. Integers stay integers, except
//  unsigned ones above INT64_MAX, which become reals; a non-finite float
//  becomes null.
MITRA_EXPORT char *
    mitra_reply_result_json (mitra_reply_t *self);

//  The whole reply as compact JSON text ({"id":..., "ok":..., ...}).
//  Caller frees; NULL on allocation failure.
MITRA_EXPORT char *
    mitra_reply_json (mitra_reply_t *self);

MITRA_EXPORT void
    mitra_reply_destroy (mitra_reply_t **self_p);

//  -------------------------------------------------------------------------
//  CURVE keys, from the certificate files `mitra keygen` writes (czmq's
//  zcert format): NAME_secret holds a key pair, NAME the public key.

typedef struct {
    char server_key [41];       //  the daemon's public key, Z85
    char public_key [41];       //  this client's key pair, Z85
    char secret_key [41];
} mitra_curve_keys_t;

//  Read this client's key pair from `key_file` (its NAME_secret file) and
//  the daemon's public key from `server_key_file` (the daemon's public
//  certificate, or its secret one). Returns 0, or -1 with a sentence on
//  what is wrong in `error` (`size` bytes): a file that cannot be read, is
//  not a certificate, or (for `key_file`) has no secret key.
MITRA_EXPORT int
    mitra_curve_keys_load (mitra_curve_keys_t *keys, const char *key_file,
                           const char *server_key_file, char *error, size_t size);

//  -------------------------------------------------------------------------
//  Clients: events and queries over a DEALER socket

typedef struct _mitra_client_t mitra_client_t;

typedef struct {
    //  Wait for a reply this long per try, in milliseconds. Must be > 0;
    //  0 means the default, 5000.
    int timeout_ms;
    //  Tries after the first one times out. Each retry reconnects and
    //  resends the same bytes with the same request id, so that mitrad
    //  applies the event at most once. 0 means no retry; default 3.
    int retries;
    //  CURVE, for a tcp:// endpoint of mitrad (PROTOCOL.md 2.5): the
    //  daemon's public key and this client's key pair, each 40 characters
    //  of Z85 (mitra_curve_keys_load reads them from certificate files).
    //  All three or none; NULL: no CURVE (ipc).
    const char *curve_server_key;
    const char *curve_public_key;
    const char *curve_secret_key;
} mitra_client_options_t;

//  Fill `opts` with the defaults: 5000 ms, 3 retries, no CURVE.
MITRA_EXPORT void
    mitra_client_options_init (mitra_client_options_t *opts);

//  A client of the mitrad at `endpoint` (e.g. "ipc:///run/mitra/mitrad.sock",
//  or "tcp://mitra.example.org:7410" with CURVE keys in `opts`).
//  `opts` NULL means the defaults. Connecting does not wait for the daemon:
//  an absent daemon shows as MITRA_RC_UNREACHABLE on the first request,
//  and so does a refused CURVE handshake (a wrong server key, or a key not
//  on the daemon's allow-list): mitra_client_last_error then says which.
//  Returns NULL with errno EINVAL for a malformed endpoint or options (a
//  CURVE key that is not 40 characters of Z85, or only some of the three),
//  or another errno when a socket or random bytes for request ids could
//  not be had.
MITRA_EXPORT mitra_client_t *
    mitra_client_new (const char *endpoint, const mitra_client_options_t *opts);

MITRA_EXPORT void
    mitra_client_destroy (mitra_client_t **self_p);

//  The endpoint given to mitra_client_new.
MITRA_EXPORT const char *
    mitra_client_endpoint (mitra_client_t *self);

//  Send an event: `type` (e.g. "org.registered") and `data`, exactly one
//  msgpack map of `size` bytes. The client picks a fresh request id.
//  Returns MITRA_RC_OK (committed and synced by mitrad; *reply_p holds the
//  reply with its seq), MITRA_RC_REJECTED (*reply_p holds the typed error),
//  MITRA_RC_UNREACHABLE (no reply after every try: the event may or may not
//  have been applied; resend it with mitra_client_event_with_id and
//  mitra_client_last_request_id to find out without applying it twice),
//  MITRA_RC_INVALID (data is not one map; nothing sent), MITRA_RC_PROTOCOL
//  or MITRA_RC_INTERRUPTED. *reply_p is NULL for every code but OK and
//  REJECTED; the caller destroys the reply. `reply_p` may be NULL when the
//  caller needs only the code.
MITRA_EXPORT int
    mitra_client_event (mitra_client_t *self, const char *type,
                        const void *data, size_t size, mitra_reply_t **reply_p);

//  Same as mitra_client_event with an id of the caller's choosing:
//  1..64 bytes of visible ASCII (0x21..0x7e), unique among every client of
//  this daemon, e.g. derived from a file name and line for an import.
//  Sending the same id with the same request again returns the first reply
//  and changes nothing; the same id with a different request is refused
//  with "conflict".
//  `request_id` NULL means a fresh one. A bad id gives MITRA_RC_INVALID.
MITRA_EXPORT int
    mitra_client_event_with_id (mitra_client_t *self, const char *request_id,
                                const char *type, const void *data, size_t size,
                                mitra_reply_t **reply_p);

//  Pipelining: many events in flight on the one connection, so that mitrad
//  commits those that arrive together in one synced transaction instead of
//  one each. mitra_client_event_send sends without waiting; each
//  mitra_client_reply_recv returns the next reply, whichever event it
//  answers (mitra_reply_id says which; mitrad answers one connection in
//  the order sent). While replies are due, the waiting calls above
//  (mitra_client_event, _query, ...) refuse with MITRA_RC_INVALID.
//  Having about twice mitrad's batch (batch_max, 1024 by default) in flight
//  lets the next batch queue while one is being synced. Over TCP mitrad
//  queues at most 1000 per connection: more wait in this client's socket,
//  and a send then blocks until mitrad reads (at most the timeout).
//
//  Send an event, as mitra_client_event_with_id (`request_id` NULL: a fresh
//  one, see mitra_client_last_request_id), with `after`, the id of an
//  earlier event of this principal, or NULL. With `after`, mitrad applies
//  the event only if that earlier one was accepted, and otherwise refuses
//  it with "after_not_applied": so a series sent with each naming the one
//  before never applies an event after a refused one, however many are in
//  flight. Returns MITRA_RC_OK (queued for sending; the reply comes from
//  mitra_client_reply_recv), MITRA_RC_INVALID (bad id, `after` or data;
//  nothing queued) or MITRA_RC_INTERRUPTED (queued, but zsys_interrupted
//  is set). A send that finds no peer is not an error here: the receive
//  resends.
MITRA_EXPORT int
    mitra_client_event_send (mitra_client_t *self, const char *request_id, const char *after,
                             const char *type, const void *data, size_t size);

//  Wait for the next reply to a pipelined event. Returns MITRA_RC_OK or
//  MITRA_RC_REJECTED with *reply_p set (the caller destroys it;
//  mitra_client_last_request_id is its id). When no reply comes for the
//  timeout, it connects afresh and resends every event still unanswered,
//  the same bytes in the same order (safe: mitrad applies each id once),
//  as often as the retries allow; then MITRA_RC_UNREACHABLE. After
//  UNREACHABLE, PROTOCOL or INTERRUPTED every event still unanswered is
//  forgotten -- each may or may not have been applied: resend them with
//  the same ids and `after` to find out. MITRA_RC_INVALID when none is due.
MITRA_EXPORT int
    mitra_client_reply_recv (mitra_client_t *self, mitra_reply_t **reply_p);

//  How many pipelined events wait for their reply.
MITRA_EXPORT size_t
    mitra_client_in_flight (mitra_client_t *self);

//  Send an event whose data is JSON text holding one object. Return codes
//  as mitra_client_event; invalid JSON or a non-object is MITRA_RC_INVALID
//  (see mitra_client_last_error). JSON integers become msgpack integers,
//  reals floats.
MITRA_EXPORT int
    mitra_client_event_json (mitra_client_t *self, const char *type,
                             const char *json_object_text, mitra_reply_t **reply_p);

//  Same with a caller-chosen request id (NULL means a fresh one).
MITRA_EXPORT int
    mitra_client_event_json_with_id (mitra_client_t *self, const char *request_id,
                                     const char *type, const char *json_object_text,
                                     mitra_reply_t **reply_p);

//  Run query `q` (e.g. "hello") with `args`, one msgpack map of `size`
//  bytes, or NULL (size ignored) for a query without arguments. Queries
//  change nothing, so their retries are always safe. Returns as
//  mitra_client_event; on MITRA_RC_OK see mitra_reply_result.
MITRA_EXPORT int
    mitra_client_query (mitra_client_t *self, const char *q,
                        const void *args, size_t size, mitra_reply_t **reply_p);

//  Run a query whose args are JSON text holding one object, or NULL.
MITRA_EXPORT int
    mitra_client_query_json (mitra_client_t *self, const char *q,
                             const char *json_object_text, mitra_reply_t **reply_p);

//  The request id of the most recent request (sent or attempted), "" before
//  the first. Valid until the next request.
MITRA_EXPORT const char *
    mitra_client_last_request_id (mitra_client_t *self);

//  A sentence on why the most recent request did not come back OK or
//  REJECTED, "" otherwise. Valid until the next request.
MITRA_EXPORT const char *
    mitra_client_last_error (mitra_client_t *self);

//  -------------------------------------------------------------------------
//  Subscribers: notifications over a SUB socket

typedef struct _mitra_sub_t mitra_sub_t;
typedef struct _mitra_notification_t mitra_notification_t;

//  A subscriber to the mitrad PUB socket at `endpoint` (e.g.
//  "ipc:///run/mitra/mitrad-pub.sock"), receiving the topics that start
//  with one of `prefixes`, a NULL-terminated array such as
//  {"milestone.", "evaluation.due/p-x", NULL}. `prefixes` NULL or empty
//  means every topic. Like every ZeroMQ subscriber it sees only what is
//  published after it has connected, and loses what ZeroMQ drops (past
//  the high-water mark, while reconnecting): use mitra_stream_t below for
//  a stream without gaps. Returns NULL with errno EINVAL for a malformed
//  endpoint.
MITRA_EXPORT mitra_sub_t *
    mitra_sub_new (const char *endpoint, const char **prefixes);

//  The same over CURVE, for a tcp:// notification endpoint: `keys` as
//  mitra_curve_keys_load fills them (NULL: no CURVE). EINVAL also for a
//  key that is not 40 characters of Z85.
MITRA_EXPORT mitra_sub_t *
    mitra_sub_new_curve (const char *endpoint, const char **prefixes,
                         const mitra_curve_keys_t *keys);

MITRA_EXPORT void
    mitra_sub_destroy (mitra_sub_t **self_p);

//  Wait up to `timeout_ms` (-1 = no limit, 0 = do not wait) for the next
//  notification; heartbeats (topic "heartbeat") are skipped, they are not
//  notifications. Returns MITRA_RC_OK with *n_p set (caller destroys it),
//  MITRA_RC_TIMEOUT, MITRA_RC_INTERRUPTED, or MITRA_RC_PROTOCOL when a
//  message was not a valid notification (it is dropped; see
//  mitra_sub_last_error; the next call goes on). *n_p is NULL unless OK.
//  A signal arriving just before an unlimited wait may go unseen until the
//  next message: use a finite timeout in a loop to stop promptly.
MITRA_EXPORT int
    mitra_sub_recv (mitra_sub_t *self, int timeout_ms, mitra_notification_t **n_p);

//  Why the last receive gave MITRA_RC_PROTOCOL, "" otherwise.
MITRA_EXPORT const char *
    mitra_sub_last_error (mitra_sub_t *self);

//  The topic frame: the kind, then "/partnership" when there is one, e.g.
//  "milestone.overdue/p-clean-water".
MITRA_EXPORT const char *
    mitra_notification_topic (mitra_notification_t *self);

//  The kind from the body's `topic` field, e.g. "milestone.overdue".
MITRA_EXPORT const char *
    mitra_notification_kind (mitra_notification_t *self);

//  Notification-log sequence number (contiguous from 1).
MITRA_EXPORT uint64_t
    mitra_notification_seq (mitra_notification_t *self);

//  When the notification was generated (RFC 3339 UTC with ms); "" if absent.
MITRA_EXPORT const char *
    mitra_notification_at (mitra_notification_t *self);

//  The partnership it concerns, or NULL when none.
MITRA_EXPORT const char *
    mitra_notification_partnership (mitra_notification_t *self);

//  True for a deadline published late, after the daemon was down.
MITRA_EXPORT bool
    mitra_notification_late (mitra_notification_t *self);

//  The whole body, and its `data` map (NULL if absent), as msgpack objects
//  valid until the notification is destroyed.
MITRA_EXPORT const msgpack_object *
    mitra_notification_body (mitra_notification_t *self);
MITRA_EXPORT const msgpack_object *
    mitra_notification_data (mitra_notification_t *self);

//  The body, or its data ("{}" if absent), as compact JSON text. Caller
//  frees; NULL on allocation failure.
MITRA_EXPORT char *
    mitra_notification_json (mitra_notification_t *self);
MITRA_EXPORT char *
    mitra_notification_data_json (mitra_notification_t *self);

MITRA_EXPORT void
    mitra_notification_destroy (mitra_notification_t **self_p);

//  -------------------------------------------------------------------------
//  Streams: every notification, in order, once, resumable
//
//  A stream hands each notification of the daemon's notification log to a
//  handler, in `seq` order, without gaps and without duplicates, starting
//  after a position the caller gives (the seq of the last notification it
//  handled) and telling the caller its position after every one, so that
//  a program that stores the position can stop at any time and resume.
//
//  How (PROTOCOL.md §7.8, the ZeroMQ guide's Clone pattern): it subscribes
//  first, then replays from position + 1 with the `notifications` query,
//  page by page, up to the end of the log, then follows the live stream,
//  dropping what the replay already delivered. A seq jump on the live
//  stream (messages ZeroMQ dropped past the high-water mark) or a
//  heartbeat whose seq is above the position (a lost tail) triggers a
//  replay of what is missing. When nothing at all -- not even a heartbeat
//  -- arrives for `heartbeat_misses` heartbeat periods, or a query fails,
//  it throws both sockets away, connects new ones (retrying with backoff
//  while the daemon is away) and catches up the same way.
//
//  With prefixes, only notifications whose topic starts with one of them
//  are delivered, replayed ones included; the position then also moves
//  past notifications filtered out.

typedef struct _mitra_stream_t mitra_stream_t;

//  A position meaning "the end of the log when the stream first reaches
//  the daemon": only notifications from then on are delivered.
#define MITRA_STREAM_LIVE UINT64_MAX

typedef struct {
    //  NULL-terminated topic prefixes, at most 16 of at most 128 bytes
    //  (the `notifications` query's limits); NULL or empty: every topic.
    //  Copied by mitra_stream_new.
    const char *const *prefixes;
    //  The PUB endpoint; NULL: the `pub_endpoint` that `hello` gives (a
    //  tcp:// one whose host is a wildcard -- 0.0.0.0, *, [::] -- gets the
    //  host of the request endpoint instead).
    const char *pub_endpoint;
    //  Wait this long for each reply, in ms; 0: 5000.
    int request_timeout_ms;
    //  The daemon's heartbeat period in ms; 0: the `heartbeat_ms` that
    //  `hello` gives (no silence detection if it gives none).
    int heartbeat_ms;
    //  Periods without any message before reconnecting; 0: 3. The wait is
    //  never shorter than 500 ms.
    int heartbeat_misses;
    //  CURVE keys for a tcp:// daemon, for both the requests and the
    //  notifications; NULL: no CURVE. Copied by mitra_stream_new.
    const mitra_curve_keys_t *curve;
} mitra_stream_options_t;

//  Fill `opts` with the defaults: every topic, endpoints and heartbeat
//  from the daemon, 5000 ms, 3 misses.
MITRA_EXPORT void
    mitra_stream_options_init (mitra_stream_options_t *opts);

//  A stream from the mitrad whose request endpoint is `endpoint` (e.g.
//  "ipc:///run/mitra/mitrad.sock"), delivering the notifications after
//  `position`: 0 for the whole log from seq 1, the last seq handled to
//  resume, or MITRA_STREAM_LIVE. Does not wait for the daemon: the first
//  mitra_stream_run connects. `opts` NULL means the defaults. Returns NULL
//  with errno EINVAL for a bad endpoint or options, ENOMEM when memory ran
//  out.
MITRA_EXPORT mitra_stream_t *
    mitra_stream_new (const char *endpoint, uint64_t position,
                      const mitra_stream_options_t *opts);

MITRA_EXPORT void
    mitra_stream_destroy (mitra_stream_t **self_p);

//  What a handler tells the stream about the notification it was given.
typedef enum {
    MITRA_STREAM_NEXT = 0,  //  handled: the position moves to its seq; go on
    MITRA_STREAM_STOP,      //  handled: the position moves to its seq; return
                            //  from mitra_stream_run now
    MITRA_STREAM_RETRY      //  not handled: the position stays; return now.
                            //  The next run delivers this one again first
} mitra_stream_action_t;

//  Called once per notification, in seq order. The notification is
//  borrowed: valid only during the call. A handler must not call
//  mitra_stream_run on its own stream.
typedef mitra_stream_action_t (mitra_stream_fn) (mitra_notification_t *notification,
                                                 void *arg);

//  Deliver notifications to `handler` for up to `timeout_ms` (-1: no
//  limit; 0: what is ready now), riding out daemon restarts and lost
//  messages on its own. Returns MITRA_RC_TIMEOUT when the time is up (call
//  again), MITRA_RC_OK after the handler returned STOP or RETRY,
//  MITRA_RC_INTERRUPTED when zsys_interrupted was set, MITRA_RC_REJECTED
//  when the daemon refused the replay -- most often because notifications
//  after the position are no longer kept (retention): then
//  mitra_stream_oldest gives the oldest seq still kept, and running again
//  fails the same way -- or MITRA_RC_UNREACHABLE when the ZeroMQ context
//  is going away. A run may overrun `timeout_ms` by the request or the
//  replay under way. Each notification is delivered at most once per
//  stream object, unless its handler returned RETRY.
MITRA_EXPORT int
    mitra_stream_run (mitra_stream_t *self, mitra_stream_fn *handler, void *arg,
                      int timeout_ms);

//  The position: every notification up to this seq has been handled (or
//  filtered out by the prefixes). MITRA_STREAM_LIVE until a stream created
//  with it first reaches the daemon.
MITRA_EXPORT uint64_t
    mitra_stream_position (mitra_stream_t *self);

//  After MITRA_RC_REJECTED for lost history: the oldest seq the daemon
//  still keeps (0 when it could not be asked). 0 otherwise.
MITRA_EXPORT uint64_t
    mitra_stream_oldest (mitra_stream_t *self);

//  The latest trouble, for people ("no heartbeat for 6000 ms;
//  reconnecting", the daemon's error message, ...); "" when none yet.
MITRA_EXPORT const char *
    mitra_stream_last_error (mitra_stream_t *self);

//  What the stream has done since it was created.
typedef struct {
    uint64_t delivered;     //  notifications handled (NEXT or STOP)
    uint64_t live;          //  ...of them from the live stream
    uint64_t replayed;      //  ...of them from replay pages
    uint64_t duplicates;    //  live messages dropped: already delivered by a replay
    uint64_t gaps;          //  seq jumps on the live stream, each repaired by a replay
    uint64_t tails;         //  heartbeats above the position, each repaired by a replay
    uint64_t heartbeats;    //  heartbeats received
    uint64_t behind;        //  connections to a daemon whose last seq was below the
                            //  position: a restored or another log, or a position
                            //  in the future
    uint64_t pages;         //  `notifications` pages read
    uint64_t reconnects;    //  new SUB and DEALER after silence or a failed request
} mitra_stream_stats_t;

MITRA_EXPORT void
    mitra_stream_stats (mitra_stream_t *self, mitra_stream_stats_t *stats);

#ifdef __cplusplus
}
#endif

#endif
