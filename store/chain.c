/* The hash chain: canonical row serialization, appends, verification (see chain.h). */
#include "store/chain.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"
#include "store/checkpoint.h"
#include "store/journal.h"
#include "store/store.h"

#define HASH_HEX 64
#define CHAIN_DOMAIN "opsdeck-journal-chain-v1"

struct jval jv_text(const char *s)
{
	if (!s)
		return jv_null();
	return (struct jval){.type = JV_TEXT, .s = s, .n = strlen(s)};
}

struct jval jv_int(int64_t i) { return (struct jval){.type = JV_INT, .i = i}; }
struct jval jv_real(double d) { return (struct jval){.type = JV_REAL, .d = d}; }
struct jval jv_null(void) { return (struct jval){.type = JV_NULL}; }

/* ---- canonical serialization, then SHA-256 ---- */

static void put_u64(struct sbuf *sb, char tag, uint64_t v)
{
	char b[9];
	b[0] = tag;
	for (int i = 0; i < 8; i++)
		b[1 + i] = (char)(unsigned char)(v >> (56 - 8 * i));
	sbuf_addn(sb, b, sizeof b);
}

static void put_bytes(struct sbuf *sb, char tag, const char *s, size_t n)
{
	put_u64(sb, tag, n);
	sbuf_addn(sb, s, n);
}

static void put_str(struct sbuf *sb, const char *s) { put_bytes(sb, 'T', s, strlen(s)); }

static void put_val(struct sbuf *sb, const struct jval *v)
{
	uint64_t bits;
	double x;
	switch (v->type) {
	case JV_NULL:
		sbuf_addc(sb, 'N');
		break;
	case JV_INT:
		put_u64(sb, 'I', (uint64_t)v->i);
		break;
	case JV_REAL:
		x = v->d == 0 ? 0.0 : v->d; /* SQLite may store -0.0 as integer 0 */
		memcpy(&bits, &x, sizeof bits);
		put_u64(sb, 'R', bits);
		break;
	case JV_TEXT:
		put_bytes(sb, 'T', v->s, v->n);
		break;
	case JV_BLOB:
		put_bytes(sb, 'B', v->s, v->n);
		break;
	}
}

static void serialize(struct sbuf *sb, const struct jtable *t, int64_t seq, const struct jval *vals,
		      const char *prev, size_t prev_n)
{
	sbuf_reset(sb);
	put_str(sb, CHAIN_DOMAIN);
	put_str(sb, t->name);
	put_u64(sb, 'I', (uint64_t)seq);
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].since > 1 && vals[i].type == JV_NULL)
			continue;
		put_str(sb, t->cols[i].name);
		put_val(sb, &vals[i]);
	}
	put_bytes(sb, 'T', prev, prev_n);
}

struct hasher {
	EVP_MD *md;      /* fetched once: an implicit fetch per row costs more than the hash */
	struct sbuf buf; /* reused for every row */
};

static int hasher_init(struct hasher *h)
{
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->buf = (struct sbuf){0};
	return h->md ? 0 : -1;
}

static void hasher_done(struct hasher *h)
{
	EVP_MD_free(h->md);
	sbuf_done(&h->buf);
}

static void to_hex(const unsigned char *md, unsigned n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/* out: HASH_HEX + 1 bytes. prev: the previous row's hash as stored (prev_n bytes). */
static int row_hash(struct hasher *h, const struct jtable *t, int64_t seq, const struct jval *vals,
		    const char *prev, size_t prev_n, char *out)
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	serialize(&h->buf, t, seq, vals, prev, prev_n);
	if (EVP_Digest(h->buf.buf, h->buf.len, sum, &n, h->md, NULL) != 1 || n * 2 != HASH_HEX)
		return -1;
	to_hex(sum, n, out);
	return 0;
}

/* ---- appends ---- */

static sqlite3_stmt *cached(struct journal *j, sqlite3_stmt **slot, const char *sql,
			    const char *what, char **err)
{
	if (!*slot &&
	    sqlite3_prepare_v3(j->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
		store_fail(j, err, what);
		sqlite3_finalize(*slot);
		*slot = NULL;
	}
	return *slot;
}

static char *insert_sql(const struct jtable *t)
{
	struct sbuf sb = {0};
	sbuf_addf(&sb, "INSERT INTO %s (seq", t->name);
	for (size_t i = 0; i < t->ncols; i++)
		sbuf_addf(&sb, ", %s", t->cols[i].name);
	sbuf_add(&sb, ", prev_hash, hash) VALUES (?");
	for (size_t i = 0; i < t->ncols + 2; i++)
		sbuf_add(&sb, ", ?");
	sbuf_add(&sb, ")");
	return sbuf_steal(&sb);
}

static int bind_val(sqlite3_stmt *st, int i, const struct jval *v)
{
	switch (v->type) {
	case JV_INT:
		return sqlite3_bind_int64(st, i, v->i);
	case JV_REAL:
		return sqlite3_bind_double(st, i, v->d);
	case JV_TEXT:
		return sqlite3_bind_text64(st, i, v->s, v->n, SQLITE_STATIC, SQLITE_UTF8);
	case JV_BLOB:
		return sqlite3_bind_blob64(st, i, v->s, v->n, SQLITE_STATIC);
	case JV_NULL:
		break;
	}
	return sqlite3_bind_null(st, i);
}

/* Runs a cached write statement to completion and leaves it reset with no bindings. */
static int step_done(struct journal *j, sqlite3_stmt *st, const char *what, char **err)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_fail(j, err, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int insert_row(struct journal *j, enum jtable_id t, int64_t seq, const struct jval *vals,
		      const char *prev, const char *hash, const char *what, char **err)
{
	const struct jtable *tab = schema_table(t);
	char *sql = insert_sql(tab);
	sqlite3_stmt *st = cached(j, &j->insert[t], sql, what, err);
	free(sql);
	if (!st)
		return -1;
	int rc = sqlite3_bind_int64(st, 1, seq);
	for (size_t i = 0; rc == SQLITE_OK && i < tab->ncols; i++)
		rc = bind_val(st, (int)i + 2, &vals[i]);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, (int)tab->ncols + 2, prev, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, (int)tab->ncols + 3, hash, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		store_fail(j, err, what);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return -1;
	}
	return step_done(j, st, what, err);
}

/* hash: HASH_HEX + 1 bytes */
static int head_read(struct journal *j, int64_t *seq, char *hash, const char *what, char **err)
{
	sqlite3_stmt *st = cached(j, &j->head_get, "SELECT seq, hash FROM chain_head WHERE id = 1",
				  what, err);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	const unsigned char *h = rc == SQLITE_ROW ? sqlite3_column_text(st, 1) : NULL;
	int good = h && strlen((const char *)h) == HASH_HEX;
	if (good) {
		*seq = sqlite3_column_int64(st, 0);
		memcpy(hash, h, HASH_HEX + 1);
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		store_failf(j, err, ": %s: the chain head is missing or damaged", what);
	} else {
		store_fail(j, err, what);
	}
	sqlite3_reset(st);
	return good ? 0 : -1;
}

static int head_write(struct journal *j, int64_t seq, const char *hash, const char *what, char **err)
{
	sqlite3_stmt *st = cached(j, &j->head_set,
				  "UPDATE chain_head SET seq = ?1, hash = ?2 WHERE id = 1", what, err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	if (step_done(j, st, what, err) < 0)
		return -1;
	if (sqlite3_changes(j->db) != 1)
		return store_failf(j, err, ": %s: the chain head is missing", what);
	return 0;
}

int chain_begin(struct journal *j, const char *what, char **err)
{
	if (j->read_only)
		return store_failf(j, err, ": %s: the journal was opened read-only", what);
	return store_exec(j, "BEGIN IMMEDIATE", what, err);
}

int chain_append(struct journal *j, enum jtable_id t, const struct jval *vals, size_t nvals,
		 int64_t *row_id, const char *what, char **err)
{
	int64_t seq;
	if (nvals != schema_table(t)->ncols)
		return store_failf(j, err, ": %s: internal error: %zu values for the %zu columns of %s",
				   what, nvals, schema_table(t)->ncols, schema_table(t)->name);
	char prev[HASH_HEX + 1], hash[HASH_HEX + 1];
	if (head_read(j, &seq, prev, what, err) < 0)
		return -1;
	seq++;
	struct hasher h;
	int rc = hasher_init(&h) == 0 ? row_hash(&h, schema_table(t), seq, vals, prev, HASH_HEX, hash) : -1;
	hasher_done(&h);
	if (rc < 0)
		return store_failf(j, err, ": %s: SHA-256 is not available from libcrypto", what);
	if (insert_row(j, t, seq, vals, prev, hash, what, err) < 0)
		return -1;
	if (row_id)
		*row_id = sqlite3_last_insert_rowid(j->db);
	if (head_write(j, seq, hash, what, err) < 0)
		return -1;
	j->cp_seq = seq;
	memcpy(j->cp_hash, hash, HASH_HEX + 1);
	return 0;
}

int chain_commit(struct journal *j, const char *what, char **err)
{
	if (store_exec(j, "COMMIT", what, err) < 0)
		return -1;
	/* the rows are durable now; the checkpoint follows them (a crash in between leaves it
	 * behind the journal, which verify accepts: only a journal behind it is cut short) */
	if (j->cp_seq > 0) {
		free(j->cp_err);
		j->cp_err = NULL;
		checkpoint_write(j->path, j->cp_seq, j->cp_hash, &j->cp_err);
		j->cp_seq = 0;
	}
	return 0;
}

int chain_hash_at(struct journal *j, int64_t seq, char *hash, char **err)
{
	struct sbuf sb = {0};
	for (size_t t = 0; t < JT__COUNT; t++)
		sbuf_addf(&sb, "%sSELECT hash FROM %s WHERE seq = ?1", t ? " UNION ALL " : "", schema_table(t)->name);
	char *sql = sbuf_steal(&sb);
	sqlite3_stmt *st = store_prepare(j, sql, err);
	free(sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	int rc = sqlite3_step(st), found = 0;
	if (rc == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_text(st, 0);
		snprintf(hash, HASH_HEX + 1, "%s", h ? (const char *)h : "");
		found = 1;
	} else if (rc != SQLITE_DONE) {
		store_fail(j, err, "cannot read the journal");
		found = -1;
	}
	sqlite3_finalize(st);
	return found;
}

void chain_rollback(struct journal *j)
{
	j->cp_seq = 0;
	if (!sqlite3_get_autocommit(j->db))
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
}

int chain_append_one(struct journal *j, enum jtable_id t, const struct jval *vals, size_t nvals,
		     int64_t *row_id, const char *what, char **err)
{
	if (chain_begin(j, what, err) < 0)
		return -1;
	if (chain_append(j, t, vals, nvals, row_id, what, err) < 0 || chain_commit(j, what, err) < 0) {
		chain_rollback(j);
		return -1;
	}
	return 0;
}

/* ---- verification ---- */

/* Every recorded row in chain order: t (table index), id, seq, prev_hash, hash, then the
 * table's content columns padded with NULLs to the widest table. after > 0: only the rows
 * with seq > ?1 (each table's seq index finds them); the full walk has no WHERE, so a row
 * whose seq was edited to anything at all is still seen. */
static char *walk_sql(int64_t after)
{
	struct sbuf sb = {0};
	size_t width = schema_max_cols();
	for (size_t t = 0; t < JT__COUNT; t++) {
		const struct jtable *tab = schema_table(t);
		sbuf_addf(&sb, "%sSELECT %zu AS t, id, seq, prev_hash, hash", t ? " UNION ALL " : "", t);
		for (size_t i = 0; i < width; i++)
			sbuf_addf(&sb, ", %s", i < tab->ncols ? tab->cols[i].name : "NULL");
		sbuf_addf(&sb, " FROM %s%s", tab->name, after > 0 ? " WHERE seq > ?1" : "");
	}
	sbuf_add(&sb, " ORDER BY seq");
	return sbuf_steal(&sb);
}

static struct jval column_val(sqlite3_stmt *st, int i)
{
	struct jval v = {.type = JV_NULL};
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return jv_int(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return jv_real(sqlite3_column_double(st, i));
	case SQLITE_TEXT:
		v.type = JV_TEXT;
		v.s = (const char *)sqlite3_column_text(st, i);
		v.n = (size_t)sqlite3_column_bytes(st, i);
		break;
	case SQLITE_BLOB:
		v.type = JV_BLOB;
		v.s = sqlite3_column_blob(st, i);
		v.n = (size_t)sqlite3_column_bytes(st, i);
		break;
	}
	return v;
}

struct walk {
	struct hasher h;
	struct jval *vals;
	int64_t head_seq;
	char head_hash[HASH_HEX + 1];
	int64_t seq;                  /* last good row */
	char hash[HASH_HEX + 1];      /* its hash */
};

static int bad(struct journal_verify *v, const char *table, int64_t id, int64_t seq,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int bad(struct journal_verify *v, const char *table, int64_t id, int64_t seq,
	       const char *fmt, ...)
{
	va_list ap;
	snprintf(v->table, sizeof v->table, "%s", table);
	v->row_id = id;
	v->first_bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof v->reason, fmt, ap);
	va_end(ap);
	return 1;
}

/* The column holds exactly the text want (type checked first: reading it as text
 * would convert it). */
static int text_is(sqlite3_stmt *st, int i, const char *want)
{
	if (sqlite3_column_type(st, i) != SQLITE_TEXT)
		return 0;
	const unsigned char *s = sqlite3_column_text(st, i);
	return s && strcmp((const char *)s, want) == 0;
}

/* Where a row sits in the chain: 0 fine, 1 bad (v filled). */
static int check_position(struct walk *w, sqlite3_stmt *st, const char *table, int64_t id,
			  struct journal_verify *v)
{
	int64_t want = w->seq + 1;
	if (sqlite3_column_type(st, 2) != SQLITE_INTEGER)
		return bad(v, table, id, want, "its seq is not a number (row edited)");
	int64_t seq = sqlite3_column_int64(st, 2);
	if (seq < want)
		return bad(v, table, id, seq, "seq %" PRId64 " is used twice or out of range (rows renumbered?)", seq);
	if (seq == want + 1)
		return bad(v, table, id, seq, "row seq %" PRId64 " before it is missing (deleted?)", want);
	if (seq > want)
		return bad(v, table, id, seq, "rows seq %" PRId64 "..%" PRId64 " before it are missing (deleted?)",
			   want, seq - 1);
	if (seq > w->head_seq)
		return bad(v, table, id, seq, "it is beyond the chain head (seq %" PRId64 "): added outside the journal?",
			   w->head_seq);
	if (!text_is(st, 3, w->hash)) {
		if (w->seq == 0)
			return bad(v, table, id, seq, "its prev_hash is not the chain start (rows reordered or removed?)");
		return bad(v, table, id, seq, "its prev_hash does not match the hash of row seq %" PRId64
			   " (rows reordered, swapped or removed?)", w->seq);
	}
	return 0;
}

static int check_row(struct journal *j, struct walk *w, sqlite3_stmt *st,
		     struct journal_verify *v, char **err)
{
	int ti = sqlite3_column_int(st, 0);
	const struct jtable *t = schema_table((enum jtable_id)ti);
	int64_t id = sqlite3_column_int64(st, 1);
	if (check_position(w, st, t->name, id, v))
		return 1;
	int64_t seq = sqlite3_column_int64(st, 2);
	for (size_t i = 0; i < t->ncols; i++)
		w->vals[i] = column_val(st, 5 + (int)i);
	char hash[HASH_HEX + 1];
	if (row_hash(&w->h, t, seq, w->vals, w->hash, HASH_HEX, hash) < 0)
		return store_failf(j, err, ": SHA-256 is not available from libcrypto");
	if (!text_is(st, 4, hash))
		return bad(v, t->name, id, seq, "content altered: its hash does not match its content");
	w->seq = seq;
	memcpy(w->hash, hash, sizeof hash);
	return 0;
}

/* After the last row: the chain head must name it. */
static int check_tail(const struct walk *w, struct journal_verify *v)
{
	if (w->seq < w->head_seq) {
		if (w->seq + 1 == w->head_seq)
			return bad(v, "chain_head", 1, w->seq + 1, "the last row (seq %" PRId64 ") is missing: "
				   "the chain head names it (tail truncated?)", w->head_seq);
		return bad(v, "chain_head", 1, w->seq + 1, "the last rows (seq %" PRId64 "..%" PRId64 ") are "
			   "missing: the chain head names seq %" PRId64 " (tail truncated?)",
			   w->seq + 1, w->head_seq, w->head_seq);
	}
	if (strcmp(w->hash, w->head_hash) != 0)
		return bad(v, "chain_head", 1, w->seq, "the chain head's hash does not match the last row "
			   "(seq %" PRId64 ")", w->seq);
	return 0;
}

static int walk_rows(struct journal *j, struct walk *w, struct journal_verify *v, char **err)
{
	char *sql = walk_sql(w->seq);
	sqlite3_stmt *st = store_prepare(j, sql, err);
	free(sql);
	if (!st)
		return -1;
	if (w->seq > 0)
		sqlite3_bind_int64(st, 1, w->seq);
	int rc, res = 0;
	while (res == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v->rows++;
		res = check_row(j, w, st, v, err);
	}
	if (res == 0 && rc != SQLITE_DONE)
		res = store_fail(j, err, "cannot read the journal");
	sqlite3_finalize(st);
	if (res == 0)
		res = check_tail(w, v);
	return res;
}

/* The walk from the row at seq `from` (0: the chain start), whose hash must be from_hash. */
static int verify_walk(struct journal *j, struct journal_verify *v, int64_t from, const char *from_hash,
		       char **err)
{
	memset(v, 0, sizeof *v);
	struct walk w = {.seq = from};
	snprintf(w.hash, sizeof w.hash, "%s", from_hash);
	/* one read transaction: a consistent snapshot even while another process appends */
	if (store_exec(j, "BEGIN", "cannot read the journal", err) < 0)
		return -1;
	int res = head_read(j, &w.head_seq, w.head_hash, "cannot read the journal", err);
	if (res == 0 && from > 0) {
		char at[HASH_HEX + 1];
		int f = from <= w.head_seq ? chain_hash_at(j, from, at, err) : 0;
		res = f < 0 ? -1 : f == 0 || strcmp(at, from_hash) ? 2 : 0;
	}
	if (res == 0) {
		v->head_seq = w.head_seq;
		memcpy(v->head, w.head_hash, sizeof v->head);
		w.vals = xcalloc(schema_max_cols(), sizeof *w.vals);
		res = hasher_init(&w.h) == 0 ? walk_rows(j, &w, v, err)
					     : store_failf(j, err, ": SHA-256 is not available from libcrypto");
		hasher_done(&w.h);
		free(w.vals);
	}
	chain_rollback(j); /* ends the read transaction; nothing was written */
	return res;
}

int chain_verify(struct journal *j, struct journal_verify *v, char **err)
{
	return verify_walk(j, v, 0, JOURNAL_GENESIS_HASH, err);
}

int chain_verify_from(struct journal *j, struct journal_verify *v, int64_t from, const char *from_hash,
		      char **err)
{
	if (from <= 0 || strlen(from_hash) != HASH_HEX)
		return 2;
	return verify_walk(j, v, from, from_hash, err);
}
