/* sz_error: the project's error codes.
 *
 * Library functions return 0 on success or one of these negative codes and
 * never print. The caller that knows the context (file, line, stage) reports
 * the error once. Invalid events are not errors: they are data, routed to the
 * dead letters by the stages.
 */
#ifndef SZ_ERROR_H
#define SZ_ERROR_H

#define SZ_WUR __attribute__((warn_unused_result))

enum sz_err {
    SZ_OK = 0,
    SZ_ENOMEM = -1,   /* allocation failed */
    SZ_EIO = -2,      /* read/write/fsync/rename failed; errno holds the cause */
    SZ_EINVAL = -3,   /* bad argument or option value */
    SZ_ECORRUPT = -4, /* compressed input is truncated or corrupt */
    SZ_ENOENT = -5,   /* input path does not exist or cannot be opened */
    SZ_EEXIST = -6,   /* output would replace an existing file */
    SZ_ELIMIT = -7    /* a configured limit was exceeded */
};

/* A static, human-readable name for an error code. Never NULL. */
const char *sz_strerror(int err);

#endif
