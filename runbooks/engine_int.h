/* Engine internals shared by engine.c, engine_journal.c and engine_worker.c. */
#ifndef OD_ENGINE_INT_H
#define OD_ENGINE_INT_H

#include "runbooks/engine.h"

/* Values captured while a step runs; applied to the run when it has finished. */
struct rb_pending {
	struct rb_capture *v;
	int n;
};

/* Runs step i into o (which it resets) and pc, reading r but never changing it: safe on a
 * worker thread while the main thread only reads r. */
void rb_exec_into(const struct rb_run *r, int i, struct step_outcome *o, struct rb_pending *pc);
/* Moves o into r->steps[i] and the captures into r (main thread). */
void rb_apply(struct rb_run *r, int i, struct step_outcome *o, struct rb_pending *pc);
void rb_outcome_done(struct step_outcome *o);
void rb_pending_done(struct rb_pending *pc);
/* Keeps a capture (replacing one of the same name); takes ownership of value. */
void rb_set_capture(struct rb_run *r, const char *name, char *value, int recorded);
int rb_input_index(const struct runbook *rb, const char *name);
/* Keeps s to be masked in everything the run keeps (ignored when shorter than 3 bytes). */
void rb_add_secret(struct rb_run *r, const char *s);
/* Stops and joins a worker thread without calling its done callback. */
void rb_worker_stop(struct rb_run *r);

#endif
