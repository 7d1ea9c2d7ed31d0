/* The integrity badge: journal_verify on a worker thread with its own read-only connection,
 * once each time the review is opened (and on r), so a journal of a million rows never holds
 * up the keys; the thread wakes the loop through a pipe. Quitting stops a long verify at its
 * next SQLite progress check. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/review.h"

struct verify_result {
	int rc;
	struct journal_verify v;
	char *err;
};
static struct verify_result vres; /* written by the worker, read after it is joined */

static int stop_verify(void *arg) { return ((struct review *)arg)->cancel; }

static void *verify_work(void *arg)
{
	struct review *rv = arg;
	struct journal *j = NULL;
	memset(&vres, 0, sizeof vres);
	vres.rc = -1;
	/* its own read-only connection: the console's stays free for the list */
	if (journal_open_readonly(&j, rv->th_path, &vres.err) == 0) {
		sqlite3_progress_handler(journal_sqlite(j), 10000, stop_verify, rv);
		/* rows appended while the chain was walked (the console's samples, a cron run)
		 * move the checkpoint past the walked snapshot: that is growth, not a cut, and a
		 * second walk sees them */
		for (int try = 0; try < 3; try++) {
			free(vres.err);
			vres.err = NULL;
			vres.rc = journal_verify(j, &vres.v, &vres.err);
			if (vres.rc != 1 || strcmp(vres.v.table, "checkpoint") || vres.v.checkpoint_seq <= vres.v.head_seq)
				break;
		}
		journal_close(j);
	}
	char c = 'v';
	while (write(rv->pipe[1], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void verify_done(evutil_socket_t fd, short what, void *arg)
{
	struct tui *t = arg;
	struct review *rv = t->review;
	char c;
	(void)fd, (void)what;
	while (read(rv->pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	pthread_join(rv->th, NULL);
	rv->th_running = 0;
	rv->v = vres.v;
	rv->verify = vres.rc == 0 ? RV_INTACT : vres.rc == 1 ? RV_BROKEN : RV_FAILED;
	snprintf(rv->verify_error, sizeof rv->verify_error, "%s", vres.err ? vres.err : "");
	free(vres.err);
	vres.err = NULL;
	tui_dirty(t);
}

void review_verify_start(struct tui *t)
{
	struct review *rv = t->review;
	if (rv->th_running || !t->journal)
		return;
	if (!rv->th_ev) {
		if (pipe(rv->pipe) < 0) {
			rv->verify = RV_FAILED;
			snprintf(rv->verify_error, sizeof rv->verify_error, "cannot verify: pipe: %s", strerror(errno));
			return;
		}
		fcntl(rv->pipe[0], F_SETFD, FD_CLOEXEC);
		fcntl(rv->pipe[1], F_SETFD, FD_CLOEXEC);
		rv->th_ev = event_new(t->base, rv->pipe[0], EV_READ | EV_PERSIST, verify_done, t);
		event_add(rv->th_ev, NULL);
	}
	free(rv->th_path);
	rv->th_path = xstrdup(journal_path(t->journal));
	rv->cancel = 0;
	if (pthread_create(&rv->th, NULL, verify_work, rv) != 0) {
		rv->verify = RV_FAILED;
		snprintf(rv->verify_error, sizeof rv->verify_error, "cannot verify: no thread");
		return;
	}
	rv->th_running = 1;
	rv->verify = RV_VERIFYING;
}

void review_verify_stop(struct tui *t)
{
	struct review *rv = t->review;
	if (rv->th_running) { /* a long verify stops at its next progress check */
		rv->cancel = 1;
		pthread_join(rv->th, NULL);
		rv->th_running = 0;
		free(vres.err);
		vres.err = NULL;
	}
	if (rv->th_ev)
		event_free(rv->th_ev);
	rv->th_ev = NULL;
	if (rv->pipe[0] >= 0) {
		close(rv->pipe[0]);
		close(rv->pipe[1]);
	}
	rv->pipe[0] = rv->pipe[1] = -1;
	free(rv->th_path);
	rv->th_path = NULL;
}
