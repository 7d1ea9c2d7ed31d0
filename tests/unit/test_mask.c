/* mask_secrets(), has_secret() and mask_secrets_in(): every form of secret
 * hidden, everything else kept byte for byte, malformed input survived. */
#include "src/config.h"
#include "src/util.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

static void masks(const char *in, const char *want)
{
	char *got = mask_secrets(in);
	is_str(got, want, "mask %s", in);
	is_int(has_secret(in), strcmp(in, want) != 0, "  has_secret agrees");
	free(got);
}

static void test_conninfo(void)
{
	masks("host=db user=ops password=secret dbname=app", "host=db user=ops password=**** dbname=app");
	masks("host=db password=secret", "host=db password=****");
	masks("password=secret", "password=****");
	masks("host=db password = secret  dbname=app", "host=db password = ****  dbname=app");
	masks("host=db password='se cret' dbname=app", "host=db password='****' dbname=app");
	masks("password='it\\'s a \\\\ secret' user=ops", "password='****' user=ops");
	masks("password=back\\ slash user=ops", "password=**** user=ops");
	masks("host=db sslpassword=keypass sslkey=/k.pem", "host=db sslpassword=**** sslkey=/k.pem");
	masks("PASSWORD=x", "PASSWORD=****");
	masks("host=db dbname=app user=ops sslmode=verify-full", "host=db dbname=app user=ops sslmode=verify-full");
	masks("host=db passfile=/home/ops/.pgpass", "host=db passfile=/home/ops/.pgpass");
	masks("service=prod", "service=prod");
}

static void test_postgres_uri(void)
{
	masks("postgresql://ops:secret@db:5432/app", "postgresql://ops:****@db:5432/app");
	masks("postgres://ops:secret@db/app", "postgres://ops:****@db/app");
	masks("postgresql://ops@db/app?password=secret&sslmode=require",
	      "postgresql://ops@db/app?password=****&sslmode=require");
	masks("postgresql://ops:one@db/app?sslmode=require&password=two",
	      "postgresql://ops:****@db/app?sslmode=require&password=****");
	masks("postgresql://ops:p%40ss@h1:5432,h2:5432/app", "postgresql://ops:****@h1:5432,h2:5432/app");
	masks("postgresql://ops:pa/ss@db/app", "postgresql://ops:****@db/app");
	masks("postgresql://ops:pa#ss@db/app", "postgresql://ops:****@db/app");
	masks("postgresql://ops@db/app", "postgresql://ops@db/app");
	masks("postgresql://db:5432/app?application_name=opsdeck", "postgresql://db:5432/app?application_name=opsdeck");
	masks("postgresql://ops:@db/app", "postgresql://ops:@db/app");
}

static void test_redis(void)
{
	masks("redis://:secret@cache:6379/0", "redis://:****@cache:6379/0");
	masks("redis://default:secret@cache:6379", "redis://default:****@cache:6379");
	masks("rediss://ops:s3cr3t@cache.internal:6380/2", "rediss://ops:****@cache.internal:6380/2");
	masks("redis://cache:6379/0", "redis://cache:6379/0");
	masks("redis://ops@cache", "redis://ops@cache");
	masks("redis://cache:6379?password=x", "redis://cache:6379?password=****");
}

static void test_http(void)
{
	masks("https://ops:secret@api.example.com/v1", "https://ops:****@api.example.com/v1");
	masks("https://api.example.com/health?token=abc&verbose=1", "https://api.example.com/health?token=****&verbose=1");
	masks("https://api.example.com/?api_key=k1&apikey=k2&key=k3&secret=s&access_token=t&pass=p&page=2",
	      "https://api.example.com/?api_key=****&apikey=****&key=****&secret=****&access_token=****&pass=****&page=2");
	masks("http://api/x#access_token=abc", "http://api/x#access_token=****");
	masks("https://api.example.com/users/a@b.com", "https://api.example.com/users/a@b.com");
	masks("https://api.example.com:8443/users/me@x", "https://api.example.com:8443/users/me@x");
	masks("https://api.example.com/?monkey=1&keys=2", "https://api.example.com/?monkey=1&keys=2");
	masks("https://api.example.com", "https://api.example.com");
}

static void test_malformed(void)
{
	const char *inputs[] = {
		"", " ", "=", "==", "'", "\\", "password", "password=", "password='", "password='abc",
		"password='abc\\", "password=abc\\", "@", "://", "x://", "redis://", "redis://@", "redis://:@",
		"redis://:@@", "postgresql://@@@", "https://@", "https://?", "https://?&&=&", "https://#=",
		"host=x =y", "host", "host='unterminated password=x", "a=b c", "\t\n", "postgresql://u:p@",
		"http://u:p@?password=", "password secret", "host=db password = ",
	};
	for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
		char *m = mask_secrets(inputs[i]);
		ok(m != NULL, "malformed input %zu survived", i);
		free(m);
		(void)has_secret(inputs[i]);
	}
	masks("password='abc", "password='****");
	masks("host=x password secret", "host=x password ****");
	masks("postgresql://u:p@", "postgresql://u:****@");
	masks("", "");
	ok(mask_secrets(NULL) == NULL && has_secret(NULL) == 0, "NULL in, NULL out");

	/* Every prefix of a tricky string: no crash, no read past the end
	 * (valgrind / ASan watch this). */
	const char *tricky = "postgresql://u:p%4@h/d?password='x\\&key=#access_token=";
	size_t n = strlen(tricky);
	int fine = 1;
	for (size_t i = 0; i <= n; i++) {
		char *cut = xstrndup(tricky, i);
		char *m = mask_secrets(cut);
		fine &= m != NULL;
		free(m);
		free(cut);
	}
	ok(fine, "every prefix of a tricky URI");
}

static void test_mask_in(void)
{
	char *got = mask_secrets_in("invalid percent-encoded token: \"p%zz\"", "postgresql://u:p%zz@h/d");
	is_str(got, "invalid percent-encoded token: \"****\"", "mask_secrets_in: raw form");
	free(got);
	got = mask_secrets_in("password p@ss rejected", "postgresql://u:p%40ss@h/d");
	is_str(got, "password **** rejected", "mask_secrets_in: decoded form");
	free(got);
	got = mask_secrets_in("it's bad", "password='it\\'s' host=x");
	is_str(got, "**** bad", "mask_secrets_in: unescaped conninfo value");
	free(got);
	got = mask_secrets_in("nothing to hide", "host=x");
	is_str(got, "nothing to hide", "mask_secrets_in without secrets");
	free(got);
	ok(mask_secrets_in(NULL, "x") == NULL, "mask_secrets_in(NULL)");
}

int main(void)
{
	test_conninfo();
	test_postgres_uri();
	test_redis();
	test_http();
	test_malformed();
	test_mask_in();
	return done_testing();
}
