/* opsdeck journal export --format md|json|csv [RUN]: a run as a report. The Markdown reads
 * like the checklist filled in: every step checked or failed with what was observed, the
 * baselines with their units, the sign-off lines with names, OS users and times, and the
 * journal's integrity. JSON and CSV carry the same data for other tools. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runbooks/engine.h"
#include "src/export.h"
#include "src/util.h"
#include "store/journal.h"

static void utc(char *buf, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M UTC", &tm);
}

/* One line: newlines and pipes would break the Markdown list or table. */
static void put_inline(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
}

static void csv_field(FILE *out, const char *s, int last)
{
	fputc('"', out);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
	fputc(last ? '\n' : ',', out);
}

/* rows come ordered by step number, like the steps: a cursor finds each step's row in one
 * pass (a 10,000-step run must not be searched 10,000 times). */
static const struct journal_step_row *row_of(const struct journal_step_row *rows, int n, int *k, int number)
{
	while (*k < n && atoi(rows[*k].step_id) < number)
		(*k)++;
	return *k < n && atoi(rows[*k].step_id) == number ? &rows[*k] : NULL;
}

static const char *mark(const char *status)
{
	if (str_eq(status, "pass") || str_eq(status, "manual-ok"))
		return "[x]";
	if (str_eq(status, "fail") || str_eq(status, "error"))
		return "[✗]";
	if (str_eq(status, "skip"))
		return "[-]";
	return "[ ]";
}

/* The step's own "- [ ] item" lines, ticked when the step passed or was done. */
static void items(FILE *out, const struct step *st, const char *status)
{
	const char *tick = str_eq(status, "pass") || str_eq(status, "manual-ok") ? "[x]" : "[ ]";
	for (const char *p = st->body; p && *p;) {
		const char *eol = p + strcspn(p, "\n");
		const char *q = p;
		while (q < eol && *q == ' ')
			q++;
		if (eol - q > 6 && !strncmp(q, "- [ ] ", 6))
			fprintf(out, "  %.*s- %s %.*s\n", (int)(q - p), p, tick, (int)(eol - q - 6), q + 6);
		p = *eol ? eol + 1 : eol;
	}
}

static void md_step(FILE *out, const struct step *st, const struct journal_step_row *r)
{
	const char *status = r ? r->status : "pending";
	fprintf(out, "- %s **%d. %s**", mark(status), st->number, st->title ? st->title : "");
	if (!r)
		fputs(" — not checked", out);
	else {
		fprintf(out, " — %s", status);
		if (r->observed && *r->observed) {
			fputs(": ", out);
			put_inline(out, r->observed);
		}
	}
	fputc('\n', out);
	if (r && r->expectation) {
		fputs("  - expected: `", out);
		put_inline(out, r->expectation);
		fputs("`\n", out);
	}
	if (r && r->note) {
		fputs("  - note: ", out);
		put_inline(out, r->note);
		fputc('\n', out);
	}
	items(out, st, status);
}

/* What was verified, and how far: a walk from the first row, or one from the mark an
 * earlier walk left (journal_verify_since), which does not re-read the rows before it. */
static void integrity(FILE *out, int vr, const struct journal_verify *v)
{
	char when[40];
	if (vr == 0 && v->from_seq == 0) {
		fprintf(out, "- **Journal integrity:** intact (all %" PRId64 " rows walked now%s)", v->rows,
			v->checkpoint == 1 ? ", reaches its signed checkpoint" : "");
	} else if (vr == 0) {
		utc(when, sizeof when, v->full_at);
		if (v->rows > 0)
			fprintf(out, "- **Journal integrity:** intact from the last verification on: rows seq %" PRId64 "..%" PRId64
				     " walked now (%" PRId64 " row%s%s), linked to row seq %" PRId64 ", which still has the hash "
				     "that verification found",
				v->from_seq + 1, v->head_seq, v->rows, v->rows == 1 ? "" : "s",
				v->checkpoint == 1 ? ", reaches its signed checkpoint" : "", v->from_seq);
		else
			fprintf(out, "- **Journal integrity:** intact from the last verification on: no rows since row seq %" PRId64
				     ", which still has the hash that verification found%s",
				v->from_seq, v->checkpoint == 1 ? " (and reaches its signed checkpoint)" : "");
		fprintf(out, "; rows up to seq %" PRId64 " were not read again (a full verification found rows up to seq %" PRId64
			     " intact at %s; `opsdeck journal verify` walks every row)", v->from_seq, v->full_seq, when);
	} else if (vr == 1) {
		fprintf(out, "- **Journal integrity:** BROKEN at row seq %" PRId64 " (%s): %s\n", v->first_bad_seq, v->table,
			v->reason);
		return;
	} else {
		fprintf(out, "- **Journal integrity:** could not be checked\n");
		return;
	}
	fprintf(out, "; chain head `%" PRId64 ":%s` (keep it: `opsdeck journal verify --head %" PRId64 ":%s` shows later "
		     "whether this journal still holds every row up to here)\n", v->head_seq, v->head, v->head_seq, v->head);
}

static int export_md(struct journal *j, int64_t run, const struct journal_run_info *ri,
		     const struct runbook *rb, FILE *out, char **err)
{
	struct journal_step_row *rows;
	struct journal_signoff_row *so;
	struct journal_verify v;
	int nr, ns;
	if (journal_step_latest(j, run, &rows, &nr, err) < 0)
		return -1;
	if (journal_signoffs(j, run, &so, &ns, err) < 0) {
		journal_step_rows_free(rows, nr);
		return -1;
	}
	int vr = journal_verify_since(j, &v, err);
	char when[40];
	utc(when, sizeof when, ri->started_at);
	fprintf(out, "# %s: %s — run %" PRId64 "\n\n", ri->ref, ri->title ? ri->title : "", run);
	fprintf(out, "- **Environment:** %s\n- **Operator:** %s (OS user %s)\n- **Started:** %s\n- **State:** %s\n",
		ri->env ? ri->env : "-", ri->operator_name ? ri->operator_name : "-", ri->os_user ? ri->os_user : "-",
		when, ri->state ? ri->state : "-");
	integrity(out, vr, &v);
	const char *phase = NULL;
	int cursor = 0;
	for (int i = 0; rb && i < rb->n_steps; i++) {
		const struct step *st = &rb->steps[i];
		if (!phase || strcmp(phase, st->phase ? st->phase : "")) {
			phase = st->phase ? st->phase : "";
			fprintf(out, "\n## %s\n\n", phase);
		}
		md_step(out, st, row_of(rows, nr, &cursor, st->number));
	}
	if (!rb) { /* the definition is gone: the journal's rows alone */
		fputs("\n## Steps\n\n", out);
		for (int i = 0; i < nr; i++) {
			struct step st = {.number = atoi(rows[i].step_id), .title = rows[i].title};
			md_step(out, &st, &rows[i]);
		}
	}
	struct journal_value *vals;
	int nv;
	if (journal_run_values(j, run, &vals, &nv, err) == 0) {
		if (nv)
			fputs("\n## Values\n\n", out);
		for (int i = 0; i < nv; i++) {
			fprintf(out, "- %s `%s` = ", vals[i].kind, vals[i].name);
			put_inline(out, vals[i].value);
			fputc('\n', out);
		}
		journal_values_free(vals, nv);
	}
	fputs("\n## Sign-off\n\n", out);
	int unsigned_roles = 0;
	for (int i = 0; rb && i < rb->n_roles; i++) {
		const struct journal_signoff_row *s = NULL;
		for (int k = 0; k < ns; k++) {
			int corrected = 0;
			for (int m = 0; m < ns; m++)
				corrected |= so[m].corrects_id == so[k].id;
			if (!corrected && rb->roles[i].role && !strcasecmp(so[k].role, rb->roles[i].role))
				s = &so[k];
		}
		if (!s) {
			fprintf(out, "- [ ] **%s**: ______ Time: ______\n", rb->roles[i].role ? rb->roles[i].role : "?");
			unsigned_roles++;
			continue;
		}
		utc(when, sizeof when, s->recorded_at);
		fprintf(out, "- [x] **%s**: %s (OS user %s) Time: %s", s->role, s->person, s->os_user, when);
		if (s->corrects_id)
			fprintf(out, " (corrects sign-off #%" PRId64 ")", s->corrects_id);
		if (s->reason) {
			fputs(" — **signed with a reason:** ", out);
			put_inline(out, s->reason);
		}
		if (s->comment) {
			fputs(" — ", out);
			put_inline(out, s->comment);
		}
		fputc('\n', out);
	}
	for (int k = 0; !rb && k < ns; k++)
		fprintf(out, "- [x] **%s**: %s (OS user %s)\n", so[k].role, so[k].person, so[k].os_user);
	/* a checklist is complete only when every role has signed */
	if (rb && rb->n_roles && unsigned_roles)
		fprintf(out, "\n**Not complete:** %d of %d roles still to sign\n", unsigned_roles, rb->n_roles);
	else if (rb && rb->n_roles)
		fprintf(out, "\n**Complete:** every role has signed\n");
	journal_step_rows_free(rows, nr);
	journal_signoff_rows_free(so, ns);
	free(*err);
	*err = NULL;
	return 0;
}

static int export_csv(struct journal *j, int64_t run, const struct journal_run_info *ri, FILE *out, char **err)
{
	struct journal_step_row *rows;
	int nr;
	if (journal_step_latest(j, run, &rows, &nr, err) < 0)
		return -1;
	fputs("run,ref,step,title,status,observed,expectation,note,duration_ms,recorded_at\n", out);
	for (int i = 0; i < nr; i++) {
		char id[24], ms[24], at[24];
		snprintf(id, sizeof id, "%" PRId64, run);
		snprintf(ms, sizeof ms, "%" PRId64, rows[i].duration_ms);
		snprintf(at, sizeof at, "%" PRId64, rows[i].recorded_at);
		csv_field(out, id, 0);
		csv_field(out, ri->ref, 0);
		csv_field(out, rows[i].step_id, 0);
		csv_field(out, rows[i].title, 0);
		csv_field(out, rows[i].status, 0);
		csv_field(out, rows[i].observed, 0);
		csv_field(out, rows[i].expectation, 0);
		csv_field(out, rows[i].note, 0);
		csv_field(out, rows[i].duration_ms < 0 ? "" : ms, 0);
		csv_field(out, at, 1);
	}
	journal_step_rows_free(rows, nr);
	return 0;
}

int export_run(struct journal *j, int64_t run, const char *format, FILE *out, char **err)
{
	struct journal_run_info ri;
	int found = journal_run_info(j, run, &ri, err);
	if (found <= 0) {
		if (found == 0)
			*err = xasprintf("there is no run %" PRId64 " in the journal", run);
		return found == 0 ? 1 : -1;
	}
	int rc;
	if (!strcmp(format, "json")) {
		rc = journal_show(j, run, out, 1, err);
	} else if (!strcmp(format, "csv")) {
		rc = export_csv(j, run, &ri, out, err);
	} else {
		struct runbook rb = {0};
		char *why = NULL, *path = rb_locate(ri.ref, &why);
		int have = path && runbook_load(&rb, path, &why) == 0 && str_eq(rb.id, ri.ref);
		rc = export_md(j, run, &ri, have ? &rb : NULL, out, err);
		runbook_done(&rb);
		free(path);
		free(why);
	}
	journal_run_info_done(&ri);
	return rc;
}
