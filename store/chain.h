/* The hash chain: one global sequence over every recorded table. Each row stores its
 * seq, the previous row's hash and its own hash:
 *
 *   hash = hex(SHA-256( str("opsdeck-journal-chain-v1") str(table) int(seq)
 *                       { str(column name) value }...  str(prev_hash) ))
 *
 *   str(s)   = 'T' u64be(byte length) bytes      int(i)  = 'I' i64be(i)
 *   real(d)  = 'R' u64be(IEEE-754 bits), -0 as 0 blob(b) = 'B' u64be(length) bytes
 *   NULL     = 'N'
 *
 * Content columns come in the fixed order of schema.c; a column added by a later schema
 * version is left out while NULL. Appends read and advance chain_head inside one
 * BEGIN IMMEDIATE transaction, so concurrent writers serialize. */
#ifndef OD_CHAIN_H
#define OD_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "store/schema.h"

struct journal;
struct journal_verify;

enum jval_type { JV_NULL, JV_INT, JV_REAL, JV_TEXT, JV_BLOB };

struct jval {
	enum jval_type type;
	int64_t i;
	double d;
	const char *s; /* JV_TEXT, JV_BLOB: n bytes (borrowed) */
	size_t n;
};

struct jval jv_text(const char *s); /* NULL gives JV_NULL */
struct jval jv_int(int64_t i);
struct jval jv_real(double d);
struct jval jv_null(void);

/* One write = chain_begin, chain_append..., chain_commit; on any failure call
 * chain_rollback (the error message is already in *err). */
int chain_begin(struct journal *j, const char *what, char **err);
/* vals: nvals values, one per content column of t in schema order. Sets *row_id if not
 * NULL. `what` starts the error message ("cannot record step result"). */
int chain_append(struct journal *j, enum jtable_id t, const struct jval *vals, size_t nvals,
		 int64_t *row_id, const char *what, char **err);
int chain_commit(struct journal *j, const char *what, char **err);
void chain_rollback(struct journal *j);

/* Single-row write: begin, append, commit (rollback on failure). */
int chain_append_one(struct journal *j, enum jtable_id t, const struct jval *vals, size_t nvals,
		     int64_t *row_id, const char *what, char **err);

int chain_verify(struct journal *j, struct journal_verify *v, char **err);
/* Walks only the rows after seq from, the first linked to the row at from, which must still
 * have from_hash: 0 intact, 1 broken (v says where), 2 the row at from is gone or has
 * another hash (walk from the start instead), -1 error. Rows up to from are not read. */
int chain_verify_from(struct journal *j, struct journal_verify *v, int64_t from, const char *from_hash,
		      char **err);
/* The hash of the row at chain position seq: 1 found (hash: 65 bytes), 0 none, -1 error. */
int chain_hash_at(struct journal *j, int64_t seq, char *hash, char **err);

#endif
