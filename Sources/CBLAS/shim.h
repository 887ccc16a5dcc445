// OpenBLAS's CBLAS interface as PyPI's scipy-openblas32 ships it: a current OpenBLAS
// (DYNAMIC_ARCH, kernels chosen by CPU features) whose symbols carry the prefix `scipy_`
// (scipy_cblas_sgemm, scipy_openblas_get_corename, ...). scripts/bootstrap.sh installs it
// and its pkg-config file "scipy-openblas".
#include <cblas.h>
