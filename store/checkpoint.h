/* The chain head kept outside the database: after every committed write the journal's
 * newest seq and hash go to PATH.head (beside the journal), with an HMAC-SHA256 made with a
 * key of the user's ($XDG_CONFIG_HOME/opsdeck/journal.key, created 0600 on first use).
 *
 * The rows' hash chain finds a row altered, deleted, inserted or reordered; it cannot find
 * rows cut off the end together with the chain_head row rewound, because what is left is a
 * valid chain. The checkpoint can: a journal that ends before the checkpointed seq, or whose
 * row at that seq has another hash, was truncated or rewritten. Someone who also holds the
 * key (the same OS user) can forge a checkpoint; an exported report prints the head, so a
 * copy kept elsewhere is the stronger evidence (`journal verify --head SEQ:HASH`). */
#ifndef OD_CHECKPOINT_H
#define OD_CHECKPOINT_H

#include <stdint.h>

/* PATH.head, malloced. */
char *checkpoint_path(const char *journal_path);
/* Writes seq and hash (64 hex) atomically (temp file + rename), unless the file already
 * holds a later seq (another writer got there first). 0, or -1 with *err. */
int checkpoint_write(const char *journal_path, int64_t seq, const char *hash, char **err);

enum checkpoint_sig { CP_SIG_OK, CP_SIG_BAD, CP_SIG_OTHER_KEY };
/* 1 read (*seq, hash[65], *sig set), 0 no checkpoint file, -1 unreadable or malformed
 * (*err says which line). */
int checkpoint_read(const char *journal_path, int64_t *seq, char *hash, enum checkpoint_sig *sig, char **err);

/* The verification mark PATH.verified, kept beside the journal by a walk that found the
 * chain intact: every row up to seq was walked (the last walk from the first row reached
 * full_seq at full_at; later walks went on from there), and the row at seq had hash then.
 * HMAC-signed with the same key as the checkpoint (another message, so neither file passes
 * for the other): without the key it cannot be forged or moved to a later seq. A walk may
 * start from it (chain_verify_from): it must find the row at seq with that hash. What it
 * cannot see is a row before seq altered since, with the rows after it left as they were:
 * only a walk from the first row (journal verify) finds that. */
struct verified_mark {
	int64_t seq;
	char hash[65];
	int64_t full_seq;
	int64_t full_at; /* ms since the epoch */
};
char *verified_mark_path(const char *journal_path); /* malloced */
/* Needs the user's key (never creates it). 0, or -1 with *err. */
int verified_mark_write(const char *journal_path, const struct verified_mark *m, char **err);
/* 1 a mark signed with this user's key (*m set); 0 none, or one that is not (malformed,
 * altered, another user's key): then nothing may be taken from it. */
int verified_mark_read(const char *journal_path, struct verified_mark *m);

#endif
