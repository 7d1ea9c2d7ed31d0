#!/usr/bin/env bash
# The deployment checklists keep every checkbox item of their seeds: seed 002 (production
# deployment) in runbooks/checklists/PROD-DEPLOY.md, seed 003 (database split) in
# runbooks/checklists/DB-SPLIT.md. For each row of the mapping below, the seed's `- [ ]` items
# under that heading (up to the next heading of the same or a higher level, leaving out the
# subsections that have a row of their own) are counted against the file's `- [ ]` items in
# the `##` section the row names (rows naming the same section add up); every seed item
# belongs to a row; the file has no item the seed does not; each seed item's text is in its
# section (bold markers and spacing aside). And opsdeck lint accepts both files.
# No lab needed. The seeds are read from $OPSDECK_SEEDS (default ../shared/seeds).
. "$OPSDECK_SRC/tests/lib.sh"
cd "$OPSDECK_SRC" || exit 1
SEEDS=${OPSDECK_SEEDS:-$OPSDECK_SRC/../shared/seeds}
CL=runbooks/checklists

# seed file | seed heading (the whole line) | checklist file | checklist ## section
MAPPING=$(
	cat <<'EOF'
002_12b12a7f77bbfa89.txt|## Phase 0: Pre-Deployment Planning (2-3 days before)|PROD-DEPLOY.md|## Phase 0: Pre-Deployment Planning (2-3 days before)
002_12b12a7f77bbfa89.txt|## Phase 1: Pre-Deployment Verification (1 hour before)|PROD-DEPLOY.md|## Phase 1: Pre-Deployment Verification (1 hour before)
002_12b12a7f77bbfa89.txt|## Phase 2: Deployment (0 minute - go live)|PROD-DEPLOY.md|## Phase 2: Deployment (0 minute - go live)
002_12b12a7f77bbfa89.txt|### [ ] Pre-Deployment Snapshot|PROD-DEPLOY.md|## Baseline
002_12b12a7f77bbfa89.txt|## Phase 3: Monitoring & Validation (First hour)|PROD-DEPLOY.md|## Phase 3: Monitoring & Validation (First hour)
002_12b12a7f77bbfa89.txt|### [ ] Metrics Monitoring (Every 5 minutes for first 30 minutes, then every 15 minutes)|PROD-DEPLOY.md|## Monitoring
002_12b12a7f77bbfa89.txt|## Phase 4: Extended Monitoring (1 hour - 24 hours)|PROD-DEPLOY.md|## Phase 4: Extended Monitoring (1 hour - 24 hours)
002_12b12a7f77bbfa89.txt|### [ ] Hourly Checks (First 8 hours)|PROD-DEPLOY.md|## Monitoring
002_12b12a7f77bbfa89.txt|### [ ] Health Metrics (Every 6 hours for 24 hours)|PROD-DEPLOY.md|## Monitoring
002_12b12a7f77bbfa89.txt|## Phase 5: Rollback Procedures (If Needed)|PROD-DEPLOY.md|## Phase 5: Rollback Procedures (If Needed)
002_12b12a7f77bbfa89.txt|## Phase 6: Post-Deployment Sign-Off (24 hours after)|PROD-DEPLOY.md|## Phase 6: Post-Deployment Sign-Off (24 hours after)
002_12b12a7f77bbfa89.txt|### [ ] Team Sign-Off|PROD-DEPLOY.md|## Sign-off
003_f854433d37d888bd.txt|## Pre-Deployment|DB-SPLIT.md|## Phase 0: Pre-Deployment
003_f854433d37d888bd.txt|## Phase 1: Development Testing (Week 1)|DB-SPLIT.md|## Phase 1: Development Testing (Week 1)
003_f854433d37d888bd.txt|## Phase 2: DBaaS Initialization (Week 2)|DB-SPLIT.md|## Phase 2: DBaaS Initialization (Week 2)
003_f854433d37d888bd.txt|## Phase 3: Staging Environment (Week 2-3)|DB-SPLIT.md|## Phase 3: Staging Environment (Week 2-3)
003_f854433d37d888bd.txt|## Phase 4: Production Deployment (Week 4)|DB-SPLIT.md|## Phase 4: Production Deployment (Week 4)
003_f854433d37d888bd.txt|### Monitoring (First 48 Hours)|DB-SPLIT.md|## Monitoring
003_f854433d37d888bd.txt|## Communication Plan|DB-SPLIT.md|## Phase 4: Production Deployment (Week 4)
003_f854433d37d888bd.txt|## Rollback Procedure|DB-SPLIT.md|## Rollback
003_f854433d37d888bd.txt|## Sign-Off|DB-SPLIT.md|## Sign-off
EOF
)

# items FILE HEADING [EXCLUDED HEADING...]: the `- [ ]` item lines (text after the box,
# bold markers and runs of blanks collapsed) under HEADING up to the next heading of the
# same or a higher level, outside fenced code, without the excluded subsections.
items() {
	local file=$1 head=$2
	shift 2
	local ex
	ex=$(printf '%s\n' "$@")
	awk -v head="$head" -v ex="$ex" '
		function level(s) { match(s, /^#+/); return RLENGTH }
		BEGIN { n = split(ex, e, "\n"); for (i = 1; i <= n; i++) if (e[i] != "") skip[e[i]] = 1 }
		/^[ \t]*(```|~~~)/ { fence = !fence; next }
		fence { next }
		/^#+ / {
			sub(/[ \t]+$/, "")
			if (on && level($0) <= lvl) on = 0
			if (!on && $0 == head) { on = 1; lvl = level($0); off = 0; next }
			if (on && off && level($0) <= offlvl) off = 0
			if (on && ($0 in skip)) { off = 1; offlvl = level($0) }
			next
		}
		on && !off && /^[ \t]*[-*] \[ \]/ {
			t = $0
			sub(/^[ \t]*[-*] \[ \][ \t]*/, "", t)
			gsub(/\*\*/, "", t); gsub(/[ \t]+/, " ", t); sub(/ $/, "", t)
			print t
		}' "$file"
}

if [ ! -d "$SEEDS" ]; then
	skip "seeds not found in $SEEDS (set OPSDECK_SEEDS)"
	done_testing
	exit
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for seed in 002_12b12a7f77bbfa89.txt 003_f854433d37d888bd.txt; do
	rows=$(printf '%s\n' "$MAPPING" | awk -F'|' -v s="$seed" '$1 == s')
	file=$(printf '%s\n' "$rows" | head -1 | cut -d'|' -f3)
	heads=$(printf '%s\n' "$rows" | cut -d'|' -f2)
	: >"$tmp/seed-all"
	mapfile -t sections < <(printf '%s\n' "$rows" | cut -d'|' -f4 | sort -u)
	for section in "${sections[@]}"; do
		: >"$tmp/want"
		while IFS='|' read -r _ head _ sec; do
			[ "$sec" = "$section" ] || continue
			mapfile -t others < <(printf '%s\n' "$heads" | grep -vxF -- "$head")
			items "$SEEDS/$seed" "$head" "${others[@]}" >>"$tmp/want"
		done <<<"$rows"
		cat "$tmp/want" >>"$tmp/seed-all"
		items "$CL/$file" "$section" >"$tmp/got"
		is "$(wc -l <"$tmp/got" | tr -d ' ')" "$(wc -l <"$tmp/want" | tr -d ' ')" \
			"$file $section: as many items as the seed ($(wc -l <"$tmp/want" | tr -d ' '))"
		missing=$(sort "$tmp/want" | comm -23 - <(sort "$tmp/got"))
		is "$missing" "" "$file $section: every seed item's text is there"
	done
	total=$(awk '/^[ \t]*(```|~~~)/ { f = !f; next } !f && /^[ \t]*[-*] \[ \]/' "$SEEDS/$seed" | wc -l | tr -d ' ')
	is "$(wc -l <"$tmp/seed-all" | tr -d ' ')" "$total" "seed $seed: every item ($total) belongs to a mapped heading"
	in_file=$(awk '/^[ \t]*(```|~~~)/ { f = !f; next } !f && /^[ \t]*[-*] \[ \]/' "$CL/$file" | wc -l | tr -d ' ')
	is "$in_file" "$total" "$file: no item the seed does not have"
	"$OPSDECK" lint "$CL/$file" >"$tmp/lint" 2>&1
	ok $? "opsdeck lint accepts $file: $(tail -1 "$tmp/lint")"
done
done_testing
