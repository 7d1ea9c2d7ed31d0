#include "panels/ratelimits_model.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/health_model.h"
#include "src/util.h"

/* ---- the API's analytics ------------------------------------------------------------------ */

static int num_field(const cJSON *o, const char *where, const char *k, double *out, char *err, size_t errlen)
{
	return api_json_num(o, where, k, 0, 1e15, 1, out, err, errlen);
}

static int str_field(const cJSON *o, const char *where, const char *k, char *out, size_t n, char *err, size_t errlen)
{
	return api_json_str(o, where, k, 1, out, n, err, errlen);
}

/* top_blocked / near_limit: optional arrays of {key, tier, blocked | used + limit} */
static int parse_keys(const cJSON *root, const char *name, struct rl_api_key *out, int max, int *n, char *err,
		      size_t errlen)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, name), *it;
	char where[48];
	*n = 0;
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "%s is not an array", name);
		return -1;
	}
	snprintf(where, sizeof(where), "%s[].", name);
	cJSON_ArrayForEach(it, arr)
	{
		if (*n >= max)
			break;
		struct rl_api_key *k = &out[*n];
		memset(k, 0, sizeof(*k));
		k->used = k->limit = k->blocked = NAN;
		if (!cJSON_IsObject(it)) {
			snprintf(err, errlen, "%s[%d] is not an object", name, *n);
			return -1;
		}
		if (str_field(it, where, "key", k->key, sizeof(k->key), err, errlen) ||
		    str_field(it, where, "tier", k->tier, sizeof(k->tier), err, errlen))
			return -1;
		if (!strcmp(name, "top_blocked")) {
			if (num_field(it, where, "blocked", &k->blocked, err, errlen))
				return -1;
		} else if (num_field(it, where, "used", &k->used, err, errlen) ||
			   num_field(it, where, "limit", &k->limit, err, errlen)) {
			return -1;
		}
		(*n)++;
	}
	return 0;
}

int rl_parse_analytics(const char *body, size_t len, struct rl_analytics *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = api_json_object(body, len, err, errlen);
	if (!j)
		return -1;
	int rc = -1;
	const cJSON *tiers = cJSON_GetObjectItemCaseSensitive(j, "tiers"), *t;
	if (num_field(j, "", "blocked_count", &out->blocked_count, err, errlen))
		goto done;
	if (api_json_num(j, "", "window_s", 1, 1e9, 0, &out->window_s, err, errlen))
		goto done;
	if (!cJSON_IsObject(tiers)) {
		snprintf(err, errlen, "tiers is %s, expected an object", tiers ? "not an object" : "missing");
		goto done;
	}
	cJSON_ArrayForEach(t, tiers)
	{
		char where[48];
		if (out->ntiers >= RL_MAX_TIERS)
			break;
		struct rl_api_tier *x = &out->tiers[out->ntiers];
		snprintf(x->name, sizeof(x->name), "%s", t->string ? t->string : "?");
		snprintf(where, sizeof(where), "tiers.%.24s.", x->name);
		if (!cJSON_IsObject(t)) {
			snprintf(err, errlen, "tiers.%s is not an object", x->name);
			goto done;
		}
		if (num_field(t, where, "limit", &x->limit, err, errlen) ||
		    num_field(t, where, "requests", &x->requests, err, errlen) ||
		    num_field(t, where, "blocked", &x->blocked, err, errlen) ||
		    num_field(t, where, "keys", &x->keys, err, errlen))
			goto done;
		out->ntiers++;
	}
	if (parse_keys(j, "top_blocked", out->top_blocked, (int)ARRAY_LEN(out->top_blocked), &out->ntop, err, errlen) ||
	    parse_keys(j, "near_limit", out->near, (int)ARRAY_LEN(out->near), &out->nnear, err, errlen))
		goto done;
	rc = 0;
done:
	cJSON_Delete(j);
	return rc;
}

/* ---- Redis ---------------------------------------------------------------------------------- */

void rl_mask_key(const char *key, char *out, size_t n)
{
	size_t len = strlen(key), show = len > 4 ? 4 : len / 2;
	snprintf(out, n, "%.*s***", (int)show, key);
}

enum rl_kind rl_classify(const char *prefix, const char *name, char *tier, size_t tn, char *key, size_t kn,
			 long long *minute)
{
	if (!str_starts(name, prefix))
		return RLK_OTHER;
	const char *rest = name + strlen(prefix);
	int blocked = str_starts(rest, "blocked:");
	if (blocked)
		rest += 8;
	const char *c1 = strchr(rest, ':');
	if (!c1 || c1 == rest || !c1[1] || (size_t)(c1 - rest) >= tn)
		return RLK_OTHER;
	snprintf(tier, tn, "%.*s", (int)(c1 - rest), rest);
	if (blocked) {
		snprintf(key, kn, "%s", c1 + 1);
		return RLK_BLOCKED;
	}
	const char *c2 = strrchr(c1 + 1, ':');
	if (!c2 || c2 == c1 + 1 || !c2[1] || strlen(c2 + 1) > 15)
		return RLK_OTHER;
	for (const char *p = c2 + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return RLK_OTHER;
	snprintf(key, kn, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
	*minute = strtoll(c2 + 1, NULL, 10);
	return RLK_COUNTER;
}

void rl_redis_init(struct rl_redis *r, const char *prefix)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->prefix, sizeof(r->prefix), "%s", prefix ? prefix : "ratelimit:");
	snprintf(r->cursor, sizeof(r->cursor), "0");
	r->blocked_total = NAN;
}

static void free_key(struct rl_key *k)
{
	free(k->key);
	free(k->counter_name);
	free(k->blocked_name);
}

static void forget_names(struct rl_redis *r)
{
	if (r->names)
		free((char *)r->names[r->nnames - 1]); /* <prefix>blocked_total; the others are the keys' */
	free(r->names);
	r->names = NULL;
	r->nnames = 0;
}

void rl_redis_done(struct rl_redis *r)
{
	forget_names(r);
	for (int i = 0; i < r->nkeys; i++)
		free_key(&r->keys[i]);
	free(r->keys);
	pair_index_done(&r->index);
	r->keys = NULL;
	r->nkeys = 0;
}

static void key_of(const void *ctx, int i, const char **tier, const char **key)
{
	const struct rl_key *k = &((const struct rl_redis *)ctx)->keys[i];
	*tier = k->tier;
	*key = k->key;
}

static void reindex(struct rl_redis *r)
{
	pair_index_done(&r->index);
	pair_index_init(&r->index, RL_MAX_KEYS);
	for (int i = 0; i < r->nkeys; i++)
		pair_index_add(&r->index, r->keys[i].tier, r->keys[i].key, i);
}

static struct rl_key *find_or_add(struct rl_redis *r, const char *tier, const char *key)
{
	if (!r->index.slot)
		reindex(r);
	int at = pair_index_find(&r->index, tier, key, key_of, r);
	if (at >= 0)
		return &r->keys[at];
	if (r->nkeys >= RL_MAX_KEYS)
		return NULL;
	r->keys = xrealloc(r->keys, sizeof(*r->keys) * (size_t)(r->nkeys + 1));
	struct rl_key *k = &r->keys[r->nkeys];
	memset(k, 0, sizeof(*k));
	snprintf(k->tier, sizeof(k->tier), "%s", tier);
	k->key = xstrdup(key);
	k->blocked_per_min = NAN;
	pair_index_add(&r->index, k->tier, k->key, r->nkeys++);
	forget_names(r);
	return k;
}

/* Forgets keys that two whole SCAN cycles did not see and that have nothing to show. */
static void prune(struct rl_redis *r)
{
	int j = 0;
	for (int i = 0; i < r->nkeys; i++) {
		struct rl_key *k = &r->keys[i];
		if (r->cycle - k->seen_cycle > 2 && !k->in_window && k->blocked_total == 0) {
			free_key(k);
			continue;
		}
		r->keys[j++] = *k;
	}
	if (j != r->nkeys) {
		r->nkeys = j;
		forget_names(r);
		reindex(r);
	}
}

int rl_redis_scan(struct rl_redis *r, const char *cursor, const char *const *names, int n)
{
	char tier[24], key[256];
	long long minute;
	for (int i = 0; i < n; i++) {
		if (!names[i])
			continue;
		r->examined++;
		if (rl_classify(r->prefix, names[i], tier, sizeof(tier), key, sizeof(key), &minute) == RLK_OTHER)
			continue;
		struct rl_key *k = find_or_add(r, tier, key);
		if (k)
			k->seen_cycle = r->cycle;
	}
	snprintf(r->cursor, sizeof(r->cursor), "%s", cursor && *cursor ? cursor : "0");
	if (strcmp(r->cursor, "0"))
		return 0;
	r->cycle++;
	prune(r);
	return 1;
}

int rl_redis_names(struct rl_redis *r, const char *const **names)
{
	if (!r->names || r->names_minute != r->minute) {
		forget_names(r);
		r->nnames = 2 * r->nkeys + 1;
		r->names = xcalloc((size_t)r->nnames, sizeof(char *));
		for (int i = 0; i < r->nkeys; i++) {
			struct rl_key *k = &r->keys[i];
			if (!k->counter_name || k->counter_minute != r->minute) {
				free(k->counter_name);
				k->counter_name = xasprintf("%s%s:%s:%lld", r->prefix, k->tier, k->key, r->minute);
				k->counter_minute = r->minute;
			}
			if (!k->blocked_name)
				k->blocked_name = xasprintf("%sblocked:%s:%s", r->prefix, k->tier, k->key);
			r->names[i] = k->counter_name;
			r->names[r->nkeys + i] = k->blocked_name;
		}
		r->names[r->nnames - 1] = xasprintf("%sblocked_total", r->prefix);
		r->names_minute = r->minute;
	}
	*names = r->names;
	return r->nnames;
}

static double count_of(const char *v)
{
	char *end;
	if (!v)
		return 0;
	double d = strtod(v, &end);
	return end != v && isfinite(d) && d >= 0 ? d : 0;
}

static void sample_rate(struct rl_key *k, double v, int64_t now)
{
	if (!k->base_ms || v < k->mid_v) { /* first sample, or the counter was reset */
		k->base_v = k->mid_v = v;
		k->base_ms = k->mid_ms = now;
		k->blocked_per_min = NAN;
		return;
	}
	if (now - k->mid_ms >= 30000) {
		k->base_v = k->mid_v;
		k->base_ms = k->mid_ms;
		k->mid_v = v;
		k->mid_ms = now;
	}
	double span = (double)(now - k->base_ms);
	k->blocked_per_min = span >= 5000 ? (v - k->base_v) / span * 60000 : NAN;
}

void rl_redis_values(struct rl_redis *r, const char *const *values, int n, int64_t now_ms)
{
	if (n != 2 * r->nkeys + 1)
		return;
	for (int i = 0; i < r->nkeys; i++) {
		struct rl_key *k = &r->keys[i];
		k->in_window = values[i] != NULL;
		k->used = count_of(values[i]);
		k->blocked_total = count_of(values[r->nkeys + i]);
		sample_rate(k, k->blocked_total, now_ms);
	}
	r->blocked_total = values[n - 1] ? count_of(values[n - 1]) : NAN;
	r->have_values = 1;
}

/* ---- evaluation --------------------------------------------------------------------------------- */

static struct rl_tier *tier_for(struct rl_view *v, const char *name, const struct rl_config *cfg)
{
	for (int i = 0; i < v->ntiers; i++)
		if (!strcmp(v->tiers[i].name, name))
			return &v->tiers[i];
	if (v->ntiers >= RL_MAX_TIERS)
		return NULL;
	struct rl_tier *t = &v->tiers[v->ntiers++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->limit = t->api_limit = t->api_requests = t->api_blocked = t->api_keys = NAN;
	t->blocked_per_min = t->blocked_total = t->max_pct = NAN;
	for (int i = 0; i < cfg->ntiers; i++)
		if (!strcmp(cfg->names[i], name))
			t->limit = cfg->limits[i];
	return t;
}

static void add_nan(double *acc, double v)
{
	if (isnan(v))
		return;
	*acc = isnan(*acc) ? v : *acc + v;
}

/* Keeps the RL_MAX_HOT keys closest to (or furthest past) their limit. */
static void offer_hot(struct rl_view *v, const struct rl_hot *h)
{
	int pos = v->nhot;
	while (pos > 0 && v->hot[pos - 1].pct < h->pct)
		pos--;
	if (pos >= RL_MAX_HOT)
		return;
	int last = v->nhot < RL_MAX_HOT ? v->nhot : RL_MAX_HOT - 1;
	memmove(&v->hot[pos + 1], &v->hot[pos], sizeof(v->hot[0]) * (size_t)(last - pos));
	v->hot[pos] = *h;
	if (v->nhot < RL_MAX_HOT)
		v->nhot++;
}

/* One key in this window: counts it into its tier, judges it, offers it as a hot key. */
static void judge_key(struct rl_view *v, struct rl_tier *t, struct rl_hot *h, const struct rl_config *cfg)
{
	h->pct = h->limit > 0 ? h->used / h->limit * 100 : NAN;
	h->blocked = h->limit > 0 && h->used > h->limit ? h->used - h->limit : 0;
	double per_min = h->blocked;
	if (!isnan(h->blocked_per_min) && h->blocked_per_min > per_min)
		per_min = h->blocked_per_min;
	h->level = LV_OK;
	if (!isnan(h->pct) && h->pct >= cfg->near_pct) {
		h->level = LV_WARN;
		v->nnear++;
		t->near++;
		if (!v->near_why[0] || h->pct > v->hot[0].pct)
			snprintf(v->near_why, sizeof(v->near_why), "%s at %.0f%% of the %s limit (%.0f of %.0f/min)",
				 h->key, h->pct, t->name, h->used, h->limit);
	}
	if (per_min > cfg->abuse_per_min) {
		h->level = LV_CRIT;
		snprintf(v->abuse, sizeof(v->abuse), "abuse pattern: %s (%s) blocked %.0f times a minute (> %.0f)",
			 h->key, t->name, per_min, cfg->abuse_per_min);
	}
	t->level = level_max(t->level, h->level);
	if (!isnan(h->pct) && (isnan(t->max_pct) || h->pct > t->max_pct))
		t->max_pct = h->pct;
	if (!isnan(h->pct) && h->used > 0)
		offer_hot(v, h);
}

static void from_redis(struct rl_view *v, const struct rl_redis *r, const struct rl_config *cfg)
{
	for (int i = 0; i < v->ntiers; i++) {
		struct rl_tier *t = &v->tiers[i];
		t->requests = t->blocked = t->keys = t->near = 0;
		t->blocked_total = 0;
	}
	for (int i = 0; i < r->nkeys; i++) {
		const struct rl_key *k = &r->keys[i];
		struct rl_tier *t = tier_for(v, k->tier, cfg);
		if (!t)
			continue;
		add_nan(&t->blocked_total, k->blocked_total);
		add_nan(&t->blocked_per_min, k->blocked_per_min);
		if (!k->in_window)
			continue;
		struct rl_hot h = {.used = k->used, .limit = isnan(t->limit) ? t->api_limit : t->limit,
				   .blocked_per_min = k->blocked_per_min, .blocked_total = k->blocked_total};
		rl_mask_key(k->key, h.key, sizeof(h.key));
		snprintf(h.tier, sizeof(h.tier), "%s", t->name);
		t->requests += k->used;
		t->keys++;
		judge_key(v, t, &h, cfg);
		t->blocked += h.blocked;
	}
	v->blocked_total = r->blocked_total;
}

static void from_api_lists(struct rl_view *v, const struct rl_analytics *a, const struct rl_config *cfg)
{
	for (int i = 0; i < v->ntiers; i++) {
		struct rl_tier *t = &v->tiers[i];
		t->requests = t->api_requests;
		t->blocked = t->api_blocked;
		t->keys = t->api_keys;
		t->near = 0;
	}
	for (int i = 0; i < a->nnear; i++) {
		struct rl_tier *t = tier_for(v, a->near[i].tier, cfg);
		if (!t)
			continue;
		struct rl_hot h = {.used = a->near[i].used, .limit = isnan(t->limit) ? a->near[i].limit : t->limit,
				   .blocked_per_min = NAN, .blocked_total = NAN};
		snprintf(h.key, sizeof(h.key), "%s", a->near[i].key);
		snprintf(h.tier, sizeof(h.tier), "%s", t->name);
		for (int j = 0; j < a->ntop; j++)
			if (!strcmp(a->top_blocked[j].key, h.key) && !strcmp(a->top_blocked[j].tier, h.tier))
				h.blocked_total = a->top_blocked[j].blocked;
		judge_key(v, t, &h, cfg);
	}
}

void rl_evaluate(struct rl_view *v, const struct rl_redis *redis, const struct rl_analytics *api,
		 const struct rl_config *cfg)
{
	memset(v, 0, sizeof(*v));
	v->blocked_total = v->api_blocked_count = NAN;
	for (int i = 0; i < cfg->ntiers; i++)
		tier_for(v, cfg->names[i], cfg);
	for (int i = 0; i < v->ntiers; i++)
		v->tiers[i].requests = v->tiers[i].blocked = v->tiers[i].keys = v->tiers[i].near = NAN;
	for (int i = 0; api && i < api->ntiers; i++) {
		struct rl_tier *t = tier_for(v, api->tiers[i].name, cfg);
		if (!t)
			continue;
		t->api_limit = api->tiers[i].limit;
		if (isnan(t->limit))
			t->limit = t->api_limit;
		t->api_requests = api->tiers[i].requests;
		t->api_blocked = api->tiers[i].blocked;
		t->api_keys = api->tiers[i].keys;
	}
	if (api)
		v->api_blocked_count = api->blocked_count;
	v->from_redis = redis != NULL;
	if (redis)
		from_redis(v, redis, cfg);
	else if (api)
		from_api_lists(v, api, cfg);
	for (int i = 0; i < v->ntiers; i++) {
		struct rl_tier *t = &v->tiers[i];
		t->rate_429 = t->requests > 0 ? t->blocked / t->requests * 100 : isnan(t->requests) ? NAN : 0;
		if (t->level == LV_NONE)
			t->level = isnan(t->requests) ? LV_NONE : LV_OK;
	}
	v->level = redis || api ? LV_OK : LV_NONE;
	if (v->abuse[0]) {
		v->level = LV_CRIT;
		snprintf(v->why, sizeof(v->why), "%s", v->abuse);
	} else if (v->nnear) {
		v->level = LV_WARN;
		snprintf(v->why, sizeof(v->why), "%d key%s at >= %.0f%% of the limit; %s", v->nnear, v->nnear == 1 ? "" : "s",
			 cfg->near_pct, v->near_why);
	}
}

/* ---- JSON (snapshot --json) ------------------------------------------------------------------- */

static void jnum(cJSON *o, const char *k, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddNumberToObject(o, k, v);
}

cJSON *rl_view_json(const struct rl_view *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "data_from", v->from_redis ? "redis" : "api");
	jnum(o, "blocked_count", isnan(v->api_blocked_count) ? v->blocked_total : v->api_blocked_count);
	jnum(o, "api_blocked_count", v->api_blocked_count);
	jnum(o, "redis_blocked_total", v->blocked_total);
	cJSON_AddNumberToObject(o, "keys_near_limit", v->nnear);
	cJSON *tiers = cJSON_AddArrayToObject(o, "tiers");
	for (int i = 0; i < v->ntiers; i++) {
		const struct rl_tier *t = &v->tiers[i];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "tier", t->name);
		cJSON_AddStringToObject(x, "status", level_name(t->level));
		const char *k[] = {"limit", "api_limit", "requests", "blocked", "blocked_per_min", "blocked_total",
				   "rate_429_pct", "keys", "near_limit", "max_pct"};
		const double val[] = {t->limit, t->api_limit, t->requests, t->blocked, t->blocked_per_min,
				      t->blocked_total, t->rate_429, t->keys, t->near, t->max_pct};
		for (size_t j = 0; j < ARRAY_LEN(k); j++)
			jnum(x, k[j], val[j]);
		cJSON *api = cJSON_AddObjectToObject(x, "api");
		jnum(api, "requests", t->api_requests);
		jnum(api, "blocked", t->api_blocked);
		jnum(api, "keys", t->api_keys);
		cJSON_AddItemToArray(tiers, x);
	}
	cJSON *hot = cJSON_AddArrayToObject(o, "hot_keys");
	for (int i = 0; i < v->nhot; i++) {
		const struct rl_hot *h = &v->hot[i];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "key", h->key);
		cJSON_AddStringToObject(x, "tier", h->tier);
		cJSON_AddStringToObject(x, "status", level_name(h->level));
		const char *k[] = {"used", "limit", "pct", "blocked", "blocked_per_min", "blocked_total"};
		const double val[] = {h->used, h->limit, h->pct, h->blocked, h->blocked_per_min, h->blocked_total};
		for (size_t j = 0; j < ARRAY_LEN(k); j++)
			jnum(x, k[j], val[j]);
		cJSON_AddItemToArray(hot, x);
	}
	if (v->abuse[0])
		cJSON_AddStringToObject(o, "abuse", v->abuse);
	else
		cJSON_AddNullToObject(o, "abuse");
	return o;
}
