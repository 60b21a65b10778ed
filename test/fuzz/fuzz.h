/*
** fuzz.h: the model-based fuzzer's two sides. One byte stream is decoded
** into steps; every step runs on the library ("real", real.c) and on a
** small reference model of its semantics (model.c), each behind the same
** table of calls, and fuzz.c compares what the two said: return codes,
** the callbacks that ran in their order with their values, what
** ca_chan_inspect reports, what each go block saw. Any difference aborts
** with a message and the input in hex. MIT licence, see COPYING.
*/
#ifndef CA_FUZZ_H
#define CA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define FZ_CHANS 4   /* channel slots                                     */
#define FZ_OPS 8     /* ca_op slots                                       */
#define FZ_BLOCKS 3  /* go blocks                                         */
#define FZ_CASES 3   /* cases of one ALTS                                 */
#define FZ_CAP 4     /* largest buffer                                    */
#define FZ_ELEM 24   /* largest element                                   */
#define FZ_QMAX 64   /* longest queue the model keeps                     */
#define FZ_LOG 256   /* events one step may log                           */

/* The state of a channel slot. */
enum { SLOT_EMPTY, SLOT_LIVE, SLOT_DEAD }; /* DEAD: destroyed, our storage */

/* What a callback or a nested call reports, in order. */
enum { EV_CB = 1, EV_RC };
typedef struct fz_event {
    int type, who, status;
    uint32_t val;
} fz_event;

typedef struct fz_log {
    fz_event ev[FZ_LOG];
    int n, overflow;
} fz_log;

/* What an async op does from inside its callback: nothing, the same op
** again on the same channel (up to `budget` times), or one call on
** another channel. */
enum { RE_NONE, RE_AGAIN, RE_OFFER, RE_POLL, RE_CLOSE, RE_KINDS };

typedef struct fz_react {
    int kind, chan, budget;
} fz_react;

/* An ALTS case as the driver decoded it. */
enum { C_TAKE, C_PUT, C_DEADLINE, C_DEFAULT, C_OFF };
typedef struct fz_case {
    int kind, chan;
    uint32_t ms, val;
} fz_case;

/* A go block's command. */
enum { G_TAKE, G_PUT, G_ALTS, G_SLEEP, G_KINDS };
typedef struct fz_cmd {
    int kind, chan, flags, n;
    uint32_t val, ms;
    fz_case cases[FZ_CASES];
} fz_cmd;

/* What a go block reports once its command has run. */
typedef struct fz_block_state {
    int busy;           /* parked in its command                          */
    unsigned done;      /* commands completed                             */
    int status, alt;    /* of the last one                                */
    uint32_t val;       /* the value its TAKE (or ALTS take case) got     */
} fz_block_state;

/* What a channel slot reports. */
typedef struct fz_chan_state {
    int slot;           /* SLOT_*                                         */
    int kind, closed;
    unsigned cap, esize, count, puts, takes, refs;
} fz_chan_state;

typedef struct fz_side fz_side;

/* One side: the same calls, on the library or on the model. Channel
** calls return the library's code; vals are value numbers (fz_encode). */
struct fz_side {
    const char *name;
    int (*open)(fz_side *, int k, int kind, unsigned cap, unsigned esize,
                int heap);
    int (*offer)(fz_side *, int k, uint32_t v);
    int (*poll)(fz_side *, int k, uint32_t *v);
    int (*put_async)(fz_side *, int k, int op, uint32_t v);
    int (*take_async)(fz_side *, int k, int op);
    int (*close)(fz_side *, int k);
    int (*closed)(fz_side *, int k);
    int (*retain)(fz_side *, int k);
    int (*release)(fz_side *, int k); /* ca_chan_free                     */
    int (*destroy)(fz_side *, int k);
    /* Gives block b its command and runs the scheduler until idle. hint:
    ** the case the library's ALTS chose (the model checks it was allowed:
    ** random among the ready cases). */
    int (*go)(fz_side *, int b, const fz_cmd *c, int hint);
    int (*advance)(fz_side *, uint32_t ms); /* clock on, then run         */
    /* Runs the blocks made ready and the timers due, until neither is
    ** left: after every step, so blocks record what they saw. */
    void (*settle)(fz_side *);
    void (*chan_state)(fz_side *, int k, fz_chan_state *out);
    void (*block_state)(fz_side *, int b, fz_block_state *out);
    int (*op_pending)(fz_side *, int op);
    void (*teardown)(fz_side *);
    fz_log log;
    fz_react react[FZ_OPS]; /* each op's reaction, set when issued        */
    uint32_t next_val;      /* value numbers, drawn in the same order     */
    int reacting;           /* 0 during teardown                          */
    void *impl;
};

/* The reaction of op `op` to its completion: both sides run it. */
void fz_react_run(fz_side *s, int op, int k);

void fz_log_add(fz_side *s, int type, int who, int status, uint32_t val);

/* Value number v as bytes of size n: the low bytes of v, then bytes
** derived from it, so that a copy of the wrong length or from the wrong
** place shows; fz_decode returns -1 for bytes no fz_encode made. */
void fz_encode(uint32_t v, unsigned n, unsigned char *out);
int fz_decode(const unsigned char *in, unsigned n, uint32_t *v);
uint32_t fz_mask(uint32_t v, unsigned n);

void fz_fail(const char *fmt, ...);

fz_side *fz_model_side(uint32_t t0);
fz_side *fz_real_side(uint32_t t0);

#endif /* CA_FUZZ_H */
