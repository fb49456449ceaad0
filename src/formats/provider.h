#ifndef CT_PROVIDER_H
#define CT_PROVIDER_H
/* Warnings from the provider-export parsers (aws-carbon, gcp-carbon,
 * azure-carbon): a row that imports but deserves a look, such as a total that
 * is not the sum of its scopes (beyond rounding), or a summary left out. Each
 * message reads "FILE:LINE: ...".
 *
 * The hook is per thread: the importer sets it before calling a parser and
 * clears it after (ct_format_warn_hook(NULL, NULL)); src/ingest/import.c
 * keeps the messages per file. Every initializer of struct ct_parse_opts is
 * now designated, so the hook could move there; it stays a hook so that
 * callers that never set it (sensors, fuzzing) need not change. */
typedef void (*ct_format_warn_fn)(void *ud, const char *msg);
void ct_format_warn_hook(ct_format_warn_fn fn, void *ud);

#endif
