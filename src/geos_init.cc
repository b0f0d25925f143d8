// geos_init.cc -- GEOS_init_r() with its exceptions caught (geos_init.h).
#include "geos_init.h"

#include <new>

GEOSContextHandle_t cv_geos_init(void) {
  try {
    return GEOS_init_r();
  } catch (const std::bad_alloc &) {
    return nullptr;
  }
}
