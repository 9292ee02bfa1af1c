#ifndef CROSSLOOP_CLAPACK_SHIM_H
#define CROSSLOOP_CLAPACK_SHIM_H
#include <lapacke.h>
#endif
