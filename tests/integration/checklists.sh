#!/usr/bin/env bash
# The checklists (runbooks/checklists/*.md) keep every item of the seeds they come from
# (runbooks/README.md "Checklists": seed items are never dropped). The map below sends each
# section of a seed to a `##` section of a checklist; for each checklist section this counts the
# seed's checkbox items that the map sends there (`- [ ] ...` at any depth, and `### [ ] Group`
# headings) and finds each in the section, one checklist item per seed item:
#   match "+": as a `- [ ] ...` item that starts with the same text (bold, backticks and the
#     seed's sign-off blanks `: ______ Time: ______` aside, case ignored); the section may
#     have more items (the sub-checks of a seed item);
#   match "=": as a `- [ ] ...` item with the very same words (bold and spacing aside), and the
#     section has no other `- [ ]` items; a checklist whose rows are all "=" has no `- [ ]`
#     item outside them either (PROD-DEPLOY, DB-SPLIT repeat their seeds word for word);
# either way a `### [ ] Group` is a step `### N. Group` (or the `##` section itself when a row
# of its own maps the group there). A row whose checklist section is "Issues found" compares
# the rows of the seed's table (first column, the symptom) with the rows of the checklist's
# `## Issues found` table instead. Every checkbox item of a seed the map uses must be covered
# by exactly one row, so a forgotten section fails too. A negative check removes one item from
# a temporary copy of the checklists and expects the comparison to name it. Then every mapped
# checklist lints clean. Needs no lab.
#
# The seeds are read from $OPSDECK_SEEDS (default: ../shared/seeds next to the source tree,
# then /work/shared/seeds); without them the comparison is skipped. The checklists are read
# from $OPSDECK_CHECKLISTS (default: runbooks/checklists of the source tree).
. "$OPSDECK_SRC/tests/lib.sh"
cd "$OPSDECK_SRC" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the map -------------------------------------------------------------------------------
# One row per seed section:
#   seed file | seed "## " heading | seed "### " heading | checklist file | checklist "## " section | match
# - seed file: a file of the seeds directory; checklist file: a file of the checklists directory
# - seed "### " heading: the heading's text as written ("### [ ] Group": write "Group");
#   "-" = the items directly under the "## " heading, before its first "###";
#   "*" = every item under the "## " heading, whatever its "###", except the "###" sections
#   that have a row of their own;
#   "HEADING >> LEAD" = only the items after the bold line "**LEAD...**" inside that "###"
#   (LEAD: the start of the bold text)
# - headings compare exactly (case ignored); the checklist section is its "## " title
#   ("Validation", "Monitoring", "Sign-off", "Phase 2: Deployment (go live)", "Issues found");
#   several rows may name the same checklist section: their seed items add up
# - match: "+" (the seed's items, sub-checks allowed) or "=" (the seed's items word for word,
#   nothing else); the rows of one checklist section agree
# Adding a checklist is adding its rows: put them in a block of their own, one per seed.
MAP=''

# ==== BEGIN seed 000: CL-W1-2, CL-W3-4, CL-W5-6, CL-W7, CL-W8, CL-PHASE2-FINAL ============
MAP+=$(
	cat <<'EOM'
000_d6616eacf4b12c72.txt | Week 1-2 Validation: Logging & Monitoring Foundation | Post-Deployment Validation Checklist | W1-2.md | Validation | +
000_d6616eacf4b12c72.txt | Week 1-2 Validation: Logging & Monitoring Foundation | Issues Found? | W1-2.md | Issues found | +
000_d6616eacf4b12c72.txt | Week 1-2 Validation: Logging & Monitoring Foundation | Sign-Off | W1-2.md | Sign-off | +
000_d6616eacf4b12c72.txt | Week 3-4 Validation: Read Replicas Deployment | Post-Deployment Validation Checklist | W3-4.md | Validation | +
000_d6616eacf4b12c72.txt | Week 3-4 Validation: Read Replicas Deployment | Issues Found? | W3-4.md | Issues found | +
000_d6616eacf4b12c72.txt | Week 3-4 Validation: Read Replicas Deployment | Sign-Off | W3-4.md | Sign-off | +
000_d6616eacf4b12c72.txt | Week 5-6 Validation: PgBouncer Connection Pooling | Post-Deployment Validation Checklist | W5-6.md | Validation | +
000_d6616eacf4b12c72.txt | Week 5-6 Validation: PgBouncer Connection Pooling | Issues Found? | W5-6.md | Issues found | +
000_d6616eacf4b12c72.txt | Week 5-6 Validation: PgBouncer Connection Pooling | Sign-Off | W5-6.md | Sign-off | +
000_d6616eacf4b12c72.txt | Week 7 Validation: Redis Caching & Rate Limiting | Post-Deployment Validation Checklist | W7.md | Validation | +
000_d6616eacf4b12c72.txt | Week 7 Validation: Redis Caching & Rate Limiting | Issues Found? | W7.md | Issues found | +
000_d6616eacf4b12c72.txt | Week 7 Validation: Redis Caching & Rate Limiting | Sign-Off | W7.md | Sign-off | +
000_d6616eacf4b12c72.txt | Week 8 Validation: Table Partitioning (Critical) | Post-Partitioning Validation Checklist >> Immediately After Switchover | W8.md | Validation | +
000_d6616eacf4b12c72.txt | Week 8 Validation: Table Partitioning (Critical) | Post-Partitioning Validation Checklist >> 24-Hour Continuous Monitoring | W8.md | Monitoring | +
000_d6616eacf4b12c72.txt | Week 8 Validation: Table Partitioning (Critical) | Issues Found During Maintenance? | W8.md | Issues found | +
000_d6616eacf4b12c72.txt | Week 8 Validation: Table Partitioning (Critical) | Sign-Off | W8.md | Sign-off | +
000_d6616eacf4b12c72.txt | Overall Phase 2 Deployment Sign-Off | - | PHASE2-FINAL.md | Validation | +
000_d6616eacf4b12c72.txt | Overall Phase 2 Deployment Sign-Off | Final Sign-Off | PHASE2-FINAL.md | Sign-off | +
EOM
)$'\n'
# ==== END seed 000 ==========================================================================

# ==== BEGIN seed 002: CL-PROD-DEPLOY =========================================================
MAP+=$(
	cat <<'EOM'
002_12b12a7f77bbfa89.txt | Phase 0: Pre-Deployment Planning (2-3 days before) | * | PROD-DEPLOY.md | Phase 0: Pre-Deployment Planning (2-3 days before) | =
002_12b12a7f77bbfa89.txt | Phase 1: Pre-Deployment Verification (1 hour before) | * | PROD-DEPLOY.md | Phase 1: Pre-Deployment Verification (1 hour before) | =
002_12b12a7f77bbfa89.txt | Phase 2: Deployment (0 minute - go live) | * | PROD-DEPLOY.md | Phase 2: Deployment (0 minute - go live) | =
002_12b12a7f77bbfa89.txt | Phase 2: Deployment (0 minute - go live) | Pre-Deployment Snapshot | PROD-DEPLOY.md | Baseline | =
002_12b12a7f77bbfa89.txt | Phase 3: Monitoring & Validation (First hour) | * | PROD-DEPLOY.md | Phase 3: Monitoring & Validation (First hour) | =
002_12b12a7f77bbfa89.txt | Phase 3: Monitoring & Validation (First hour) | Metrics Monitoring (Every 5 minutes for first 30 minutes, then every 15 minutes) | PROD-DEPLOY.md | Monitoring | =
002_12b12a7f77bbfa89.txt | Phase 4: Extended Monitoring (1 hour - 24 hours) | * | PROD-DEPLOY.md | Phase 4: Extended Monitoring (1 hour - 24 hours) | =
002_12b12a7f77bbfa89.txt | Phase 4: Extended Monitoring (1 hour - 24 hours) | Hourly Checks (First 8 hours) | PROD-DEPLOY.md | Monitoring | =
002_12b12a7f77bbfa89.txt | Phase 4: Extended Monitoring (1 hour - 24 hours) | Health Metrics (Every 6 hours for 24 hours) | PROD-DEPLOY.md | Monitoring | =
002_12b12a7f77bbfa89.txt | Phase 5: Rollback Procedures (If Needed) | * | PROD-DEPLOY.md | Phase 5: Rollback Procedures (If Needed) | =
002_12b12a7f77bbfa89.txt | Phase 6: Post-Deployment Sign-Off (24 hours after) | * | PROD-DEPLOY.md | Phase 6: Post-Deployment Sign-Off (24 hours after) | =
002_12b12a7f77bbfa89.txt | Phase 6: Post-Deployment Sign-Off (24 hours after) | Team Sign-Off | PROD-DEPLOY.md | Sign-off | =
EOM
)$'\n'
# ==== END seed 002 ==========================================================================

# ==== BEGIN seed 003: CL-DB-SPLIT ============================================================
MAP+=$(
	cat <<'EOM'
003_f854433d37d888bd.txt | Pre-Deployment | * | DB-SPLIT.md | Phase 0: Pre-Deployment | =
003_f854433d37d888bd.txt | Phase 1: Development Testing (Week 1) | * | DB-SPLIT.md | Phase 1: Development Testing (Week 1) | =
003_f854433d37d888bd.txt | Phase 2: DBaaS Initialization (Week 2) | * | DB-SPLIT.md | Phase 2: DBaaS Initialization (Week 2) | =
003_f854433d37d888bd.txt | Phase 3: Staging Environment (Week 2-3) | * | DB-SPLIT.md | Phase 3: Staging Environment (Week 2-3) | =
003_f854433d37d888bd.txt | Phase 4: Production Deployment (Week 4) | * | DB-SPLIT.md | Phase 4: Production Deployment (Week 4) | =
003_f854433d37d888bd.txt | Phase 4: Production Deployment (Week 4) | Monitoring (First 48 Hours) | DB-SPLIT.md | Monitoring | =
003_f854433d37d888bd.txt | Communication Plan | * | DB-SPLIT.md | Phase 4: Production Deployment (Week 4) | =
003_f854433d37d888bd.txt | Rollback Procedure | * | DB-SPLIT.md | Rollback | =
003_f854433d37d888bd.txt | Sign-Off | * | DB-SPLIT.md | Sign-off | =
EOM
)$'\n'
# ==== END seed 003 ==========================================================================

# --- the comparison ------------------------------------------------------------------------
seeds=${OPSDECK_SEEDS:-}
if [ -z "$seeds" ]; then
	for d in "$OPSDECK_SRC/../shared/seeds" /work/shared/seeds; do
		[ -d "$d" ] && { seeds=$d; break; }
	done
fi
cl=${OPSDECK_CHECKLISTS:-runbooks/checklists}
printf '%s\n' "$MAP" >"$tmp/map"

# compare SEEDS: compares the checklists in $OPSDECK_CHECKLISTS (default runbooks/checklists)
# with the seeds in SEEDS along the map. Prints "ok<TAB>description", "not ok<TAB>description",
# "diag<TAB>text" lines, and "match<TAB>MODE<TAB>FILE<TAB>LINE<TAB>FITTING<TAB>SECTION<TAB>ITEM"
# for each seed item found: the checklist line that holds it and how many lines of the section
# would fit it.
compare() {
	awk -v seeds="$1" -v cldir="${OPSDECK_CHECKLISTS:-runbooks/checklists}" '
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
# "+" compares texts by: no bold, no backticks, no sign-off blanks, one space, lower case
function norm(s,   i) {
	gsub(/\*\*/, "", s); gsub(/`/, "", s)
	i = index(s, "___"); if (i) s = substr(s, 1, i - 1)
	gsub(/[ \t]+/, " ", s); s = tolower(trim(s))
	sub(/[ :]+$/, "", s)
	return s
}
# "=" compares the words: no bold, one space
function words(s) { gsub(/\*\*/, "", s); gsub(/[ \t]+/, " ", s); return trim(s) }
function fence(line) { return line ~ /^[ \t]*(```|~~~)/ }
function is_item(line) { return line ~ /^[ \t]*[-*+] \[[ xX]\] / }
function item_text(line) { sub(/^[ \t]*[-*+] \[[ xX]\] /, "", line); return line }
function first_cell(line,   n, c) { n = split(line, c, "|"); return trim(c[2]) }
function is_sep(line) { return line ~ /^[ \t]*\|[ \t:|-]+$/ }
function load_seed(f,   path, line, h2, h3, h2raw, h3raw, sub_, fen, tab, t) {
	path = seeds "/" f
	if ((getline line < path) <= 0) { seed_bad[f] = 1; return }
	h2 = ""; h3 = "-"; h2raw = h3raw = ""; sub_ = ""; fen = 0; tab = 0
	do {
		if (fence(line)) { fen = !fen; tab = 0; continue }
		if (fen) continue
		if (line ~ /^## /) {
			h2raw = trim(substr(line, 4)); h2 = norm(h2raw); h3 = "-"; h3raw = ""; sub_ = ""; tab = 0
			heading[f SUBSEP h2 SUBSEP h3] = 1; continue
		}
		if (line ~ /^### /) {
			t = trim(substr(line, 5)); sub_ = ""; tab = 0; h3raw = t
			if (t ~ /^\[[ xX]\] /) { t = substr(t, 5); h3 = norm(t); heading[f SUBSEP h2 SUBSEP h3] = 1; add_seed(f, "group", h2, h3, "", t, h2raw, h3raw); continue }
			h3 = norm(t); heading[f SUBSEP h2 SUBSEP h3] = 1; continue
		}
		if (line ~ /^\*\*[^*]+\*\*:?[ \t]*$/) { t = line; gsub(/\*/, "", t); sub_ = norm(t); continue }
		if (line ~ /^[ \t]*\|/) {
			if (!tab) { tab = 1; continue }          # the header
			if (is_sep(line)) continue
			add_seed(f, "row", h2, h3, sub_, first_cell(line), h2raw, h3raw); continue
		}
		tab = 0
		if (is_item(line)) add_seed(f, "item", h2, h3, sub_, item_text(line), h2raw, h3raw)
	} while ((getline line < path) > 0)
	close(path)
}
function add_seed(f, kind, h2, h3, sub_, raw, h2raw, h3raw) {
	ns++; s_file[ns] = f; s_kind[ns] = kind; s_h2[ns] = h2; s_h3[ns] = h3; s_sub[ns] = sub_
	s_raw[ns] = trim(raw); s_text[ns] = norm(raw); s_words[ns] = words(raw)
	s_where[ns] = "## " h2raw (h3raw == "" ? "" : " / ### " h3raw)
}
function load_checklist(f,   path, line, sect, sectraw, fen, tab, t, ln) {
	path = cldir "/" f
	if ((getline line < path) <= 0) { cl_bad[f] = 1; return }
	sect = sectraw = ""; fen = 0; tab = 0; ln = 0
	do {
		ln++
		if (fence(line)) { fen = !fen; tab = 0; continue }
		if (fen) continue
		if (line ~ /^## /) { sectraw = trim(substr(line, 4)); sect = norm(sectraw); has_sect[f SUBSEP sect] = 1; tab = 0; continue }
		if (line ~ /^### /) {
			t = trim(substr(line, 5)); sub(/^[0-9]+\. */, "", t); tab = 0
			add_cl(f, "group", sect, sectraw, t, ln); continue
		}
		if (line ~ /^[ \t]*\|/) {
			if (!tab) { tab = 1; continue }
			if (is_sep(line)) continue
			add_cl(f, "row", sect, sectraw, first_cell(line), ln); continue
		}
		tab = 0
		if (is_item(line)) add_cl(f, "item", sect, sectraw, item_text(line), ln)
	} while ((getline line < path) > 0)
	close(path)
}
function add_cl(f, kind, sect, sectraw, raw, ln) {
	nc++; c_file[nc] = f; c_kind[nc] = kind; c_sect[nc] = sect; c_sectraw[nc] = sectraw; c_line[nc] = ln
	c_raw[nc] = trim(raw); c_text[nc] = norm(raw); c_words[nc] = words(raw)
	if (kind == "item") n_items[f SUBSEP sect]++
	if (kind == "row") n_rows[f SUBSEP sect]++
}
# "+": does a checklist record (kind ck, text ct) hold the seed record (kind sk, text st)?
# exact: same text; else: ct starts with st, at a word boundary
function fits(sk, st, ck, ct, exact,   n) {
	if (sk == "item" && ck != "item") return 0
	if (sk == "row" && ck != "row") return 0
	if (sk == "group" && ck == "row") return 0
	if (ct == st) return 1
	if (exact) return 0
	n = length(st)
	return n > 0 && substr(ct, 1, n) == st && (length(ct) == n || substr(ct, n + 1, 1) !~ /[a-z0-9]/)
}
# does checklist record x hold seed record k? "=": items and table rows word for word, a group
# as a step; "+": exactly on pass 1, by the start of the text on pass 2
function fit(k, x, mode, pass) {
	if (mode == "+") return fits(s_kind[k], s_text[k], c_kind[x], c_text[x], pass == 1)
	if (s_kind[k] == "group") return c_kind[x] == "group" && fits("group", s_text[k], "group", c_text[x], 0)
	return c_kind[x] == s_kind[k] && c_words[x] == s_words[k]
}
function seedno(f,   p) { split(f, p, "_"); return p[1] }
{
	if ($0 ~ /^[ \t]*(#|$)/) next
	n = split($0, c, "|")
	if (n != 6) { print "not ok\tmap row with " n " columns (6 expected): " $0; next }
	if (trim(c[6]) != "+" && trim(c[6]) != "=") { print "not ok\tmap row whose match is not + or =: " $0; next }
	nr++
	r_seed[nr] = trim(c[1]); r_h2[nr] = norm(c[2]); r_file[nr] = trim(c[4]); r_sect[nr] = norm(c[5]); r_sectraw[nr] = trim(c[5])
	r_mode[nr] = trim(c[6]); r_h3raw[nr] = trim(c[3]); r_sub[nr] = ""
	t = r_h3raw[nr]; i = index(t, ">>")
	if (i) { r_sub[nr] = norm(substr(t, i + 2)); t = substr(t, 1, i - 1) }
	r_h3[nr] = (trim(t) == "-" || trim(t) == "*") ? trim(t) : norm(t)
	r_label[nr] = "## " trim(c[2]) " / " r_h3raw[nr]
	if (r_h3[nr] != "-" && r_h3[nr] != "*") claimed[r_seed[nr] SUBSEP r_h2[nr] SUBSEP r_h3[nr]] = 1
	if (!(r_seed[nr] in seen_seed)) { seen_seed[r_seed[nr]] = 1; seed_list[++nseeds] = r_seed[nr]; load_seed(r_seed[nr]) }
	if (!(r_file[nr] in seen_cl)) { seen_cl[r_file[nr]] = 1; cl_list[++ncls] = r_file[nr]; load_checklist(r_file[nr]) }
	# the rows of one checklist section are compared together
	key = r_file[nr] SUBSEP r_sect[nr]
	if (!(key in sec_of)) {
		sec_of[key] = ++nsec; q_file[nsec] = r_file[nr]; q_sect[nsec] = r_sect[nr]; q_raw[nsec] = r_sectraw[nr]; q_mode[nsec] = r_mode[nr]
	}
	q = sec_of[key]; r_q[nr] = q
	if (r_mode[nr] != q_mode[q]) q_mixed[q] = 1
	if (index(" " q_seeds[q] " ", " " seedno(r_seed[nr]) " ") == 0) q_seeds[q] = trim(q_seeds[q] " " seedno(r_seed[nr]))
	if (r_mode[nr] == "+") open_file[r_file[nr]] = 1
}
# compares checklist section q with the seed items its rows map there
function section(q,   f, sect, mode, rows, name, r, seedf, m, m0, k, j, x, pass, got, want, have, bad, fitting, what) {
	f = q_file[q]; sect = q_sect[q]; mode = q_mode[q]; rows = (sect == "issues found")
	name = f; sub(/\.md$/, "", name); name = name " " q_raw[q] " (seed " q_seeds[q] ")"
	what = rows ? "table rows" : "items"
	if (q_mixed[q]) { print "not ok\t" name ": its map rows mix the matches + and ="; return }
	if (f in cl_bad) { print "not ok\t" name ": cannot read " cldir "/" f; return }
	if (!((f SUBSEP sect) in has_sect)) { print "not ok\t" name ": " f " has no section ## " q_raw[q]; return }
	m = 0; bad = 0
	for (r = 1; r <= nr; r++) {
		if (r_q[r] != q) continue
		seedf = r_seed[r]
		if (seedf in seed_bad) { print "not ok\t" name ": cannot read " seeds "/" seedf; bad = 1; continue }
		m0 = m
		for (k = 1; k <= ns; k++) {
			if (s_file[k] != seedf || s_h2[k] != r_h2[r]) continue
			if (r_h3[r] == "*" && ((seedf SUBSEP s_h2[k] SUBSEP s_h3[k]) in claimed)) continue
			if (r_h3[r] != "*" && s_h3[k] != r_h3[r]) continue
			if (r_sub[r] != "" && substr(s_sub[k], 1, length(r_sub[r])) != r_sub[r]) continue
			if (rows != (s_kind[k] == "row")) continue
			mk[++m] = k; covered[k]++; found[k] = 0
			# a "### [ ] Group" that its own row maps to a "##" section is that section
			if (s_kind[k] == "group" && s_h3[k] == r_h3[r]) found[k] = -1
		}
		if (m == m0 && !(((seedf SUBSEP r_h2[r] SUBSEP (r_h3[r] == "*" ? "-" : r_h3[r])) in heading) && r_sub[r] == "")) {
			print "not ok\t" name ": no such " what " in " seedf " \"" r_label[r] "\" (a heading changed?)"; bad = 1
		}
	}
	for (pass = 1; pass <= (mode == "+" ? 2 : 1); pass++)
		for (j = 1; j <= m; j++) {
			k = mk[j]
			if (found[k]) continue
			for (x = 1; x <= nc; x++)
				if (!used[x] && c_file[x] == f && c_sect[x] == sect && fit(k, x, mode, pass)) {
					used[x] = 1; found[k] = x; break
				}
		}
	got = 0; want = 0
	for (j = 1; j <= m; j++) { got += (found[mk[j]] != 0); if (s_kind[mk[j]] != "group") want++ }
	have = rows ? n_rows[f SUBSEP sect] + 0 : n_items[f SUBSEP sect] + 0
	print ((got == m && !bad && (mode == "+" || have == want)) ? "ok" : "not ok") "\t" name ": " m " seed " what \
		(m > want ? " (" m - want " of them ### [ ] groups)" : "") ", " got " found; the section has " have \
		(rows ? " table rows" : " - [ ] items") \
		(mode == "+" ? " (more allowed)" : ", " want " wanted (the seed'"'"'s word for word, no more)")
	for (j = 1; j <= m; j++)
		if (!found[mk[j]]) print "diag\tmissing in " f " ## " q_raw[q] ": " s_raw[mk[j]] " (seed " s_file[mk[j]] " " s_where[mk[j]] ")"
	if (mode == "=")
		for (x = 1; x <= nc; x++)
			if (!used[x] && c_file[x] == f && c_sect[x] == sect && c_kind[x] == (rows ? "row" : "item"))
				print "diag\tnot in the seed: " f ":" c_line[x] " ## " q_raw[q] ": " c_raw[x]
	for (j = 1; j <= m; j++) {
		k = mk[j]
		if (found[k] <= 0 || s_kind[k] != "item") continue
		fitting = 0
		for (x = 1; x <= nc; x++) if (c_file[x] == f && c_sect[x] == sect && fit(k, x, mode, 2)) fitting++
		print "match\t" mode "\t" f "\t" c_line[found[k]] "\t" fitting "\t" q_raw[q] "\t" s_raw[k]
	}
}
END {
	for (q = 1; q <= nsec; q++) section(q)
	# every item (and group) of a mapped seed belongs to exactly one row
	for (i = 1; i <= nseeds; i++) {
		seedf = seed_list[i]
		if (seedf in seed_bad) continue
		total = 0; bad = 0
		for (k = 1; k <= ns; k++) {
			if (s_file[k] != seedf || s_kind[k] == "row") continue
			total++
			if (covered[k] != 1) bad++
		}
		print (bad ? "not ok" : "ok") "\tevery checkbox item of " seedf " is mapped to one checklist section (" total " items, " bad " not)"
		shown = 0
		for (k = 1; k <= ns; k++)
			if (s_file[k] == seedf && s_kind[k] != "row" && covered[k] != 1 && ++shown <= 20)
				print "diag\t" (covered[k] ? "in " covered[k] " rows" : "in no row") ": " s_raw[k] " (" s_where[k] ")"
		if (shown > 20) print "diag\t... and " shown - 20 " more"
	}
	# a checklist mapped with "=" only has no item but the seed'"'"'s, in any section
	for (i = 1; i <= ncls; i++) {
		f = cl_list[i]
		if ((f in open_file) || (f in cl_bad)) continue
		total = 0; bad = 0; extra = ""
		for (x = 1; x <= nc; x++) {
			if (c_file[x] != f || c_kind[x] != "item") continue
			total++
			if (!used[x] && ++bad <= 20) extra = extra "diag\tnot in the seed: " f ":" c_line[x] " ## " c_sectraw[x] ": " c_raw[x] "\n"
		}
		print (bad ? "not ok" : "ok") "\tevery - [ ] item of " f " is one of its seed'"'"'s (" total " items, " bad " not)"
		printf "%s", extra
	}
}' "$tmp/map"
}

# negative FILE LINE SECTION ITEM: without line LINE of FILE (a temporary copy of the
# checklists), the comparison fails for SECTION and names ITEM as missing there
negative() {
	local f=$1 line=$2 sect=$3 item=$4 name=${1%.md}
	rm -rf "$tmp/neg" && cp -R "$cl" "$tmp/neg" &&
		awk -v n="$line" 'NR != n' "$cl/$f" >"$tmp/neg/$f"
	OPSDECK_CHECKLISTS=$tmp/neg compare "$seeds" >"$tmp/neg.out" 2>&1
	awk -F'\t' -v p="$name $sect (seed " '$1 == "not ok" && index($2, p) == 1 { f = 1 } END { exit !f }' "$tmp/neg.out"
	ok $? "negative: without $f:$line the section \"$name $sect\" fails"
	awk -F'\t' -v p="missing in $f ## $sect: $item (seed " '$1 == "diag" && index($2, p) == 1 { f = 1 } END { exit !f }' "$tmp/neg.out"
	ok $? "negative: and the failure names the seed item \"$item\" and $f ## $sect"
	grep -E '^(not ok|diag)' "$tmp/neg.out" | head -4 | sed 's/^/#   /'
}

if [ -z "$seeds" ] || [ ! -d "$seeds" ]; then
	skip "the seeds are not here (looked in \$OPSDECK_SEEDS, $OPSDECK_SRC/../shared/seeds, /work/shared/seeds; set OPSDECK_SEEDS to their directory): items not compared"
else
	compare "$seeds" >"$tmp/out" 2>"$tmp/err"
	is "$?/$(cat "$tmp/err")" "0/" "the comparison of $cl with $seeds runs"
	while IFS=$'\t' read -r verdict text; do
		case $verdict in
		ok) ok 0 "$text" ;;
		"not ok") ok 1 "$text" ;;
		diag) diag "$text" ;;
		esac
	done <"$tmp/out"

	# the comparison can fail: on a copy of the checklists, drop a checklist line that alone
	# holds a seed item, once in a "+" section and once in an "=" section
	for mode in + =; do
		IFS=$'\t' read -r _ _ f line _ sect item < <(awk -F'\t' -v m="$mode" '$1 == "match" && $2 == m && $5 == 1 { print; exit }' "$tmp/out")
		if [ -n "${line:-}" ]; then
			negative "$f" "$line" "$sect" "$item"
		else
			ok 1 "negative ($mode): no seed item of a \"$mode\" section is held by one checklist line only"
		fi
		line=
	done
	# and an "=" checklist with an item the seed does not have fails
	f=$(awk -F'\t' '$1 == "match" && $2 == "=" { print $3; exit }' "$tmp/out")
	if [ -n "$f" ]; then
		rm -rf "$tmp/neg" && cp -R "$cl" "$tmp/neg" && printf '\n- [ ] Not an item of the seed\n' >>"$tmp/neg/$f"
		OPSDECK_CHECKLISTS=$tmp/neg compare "$seeds" >"$tmp/neg.out" 2>&1
		awk -F'\t' -v p="every - [ ] item of $f " -v d="not in the seed: $f:" '
			$1 == "not ok" && index($2, p) == 1 { a = 1 }
			$1 == "diag" && index($2, d) == 1 && $2 ~ /: Not an item of the seed$/ { b = 1 }
			END { exit !(a && b) }' "$tmp/neg.out"
		ok $? "negative: an item added to $f that the seed does not have fails, and is named"
	fi
fi

# --- every mapped checklist lints clean ----------------------------------------------------
files=$(awk -F'|' '!/^[ \t]*(#|$)/ { gsub(/^[ \t]+|[ \t]+$/, "", $4); print $4 }' "$tmp/map" | sort -u)
if [ -x "$OPSDECK" ]; then
	for f in $files; do
		"$OPSDECK" lint "$cl/$f" >"$tmp/lint" 2>&1
		rc=$?
		is "$rc" 0 "$cl/$f lints clean: $(tail -1 "$tmp/lint")"
		[ "$rc" -eq 0 ] || sed 's/^/#   /' "$tmp/lint"
	done
else
	skip "no opsdeck binary at $OPSDECK: lint not run"
fi

done_testing
