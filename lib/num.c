/*
 * lib/num.c — strict number parsing (see num.h).
 */
#include "lib/num.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

int num_parse_ll(const char *s, long long *out)
{
	char *end;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int num_parse_double(const char *s, double *out)
{
	char *end;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}
