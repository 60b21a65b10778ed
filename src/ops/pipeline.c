#include <coreasync.h>
typedef int ca__pipeline_placeholder;
