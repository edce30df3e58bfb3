/*
 * lib/json.h — one JSON object written into a struct buf (a run's options
 * and counts, which the run row stores as jsonb).
 *
 *     struct json j;
 *     json_begin(&j, &buf);
 *     json_str(&j, "file", path);       // escaped; NULL writes null
 *     json_int(&j, "read", n);
 *     json_real(&j, "seconds", s, 3);   // 3 decimals
 *     json_bool(&j, "dry_run", b);
 *     json_object(&j, "unlabelled");    // a nested object, closed by json_close
 *     ...
 *     rc = json_end(&j);
 *
 * The first error (the buffer's limit, memory) sticks and json_end()
 * returns it, so a sequence of calls needs one check. Keys are the
 * program's own words; string values are escaped (RFC 8259).
 */
#ifndef DR_JSON_H
#define DR_JSON_H

#include <stdbool.h>

#include "lib/buf.h"

#define JSON_MAX_DEPTH 4

struct json {
	struct buf *b;
	int rc;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_begin(struct json *j, struct buf *b);
void json_str(struct json *j, const char *key, const char *value);
void json_int(struct json *j, const char *key, long long value);
void json_real(struct json *j, const char *key, double value, int decimals);
/* a number as %g writes it (an option as given: 0.01, 3000) */
void json_number(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, bool value);
/* a value that is JSON text already, as the server prints a jsonb or a number
 * (written as it is: the caller vouches for it); NULL writes null */
void json_raw(struct json *j, const char *key, const char *json_text);
void json_object(struct json *j, const char *key);
void json_close(struct json *j);
/* Closes the object (and any left open); 0 or the first error. */
int json_end(struct json *j);

#endif
