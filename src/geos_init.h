/*
 * geos_init.h -- internal: a GEOS context that cannot throw.  GEOS is C++;
 * its C API catches exceptions in every call but GEOS_init_r(), whose
 * std::bad_alloc would end the process (std::terminate) when memory runs
 * out.  C cannot catch it, so a C++ file does.
 */
#ifndef CV_GEOS_INIT_H
#define CV_GEOS_INIT_H

#include "geos_calls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* GEOS_init_r(), or NULL when it runs out of memory. */
GEOSContextHandle_t cv_geos_init(void);

#ifdef __cplusplus
}
#endif

#endif /* CV_GEOS_INIT_H */
