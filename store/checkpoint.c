/* The chain head checkpoint beside the journal (checkpoint.h). The file:
 *
 *   opsdeck journal checkpoint v1
 *   seq 1234
 *   hash <64 hex>
 *   key <16 hex: the first bytes of SHA-256(key), to tell "another key" from "altered">
 *   mac <64 hex: HMAC-SHA256(key, "seq 1234\nhash <hex>\n")>
 */
#include "store/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/util.h"

#define KEY_LEN 32
#define MAGIC "opsdeck journal checkpoint v1"
#define MARK_MAGIC "opsdeck journal verified v1"

char *checkpoint_path(const char *journal_path)
{
	return xasprintf("%s.head", journal_path);
}

static void hex(const unsigned char *b, unsigned n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static char *key_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/opsdeck/journal.key", xdg);
	if (home && *home)
		return xasprintf("%s/.config/opsdeck/journal.key", home);
	return NULL;
}

static int mkdir_parent(const char *path)
{
	char *dir = xstrdup(path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

/* The user's key: read, or made on first use (create = 1). 0, or -1 with *err. */
static int load_key(unsigned char *key, int create, char **err)
{
	char *path = key_path();
	if (!path) {
		*err = xstrdup("no place for the journal key: neither XDG_CONFIG_HOME nor HOME is set");
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		unsigned char fresh[KEY_LEN];
		if (RAND_bytes(fresh, KEY_LEN) != 1 || mkdir_parent(path) < 0) {
			*err = xasprintf("%s: cannot create the journal key", path);
			free(path);
			return -1;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			int ok = write(fd, fresh, KEY_LEN) == KEY_LEN && fsync(fd) == 0;
			close(fd);
			if (!ok) {
				unlink(path);
				*err = xasprintf("%s: cannot write the journal key: %s", path, strerror(errno));
				free(path);
				return -1;
			}
		}
		/* EEXIST: another process made it first; read theirs */
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	struct stat st;
	ssize_t got = fstat(fd, &st) == 0 ? read(fd, key, KEY_LEN) : -1;
	close(fd);
	if (got != KEY_LEN || (st.st_mode & 077)) {
		*err = got != KEY_LEN ? xasprintf("%s: not a journal key (%d bytes): remove it to make a new one",
						  path, KEY_LEN)
				      : xasprintf("%s is readable by others: chmod 600 it", path);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static void sign_msg(const unsigned char *key, const char *msg, size_t n, char *key_id, char *mac_hex)
{
	unsigned char mac[EVP_MAX_MD_SIZE], kd[EVP_MAX_MD_SIZE];
	unsigned mlen = 0, klen = 0;
	HMAC(EVP_sha256(), key, KEY_LEN, (const unsigned char *)msg, n, mac, &mlen);
	EVP_Digest(key, KEY_LEN, kd, &klen, EVP_sha256(), NULL);
	hex(mac, mlen, mac_hex);
	hex(kd, 8, key_id);
}

static void sign(const unsigned char *key, int64_t seq, const char *hash, char *key_id, char *mac_hex)
{
	char msg[128];
	int n = snprintf(msg, sizeof msg, "seq %" PRId64 "\nhash %s\n", seq, hash);
	sign_msg(key, msg, (size_t)n, key_id, mac_hex);
}

/* text to path, atomically: a temp file beside it, then rename. 0, or -1 with *err. */
static int write_atomic(const char *path, const char *text, const char *what, char **err)
{
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int rc = -1;
	if (f) {
		fputs(text, f);
		rc = fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : -1;
	} else if (fd >= 0) {
		close(fd);
	}
	if (rc < 0) {
		*err = xasprintf("%s: cannot write the journal %s: %s", path, what, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

static int64_t file_seq(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char line[160];
	int64_t seq = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "seq %" SCNd64, &seq) == 1)
			break;
	fclose(f);
	return seq;
}

int checkpoint_write(const char *journal_path, int64_t seq, const char *hash, char **err)
{
	unsigned char key[KEY_LEN];
	if (load_key(key, 1, err) < 0)
		return -1;
	char *path = checkpoint_path(journal_path);
	if (file_seq(path) > seq) {
		free(path);
		return 0;
	}
	char key_id[17], mac[2 * EVP_MAX_MD_SIZE + 1];
	sign(key, seq, hash, key_id, mac);
	char *text = xasprintf(MAGIC "\nseq %" PRId64 "\nhash %s\nkey %s\nmac %s\n", seq, hash, key_id, mac);
	int rc = write_atomic(path, text, "checkpoint", err);
	free(text);
	free(path);
	return rc;
}

int checkpoint_read(const char *journal_path, int64_t *seq, char *hash, enum checkpoint_sig *sig, char **err)
{
	char *path = checkpoint_path(journal_path);
	FILE *f = fopen(path, "re");
	if (!f) {
		int missing = errno == ENOENT;
		if (!missing)
			*err = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return missing ? 0 : -1;
	}
	char line[200], key_id[17] = "", mac[65] = "";
	int lineno = 0, have = 0;
	hash[0] = '\0';
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (lineno == 1 ? !strcmp(line, MAGIC)
				: sscanf(line, "seq %" SCNd64, seq) == 1 || sscanf(line, "hash %64[0-9a-f]", hash) == 1 ||
					  sscanf(line, "key %16[0-9a-f]", key_id) == 1 ||
					  sscanf(line, "mac %64[0-9a-f]", mac) == 1)
			have |= 1 << (lineno - 1);
		else
			break;
	}
	fclose(f);
	if (have != 31 || strlen(hash) != 64 || strlen(mac) != 64) {
		*err = xasprintf("%s:%d: not a journal checkpoint (expected '" MAGIC "', then seq, hash, key and mac lines)",
				 path, lineno);
		free(path);
		return -1;
	}
	free(path);
	unsigned char key[KEY_LEN];
	char *kerr = NULL, want_id[17], want_mac[2 * EVP_MAX_MD_SIZE + 1];
	if (load_key(key, 0, &kerr) < 0) {
		free(kerr);
		*sig = CP_SIG_OTHER_KEY;
		return 1;
	}
	sign(key, *seq, hash, want_id, want_mac);
	*sig = strcmp(want_id, key_id) ? CP_SIG_OTHER_KEY : strcmp(want_mac, mac) ? CP_SIG_BAD : CP_SIG_OK;
	return 1;
}

/* ---- the verification mark ---- */

char *verified_mark_path(const char *journal_path)
{
	return xasprintf("%s.verified", journal_path);
}

/* What the mark's MAC covers: its lines up to (not with) "key". */
static char *mark_body(const struct verified_mark *m)
{
	return xasprintf(MARK_MAGIC "\nseq %" PRId64 "\nhash %s\nfull_seq %" PRId64 "\nfull_at %" PRId64 "\n",
			 m->seq, m->hash, m->full_seq, m->full_at);
}

int verified_mark_write(const char *journal_path, const struct verified_mark *m, char **err)
{
	unsigned char key[KEY_LEN];
	if (strlen(m->hash) != 64 || m->seq <= 0 || load_key(key, 0, err) < 0)
		return -1;
	char key_id[17], mac[2 * EVP_MAX_MD_SIZE + 1];
	char *body = mark_body(m);
	sign_msg(key, body, strlen(body), key_id, mac);
	char *text = xasprintf("%skey %s\nmac %s\n", body, key_id, mac);
	char *path = verified_mark_path(journal_path);
	int rc = write_atomic(path, text, "verification mark", err);
	free(path);
	free(text);
	free(body);
	return rc;
}

int verified_mark_read(const char *journal_path, struct verified_mark *m)
{
	char *path = verified_mark_path(journal_path);
	FILE *f = fopen(path, "re");
	free(path);
	if (!f)
		return 0;
	char text[512], key_id[17] = "", mac[65] = "";
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	memset(m, 0, sizeof *m);
	if (sscanf(text, MARK_MAGIC "\nseq %" SCNd64 "\nhash %64[0-9a-f]\nfull_seq %" SCNd64 "\nfull_at %" SCNd64
		   "\nkey %16[0-9a-f]\nmac %64[0-9a-f]", &m->seq, m->hash, &m->full_seq, &m->full_at, key_id, mac) != 6 ||
	    strlen(m->hash) != 64 || strlen(mac) != 64)
		return 0;
	unsigned char key[KEY_LEN];
	char *kerr = NULL, want_id[17], want_mac[2 * EVP_MAX_MD_SIZE + 1];
	if (load_key(key, 0, &kerr) < 0) {
		free(kerr);
		return 0;
	}
	/* the MAC covers the fields as this build writes them: anything else is not a mark */
	char *body = mark_body(m);
	sign_msg(key, body, strlen(body), want_id, want_mac);
	int good = strncmp(text, body, strlen(body)) == 0 && !strcmp(want_id, key_id) && !strcmp(want_mac, mac);
	free(body);
	return good;
}
