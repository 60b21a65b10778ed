/* placeholder */
#ifndef COREASYNC_PIPELINE_H
#define COREASYNC_PIPELINE_H
#endif
