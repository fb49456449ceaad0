#ifndef CT_PLAYBOOK_H
#define CT_PLAYBOOK_H
/* The playbook of measures, compiled in from data/playbook.csv by
 * tools/gen_playbook.py. Each row says when it applies (a finding kind and
 * conditions on it) and how to estimate its saving from the ledger (a rule), as
 * data; src/insight/playbook.c interprets both. */

#include "report/advice.h"

extern const struct ct_measure ct_playbook[];
extern const int ct_playbook_n;


#endif
