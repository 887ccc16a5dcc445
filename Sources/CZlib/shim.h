// zlib (Debian: zlib1g-dev; pkg-config name "zlib"): gzip input files.
#include <zlib.h>
