/* Running a step on a worker thread so the console's loop never waits for a probe: the
 * thread runs the probes into its own outcome, then wakes the loop through a pipe; the
 * loop joins it and applies the outcome to the run. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runbooks/engine_int.h"
#include "src/util.h"

struct rb_worker {
	struct rb_run *r;
	int step;
	pthread_t th;
	int pipe[2];
	struct event *ev;
	struct step_outcome o;
	struct rb_pending pc;
	void (*done)(struct rb_run *r, int i, void *arg);
	void *arg;
};

static void *work(void *arg)
{
	struct rb_worker *w = arg;
	rb_exec_into(w->r, w->step, &w->o, &w->pc);
	char c = 'x';
	while (write(w->pipe[1], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void worker_free(struct rb_worker *w)
{
	if (w->ev)
		event_free(w->ev);
	close(w->pipe[0]);
	close(w->pipe[1]);
	rb_outcome_done(&w->o);
	rb_pending_done(&w->pc);
	free(w);
}

static void finished(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct rb_worker *w = arg;
	struct rb_run *r = w->r;
	char c;
	while (read(w->pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	pthread_join(w->th, NULL);
	int i = w->step;
	rb_apply(r, i, &w->o, &w->pc);
	r->running = -1;
	r->worker = NULL;
	r->cancel = 0;
	void (*done)(struct rb_run *, int, void *) = w->done;
	void *darg = w->arg;
	worker_free(w);
	if (done)
		done(r, i, darg);
}

int rb_step_start(struct rb_run *r, int i, struct event_base *base,
		  void (*done)(struct rb_run *r, int i, void *arg), void *arg, char **why)
{
	if (r->worker) {
		*why = xasprintf("step %d is still running", r->rb->steps[r->running].number);
		return -1;
	}
	struct rb_worker *w = xcalloc(1, sizeof(*w));
	w->r = r;
	w->step = i;
	w->done = done;
	w->arg = arg;
	if (pipe2(w->pipe, O_CLOEXEC) < 0) {
		*why = xasprintf("cannot start the step: %s", strerror(errno));
		free(w);
		return -1;
	}
	w->ev = event_new(base, w->pipe[0], EV_READ, finished, w);
	event_add(w->ev, NULL);
	r->cancel = 0;
	r->running = i;
	r->worker = w;
	r->steps[i].status = STEP_RUNNING;
	int rc = pthread_create(&w->th, NULL, work, w);
	if (rc != 0) {
		*why = xasprintf("cannot start the step: %s", strerror(rc));
		r->running = -1;
		r->worker = NULL;
		r->steps[i].status = STEP_PENDING;
		worker_free(w);
		return -1;
	}
	return 0;
}

void rb_worker_stop(struct rb_run *r)
{
	struct rb_worker *w = r->worker;
	if (!w)
		return;
	r->cancel = 1;
	pthread_join(w->th, NULL);
	r->steps[w->step].status = STEP_PENDING;
	r->running = -1;
	r->worker = NULL;
	worker_free(w);
}
