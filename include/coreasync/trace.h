/*
** coreasync/trace.h: the run's events, one line each, for
** coreasync-trace(1) to draw. Only in a library configured with
** --enable-trace. See ca_trace(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_TRACE_H
#define COREASYNC_TRACE_H

#include <coreasync/config.h>

#if CA_CONFIG_TRACE
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Starts writing every go block's life and every hand-off to `out`, one
 * line per event, from every scheduler and thread; NULL stops (and
 * flushes what was written). The stream stays yours: close it after
 * ca_trace(NULL). Returns `CA_OK`.
 *
 * The format (version 1) is a header line `# coreasync trace 1`, then
 * lines `SEQ EVENT SUBJECT KEY=VALUE...`. SEQ counts events from 1: it
 * is the trace's clock (events are numbered under one lock, so their
 * order is an order that happened). A block is `g` and its address in
 * hex, a thread that is not running a block `t1`, `t2`..., a channel its
 * name in double quotes (`\"` and `\\` escaped) or `c` and its address.
 *
 *     SEQ spawn G by=ACTOR                  ca_go_start, CA_GO_SPAWN
 *     SEQ park G func=F at=FILE:LINE op=OP [on=take:CH|on=put:CH]...
 *                                           a parking op, or YIELD
 *     SEQ wake G by=ACTOR|timer [chan=CH op=take|put status=ok|closed]
 *     SEQ send CH from=ACTOR to=ACTOR       a hand-off to or from a
 *                                           block that waited
 *     SEQ take G chan=CH status=ok|closed   an op of a block that
 *     SEQ put G chan=CH status=ok|closed    completed without parking
 *     SEQ close CH by=ACTOR
 *     SEQ done G
 *
 * A value that passes through a buffer while neither side waits makes a
 * `put` and a `take` line but no `send`: the trace pairs only what it
 * saw meet. Operations of threads (the blocking calls) are seen only
 * where they complete a block's (as `by=` and `from=`/`to=`).
 *
 * The cost, with the trace on, is one formatted line per event under a
 * mutex; with it off, a load and a branch per event site; in a library
 * built without --enable-trace, nothing.
 */
int ca_trace(FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* CA_CONFIG_TRACE */

#endif /* COREASYNC_TRACE_H */
