/*
 * Lathe: a link-time stand-in for libcublas.so.13 (soname only). Every function fails; the
 * dynamic loader replaces this file with the real cuBLAS at run time, because the addon records
 * only the soname. Built by scripts/build.mjs when LATHE_CUBLAS_SHIM=1; never shipped.
 */
#define STUB(name) int name(void) { return 14; /* CUBLAS_STATUS_INTERNAL_ERROR */ }
STUB(cublasCreate_v2)
STUB(cublasDestroy_v2)
STUB(cublasSetStream_v2)
STUB(cublasSetWorkspace_v2)
STUB(cublasSetMathMode)
STUB(cublasLoggerConfigure)
STUB(cublasSgemm_v2)
STUB(cublasSgemmBatched)
STUB(cublasSgemmStridedBatched)
STUB(cublasGemmEx)
STUB(cublasGemmBatchedEx)
STUB(cublasGemmStridedBatchedEx)
STUB(cublasStrsmBatched)
const char *cublasGetStatusString(int status) { (void)status; return "cuBLAS link stub"; }
