/* libFuzzer target: the team-file parser and validator. Any input must give a
 * team or an error message, never a crash, a leak or undefined behaviour. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/team.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct ct_team t;
    ct_err e;
    if (ct_team_load_string(text, "fuzz.ini", &t, &e) == 0)
        ct_team_free(&t);
    free(text);
    return 0;
}
