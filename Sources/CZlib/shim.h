#ifndef GANTRY_CZLIB_SHIM_H
#define GANTRY_CZLIB_SHIM_H
#include <zlib.h>
#endif
