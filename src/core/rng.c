/* rng.h is header-only; this unit keeps the build's file list uniform. */
#include "core/rng.h"
