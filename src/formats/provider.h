#ifndef CT_PROVIDER_H
#define CT_PROVIDER_H
/* Warnings from the provider-export parsers (aws-carbon, gcp-carbon,
 * azure-carbon): a row that imports but deserves a look, such as a total that
 * is not the sum of its scopes (beyond rounding), or a summary left out. Each
 * message reads "FILE:LINE: ...".
 *
 * The hook is per thread: the importer sets it before calling a parser and
 * clears it after (ct_format_warn_hook(NULL, NULL)). It lives here rather than
 * in struct ct_parse_opts because adding a field there would break a
 * positional initializer elsewhere under -Werror; it can move into
 * ct_parse_opts once every initializer of that struct is designated. */
typedef void (*ct_format_warn_fn)(void *ud, const char *msg);
void ct_format_warn_hook(ct_format_warn_fn fn, void *ud);

#endif
