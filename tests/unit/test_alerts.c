/* The alert registry: pending -> firing -> resolved, ordering, the runbook catalogue. */
#include <string.h>

#include "panels/alerts.h"
#include "tests/unit/tap.h"

int main(void)
{
	struct alerts al;
	const struct alert *v[8];
	alerts_init(&al);
	is_int(alerts_set(&al, "a", "pools", ALERT_OK, LV_WARN, NULL, NULL), 0, "ok from the start: nothing kept");
	is_int(al.n, 0, "no entry");
	is_int(alerts_set(&al, "a", "pools", ALERT_PENDING, LV_WARN, "sat 85%", "RB-6"), 1, "pending is a change");
	is_int(alerts_set(&al, "a", "pools", ALERT_PENDING, LV_WARN, "sat 86%", "RB-6"), 0, "same state: no change");
	is_str(al.v[0].summary, "sat 86%", "but the summary follows");
	is_int(alerts_set(&al, "a", "pools", ALERT_FIRING, LV_CRIT, "sat 95%", "RB-21"), 1, "firing");
	ok(al.v[0].fired_wall > 0 && al.v[0].fired_count == 1, "fired time and count recorded");
	is_str(al.v[0].runbook, "RB-21", "runbook follows the condition");
	alerts_set(&al, "b", "cache", ALERT_FIRING, LV_WARN, "hit 60%", "RB-11");
	alerts_set(&al, "c", "replicas", ALERT_PENDING, LV_WARN, "lag", "RB-1");
	is_int(alerts_sorted(&al, v, 8), 3, "three alerts listed");
	is_str(v[0]->id, "a", "critical first");
	is_str(v[1]->id, "b", "then warn");
	is_str(v[2]->id, "c", "then pending");
	is_int(alerts_set(&al, "a", "pools", ALERT_OK, LV_CRIT, NULL, "RB-21"), 1, "resolved");
	ok(al.v[0].resolved_wall > 0, "resolution time recorded");
	is_str(al.v[0].summary, "sat 95%", "the last firing summary is kept");
	alerts_set(&al, "c", "replicas", ALERT_OK, LV_WARN, NULL, NULL);
	is_int(alerts_sorted(&al, v, 8), 2, "a pending alert that cleared is not listed; a resolved one is");
	is_str(v[1]->id, "a", "resolved ones after the active ones");
	is_str(runbook_title("RB-21"), "Emergency: pool exhausted (5-10 min)", "catalogue title");
	ok(runbook_title("RB-99") == NULL, "unknown runbook");
	alerts_done(&al);
	return done_testing();
}
