/*
 * transform/lifecycle.c — the lifecycle fold (see lifecycle.h).
 */
#include "transform/lifecycle.h"

#include <stddef.h>
#include <string.h>

static const char *const event_names[LC_EVENTS] = {
	[LC_CREATION] = "CREATION",
	[LC_REACTIVATION] = "REACTIVATION",
	[LC_LEVEE_OPPOSITION] = "LEVEE_OPPOSITION",
	[LC_OPPOSITION] = "OPPOSITION",
	[LC_FERMETURE] = "FERMETURE",
	[LC_DECES] = "DECES",
	[LC_SUPPRESSION] = "SUPPRESSION",
};

static const char *const state_names[] = {
	[LC_UNKNOWN] = "unknown",
	[LC_OPEN] = "open",
	[LC_CLOSED] = "closed",
	[LC_DECEASED] = "deceased",
	[LC_DELETED] = "deleted",
};

int lifecycle_event(const char *name)
{
	for (int e = 0; e < LC_EVENTS; e++)
		if (strcmp(name, event_names[e]) == 0)
			return e;
	return -1;
}

const char *lifecycle_event_name(enum lc_event e)
{
	return (unsigned)e < LC_EVENTS ? event_names[e] : "?";
}

int lifecycle_rank(enum lc_event e)
{
	return (int)e;   /* the enum is declared in tie order */
}

const char *lifecycle_state_name(enum lc_state s)
{
	return (unsigned)s <= LC_DELETED ? state_names[s] : "?";
}

void lifecycle_init(struct lc_dossier *d)
{
	memset(d, 0, sizeof(*d));
	d->state = LC_UNKNOWN;
}

static enum lc_outcome refuse(const char **why, const char *reason)
{
	*why = reason;
	return LC_REFUSED;
}

static enum lc_outcome apply(struct lc_dossier *d, const char *at, const char **why)
{
	d->last_event_at = at;
	*why = NULL;
	return LC_APPLIED;
}

enum lc_outcome lifecycle_step(struct lc_dossier *d, enum lc_event e, const char *at, const char **why)
{
	/* Deletion is honoured whatever came before, and ends the story. */
	if (d->state == LC_DELETED)
		return refuse(why, "the dossier was deleted (SUPPRESSION) before this event");
	if (e == LC_SUPPRESSION) {
		d->state = LC_DELETED;
		d->opposition = false;
		d->created_at = d->due_at = NULL;
		return apply(d, at, why);
	}
	if (d->state == LC_UNKNOWN && e != LC_CREATION) {
		*why = "no CREATION of this dossier before this event (yet)";
		return LC_WAITING;
	}
	if (d->state == LC_DECEASED)
		return refuse(why, "the holder is deceased (DECES): the dossier is closed for good");

	switch (e) {
	case LC_CREATION:
		if (d->state != LC_UNKNOWN)
			return refuse(why, d->state == LC_CLOSED
				      ? "the dossier already exists (closed): only a REACTIVATION reopens it"
				      : "the dossier already exists (an earlier CREATION)");
		d->state = LC_OPEN;
		d->created_at = d->due_at = at;
		return apply(d, at, why);
	case LC_FERMETURE:
		if (d->state == LC_CLOSED)
			return refuse(why, "the dossier is already closed");
		d->state = LC_CLOSED;
		return apply(d, at, why);
	case LC_REACTIVATION:
		if (d->state == LC_OPEN)
			return refuse(why, "the dossier is open: there is nothing to reactivate");
		d->state = LC_OPEN;
		d->due_at = at;
		return apply(d, at, why);
	case LC_DECES:
		d->state = LC_DECEASED;
		return apply(d, at, why);
	case LC_OPPOSITION:
		if (d->opposition)
			return refuse(why, "an objection already stands");
		d->opposition = true;
		return apply(d, at, why);
	case LC_LEVEE_OPPOSITION:
		if (!d->opposition)
			return refuse(why, "no objection stands: there is nothing to lift");
		d->opposition = false;
		d->due_at = at;
		return apply(d, at, why);
	default:
		return refuse(why, "unknown event");
	}
}
