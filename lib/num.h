/*
 * lib/num.h — numbers read from text, strictly.
 *
 * atoi() and friends accept "12abc" as 12, "" as 0 and overflow silently;
 * these accept a whole decimal number and nothing else (no leading or
 * trailing space, no empty string), or say no. tests/tools/checksrc.py bans
 * the others. For values read back from the database: db_get_long(),
 * db_get_double() (load/db.h), which name the column when a value is not one.
 */
#ifndef DR_NUM_H
#define DR_NUM_H

/* 0 and *out when s is a whole base-10 integer in range, -1 otherwise. */
int num_parse_ll(const char *s, long long *out);

/* 0 and *out when s is a whole finite decimal number, -1 otherwise. */
int num_parse_double(const char *s, double *out);

#endif
