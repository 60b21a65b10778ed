/*
** coreasync.h: core.async for C. Includes every part of the public API
** and nothing else. See coreasync(3). MIT licence, see COPYING.
*/
#ifndef COREASYNC_H
#define COREASYNC_H

#include <coreasync/config.h>
#include <coreasync/error.h>
#include <coreasync/alloc.h>
#include <coreasync/port.h>
#include <coreasync/waiter.h>
#include <coreasync/chan.h>
#include <coreasync/xf.h>
#include <coreasync/timer.h>
#include <coreasync/alts.h>
#include <coreasync/go.h>
#include <coreasync/sched.h>
#include <coreasync/blocking.h>
#include <coreasync/ops.h>
#include <coreasync/io.h>
#include <coreasync/stream.h>
#include <coreasync/bridge.h>
#include <coreasync/pipeline.h>
/* ---- less boilerplate (issue 10, trace10) */
#include <coreasync/shorthand.h>
#include <coreasync/group.h>
/* ---- end of the less boilerplate block */
/* ---- trace (issue 10, item 3, trace10) */
#include <coreasync/trace.h>
/* ---- end of the trace block */

#ifdef __cplusplus
extern "C" {
#endif

/* (nothing of its own: each header above has its extern "C" too) */

#ifdef __cplusplus
}
#endif

#endif /* COREASYNC_H */
