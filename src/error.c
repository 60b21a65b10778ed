/*
** error.c: ca_strerror and ca_err_name, generated from CA_ERROR_MAP.
** MIT licence, see COPYING.
*/
#include "internal.h"

const char *ca_strerror(int code)
{
    switch (code) {
#define CA__ERROR_MSG(name, value, msg)                                      \
    case CA_##name:                                                          \
        return msg;
        CA_ERROR_MAP(CA__ERROR_MSG)
#undef CA__ERROR_MSG
    default:
        return "unknown error";
    }
}

const char *ca_err_name(int code)
{
    switch (code) {
#define CA__ERROR_NAME(name, value, msg)                                     \
    case CA_##name:                                                          \
        return "CA_" #name;
        CA_ERROR_MAP(CA__ERROR_NAME)
#undef CA__ERROR_NAME
    default:
        return "CA_UNKNOWN";
    }
}
