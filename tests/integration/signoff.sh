#!/usr/bin/env bash
# A checklist run through the real binary against the lab: a measured and a typed baseline
# with units, a validation against the baseline, then sign-offs: the roles the checklist
# names, a reason when a step is unchecked, one person one role, corrections as new entries,
# complete when every role has signed; and the journal still verifies.
. "$OPSDECK_SRC/tests/lib.sh"
cd "$OPSDECK_SRC" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg=$(lab_config)
cl=tests/fixtures/runbooks/good/checklist.md
od() { "$OPSDECK" --config "$cfg" --journal "$tmp/j.db" "$@"; }

od run "$cl" --auto >"$tmp/out" 2>&1
is $? 0 "the automatic steps pass on the healthy lab"
grep -q "needs the value typed in: --value cpu_pct=NUMBER (%)" "$tmp/out"
ok $? "a typed baseline without --value is left pending, saying how to give it"
od run "$cl" --auto --value cpu_pct=abc >"$tmp/out" 2>&1
is $? 1 "a typed value that is not a number fails the run"
grep -q "cpu_pct: 'abc' is not a number" "$tmp/out"; ok $? "... naming the value"
od run "$cl" --auto --value cpu_pct=37.5 --json >"$tmp/out.json" 2>"$tmp/err"
is $? 0 "with the value typed in it passes"
run=$(jq -r .run_id "$tmp/out.json")
is "$(jq -r '.steps[1].status' "$tmp/out.json")" "manual-ok" "the typed step is done"
is "$(jq -r '.state' "$tmp/out.json")" "open" "the manual deploy step keeps the run open"
od journal show "$run" >"$tmp/show"
grep -q "cpu_pct = 37.5 %" "$tmp/show"; ok $? "the typed baseline is journalled with its unit"
grep -qE "connections = [0-9]+ connections" "$tmp/show"; ok $? "the measured baseline too"
grep -q "baseline('connections') = " "$tmp/show"; ok $? "validation compared with the baseline it just took"

F=(--file "$cl")
od signoff "$run" "${F[@]}" --role DBA --name "Ana Diaz" >"$tmp/out" 2>&1
is $? 1 "signing over an unchecked step without a reason is refused"
# the manual deploy step, and the monitoring step whose 24 h window the run opened
grep -q "2 unchecked steps (monitoring not over): signing it needs a written reason" "$tmp/out"
ok $? "... saying why, counting the monitoring still going on ($(cat "$tmp/out"))"
od signoff "$run" "${F[@]}" --role CTO --name "Ana Diaz" --reason r >"$tmp/out" 2>&1
is $? 1 "a role the checklist does not name is refused"
grep -q "its roles: 'DBA', '24-hour monitoring', 'Engineering Lead'" "$tmp/out"; ok $? "... listing the roles"
od signoff "$run" "${F[@]}" --role dba --name "Ana Diaz" --reason "deploy step done by the release team" >"$tmp/out" 2>&1
is $? 0 "DBA signs with a reason"
grep -q "still to sign: Engineering Lead" "$tmp/out"; ok $? "the missing roles are listed"
od signoff "$run" "${F[@]}" --role "Engineering Lead" --name "ana diaz" --reason r >"$tmp/out" 2>&1
is $? 1 "the same person cannot take a second role"
od signoff "$run" "${F[@]}" --role DBA --name "Bob Li" --reason r >"$tmp/out" 2>&1
is $? 1 "a role already signed cannot be signed again"
grep -q "record a correction (--corrects 1)" "$tmp/out"; ok $? "... pointing to a correction"
od signoff "$run" "${F[@]}" --role DBA --name "Bob Li" --reason "Ana was on call elsewhere" --corrects 1 >/dev/null 2>&1
is $? 0 "a correction is a new entry referring to the one it corrects"
od signoff "$run" "${F[@]}" --role "24-hour monitoring" --name "Cy Ng" --reason r >/dev/null 2>&1
od signoff "$run" "${F[@]}" --role "Engineering Lead" --name "Dee Ro" --reason r >"$tmp/out" 2>&1
is $? 0 "the last role signs"
grep -q "every role has signed: CL-TEST run $run is complete" "$tmp/out"; ok $? "the run is complete"
od journal show "$run" >"$tmp/show"
grep -q "corrects sign-off #1" "$tmp/show"; ok $? "the review shows the correction"
grep -c "Ana Diaz/$(id -un)" "$tmp/show" | grep -qx 1; ok $? "the corrected sign-off stays, with the OS user next to the typed name"
od journal export "$run" --format md >"$tmp/report.md"
is $? 0 "the run exports as Markdown"
grep -q "^- \[x\] \*\*2. CPU on the primary's host\*\* — manual-ok: cpu_pct = 37.5 % (typed in)" "$tmp/report.md"
ok $? "the report has the typed baseline with its unit, ticked"
grep -q "^- \[x\] \*\*DBA\*\*: Bob Li (OS user $(id -un))" "$tmp/report.md"; ok $? "sign-off lines carry name and OS user"
grep -q "Journal integrity:\*\* intact" "$tmp/report.md"; ok $? "and the journal's integrity"
od journal export "$run" --format csv >"$tmp/report.csv"
is "$(head -1 "$tmp/report.csv")" "run,ref,step,title,status,observed,expectation,note,duration_ms,recorded_at" "CSV header"
grep -q '"cpu_pct = 37.5 % (typed in)"' "$tmp/report.csv"; ok $? "CSV has the same values"
od journal export "$run" --format json | jq -e '.signoffs | length == 4' >/dev/null; ok $? "JSON has the four sign-offs"
od journal export "$run" --format xml >/dev/null 2>&1; is $? 2 "an unknown format is a usage error"
od journal verify >"$tmp/out" 2>&1
is $? 0 "the journal verifies: $(cat "$tmp/out")"
done_testing
