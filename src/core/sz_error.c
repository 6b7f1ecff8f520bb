#include "sz_error.h"

const char *sz_strerror(int err)
{
    switch (err) {
    case SZ_OK: return "success";
    case SZ_ENOMEM: return "out of memory";
    case SZ_EIO: return "input/output error";
    case SZ_EINVAL: return "invalid argument";
    case SZ_ECORRUPT: return "corrupt or truncated compressed data";
    case SZ_ENOENT: return "no such file or not readable";
    case SZ_EEXIST: return "file exists";
    case SZ_ELIMIT: return "limit exceeded";
    default: return "unknown error";
    }
}
