/*
 * transform/lifecycle.h — a dossier's state from its lifecycle events.
 *
 * The DMP platform sends events (CREATION, FERMETURE, REACTIVATION, DECES,
 * OPPOSITION, LEVEE_OPPOSITION, SUPPRESSION) that may arrive late, out of
 * order or twice. The state is therefore never "updated" by the latest file:
 * it is the fold of every known event of the dossier, in timestamp order
 * (ties: lifecycle_rank()), starting from "unknown". The same history always
 * gives the same state and the same outcome for each event, whatever the
 * order of arrival (docs/lifecycle.md).
 *
 *   unknown  --CREATION-->  open  --FERMETURE-->  closed  --REACTIVATION--> open
 *   open, closed  --DECES-->  deceased (for good)
 *   any  --SUPPRESSION-->  deleted (for good; documents destroyed)
 *   OPPOSITION / LEVEE_OPPOSITION toggle the objection of an open or closed
 *   dossier; CREATION, REACTIVATION and LEVEE_OPPOSITION make it due now.
 *
 * An event that makes no sense at its place in the history (reactivating a
 * deceased person's dossier, closing a closed one, anything after the
 * deletion) is refused with a reason and changes nothing. An event before
 * any CREATION waits: it is refused for now, and applied if a CREATION with
 * an earlier timestamp arrives later. Pure functions, no allocation.
 */
#ifndef DR_LIFECYCLE_H
#define DR_LIFECYCLE_H

#include <stdbool.h>

enum lc_state { LC_UNKNOWN, LC_OPEN, LC_CLOSED, LC_DECEASED, LC_DELETED };

enum lc_event {
	LC_CREATION, LC_REACTIVATION, LC_LEVEE_OPPOSITION, LC_OPPOSITION,
	LC_FERMETURE, LC_DECES, LC_SUPPRESSION, LC_EVENTS
};

/* The dossier as the fold leaves it. Timestamps are the caller's strings
 * (the events' own), kept by pointer. */
struct lc_dossier {
	enum lc_state state;
	bool opposition;
	const char *created_at;   /* first applied CREATION */
	const char *due_at;       /* last event that made it due now */
	const char *last_event_at;/* last applied event */
};

/* Outcome of one event. */
enum lc_outcome { LC_APPLIED, LC_WAITING, LC_REFUSED };

/* The event's code from its name (e.g. "DECES"); -1 when unknown. */
int lifecycle_event(const char *name);
const char *lifecycle_event_name(enum lc_event e);
/* The order of events sharing one timestamp: CREATION first, SUPPRESSION last. */
int lifecycle_rank(enum lc_event e);
/* "unknown", "open", "closed", "deceased", "deleted" (the dossier.state values). */
const char *lifecycle_state_name(enum lc_state s);

/* The empty history: unknown, no objection. */
void lifecycle_init(struct lc_dossier *d);

/*
 * Applies event e at time `at` (the caller's string, kept) to d. Returns the
 * outcome; *why gets the reason of a refusal or a wait (a static sentence
 * with no identifier), NULL when applied.
 */
enum lc_outcome lifecycle_step(struct lc_dossier *d, enum lc_event e, const char *at, const char **why);

#endif
