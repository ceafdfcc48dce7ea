// OpenBLAS's CBLAS interface (Debian: libopenblas-dev installs it as <cblas.h>).
#include <cblas.h>
