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

#endif
