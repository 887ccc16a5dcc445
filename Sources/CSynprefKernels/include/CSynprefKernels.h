// Umbrella header of the CSynprefKernels module: list every public header here, so that
// adding one changes this file and incremental builds rebuild the module.
#include "synpref_kernels.h"
#include "synpref_grad_kernels.h"
