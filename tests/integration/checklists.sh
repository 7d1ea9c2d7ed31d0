#!/usr/bin/env bash
# The checklists (runbooks/checklists/*.md) keep every item of the seeds they come from
# (runbooks/README.md "Checklists": seed items are never dropped). For each row of the map
# below, the checkbox items of one section of a seed (`- [ ] ...` at any depth, and
# `### [ ] Group` headings) are counted, and each must appear in the corresponding `##`
# section of the checklist: as a `- [ ] ...` item that starts with the same text (bold,
# backticks and the seed's sign-off blanks `: ______ Time: ______` aside, case ignored); a
# `### [ ] Group` as a step `### N. Group`, or as the `##` section itself when a row maps the
# whole group there. A row whose checklist section is "Issues found" compares the rows of the
# seed's table (first column, the symptom) with the rows of the checklist's `## Issues found`
# table instead. The checklist may have more items (the sub-checks of a seed item), but each
# seed item needs one of its own. Every item of a seed the map uses must be covered by exactly
# one row, so a forgotten section fails too. Then every mapped checklist lints clean.
# Needs no lab.
#
# The seeds are read from $OPSDECK_SEEDS (default: ../shared/seeds next to the source tree,
# then /work/shared/seeds); without them the comparison is skipped.
. "$OPSDECK_SRC/tests/lib.sh"
cd "$OPSDECK_SRC" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the map -------------------------------------------------------------------------------
# One row per seed section:
#   seed file | seed "## " heading | seed "### " heading | checklist file | checklist "## " section
# - seed file: a file of the seeds directory; checklist file: under runbooks/checklists/
# - seed "### " heading: the heading's text as written ("### [ ] Group": write "Group");
#   "-" = the items directly under the "## " heading, before its first "###";
#   "*" = every item under the "## " heading, whatever its "###", except the "###" sections
#   that have a row of their own;
#   "HEADING >> LEAD" = only the items after the bold line "**LEAD...**" inside that "###"
#   (LEAD: the start of the bold text)
# - headings compare exactly (case ignored); the checklist section is its "## " title
#   ("Validation", "Monitoring", "Sign-off", "Phase 2: Deployment (go live)", "Issues found")
# Adding a checklist is adding its rows: put them in a block of their own, like this one.
MAP=''

# ==== BEGIN seed 000: CL-W1-2, CL-W3-4, CL-W5-6, CL-W7, CL-W8, CL-PHASE2-FINAL ============
MAP+=$(
	cat <<'EOF'
000_d6616eacf4b12c72.txt | Week 1-2 Validation: Logging & Monitoring Foundation | Post-Deployment Validation Checklist | W1-2.md | Validation
000_d6616eacf4b12c72.txt | Week 1-2 Validation: Logging & Monitoring Foundation | Issues Found? | W1-2.md | Issues found
000_d6616eacf4b12c72.txt | Week 1-2 Validation: Logging & Monitoring Foundation | Sign-Off | W1-2.md | Sign-off
000_d6616eacf4b12c72.txt | Week 3-4 Validation: Read Replicas Deployment | Post-Deployment Validation Checklist | W3-4.md | Validation
000_d6616eacf4b12c72.txt | Week 3-4 Validation: Read Replicas Deployment | Issues Found? | W3-4.md | Issues found
000_d6616eacf4b12c72.txt | Week 3-4 Validation: Read Replicas Deployment | Sign-Off | W3-4.md | Sign-off
000_d6616eacf4b12c72.txt | Week 5-6 Validation: PgBouncer Connection Pooling | Post-Deployment Validation Checklist | W5-6.md | Validation
000_d6616eacf4b12c72.txt | Week 5-6 Validation: PgBouncer Connection Pooling | Issues Found? | W5-6.md | Issues found
000_d6616eacf4b12c72.txt | Week 5-6 Validation: PgBouncer Connection Pooling | Sign-Off | W5-6.md | Sign-off
000_d6616eacf4b12c72.txt | Week 7 Validation: Redis Caching & Rate Limiting | Post-Deployment Validation Checklist | W7.md | Validation
000_d6616eacf4b12c72.txt | Week 7 Validation: Redis Caching & Rate Limiting | Issues Found? | W7.md | Issues found
000_d6616eacf4b12c72.txt | Week 7 Validation: Redis Caching & Rate Limiting | Sign-Off | W7.md | Sign-off
000_d6616eacf4b12c72.txt | Week 8 Validation: Table Partitioning (Critical) | Post-Partitioning Validation Checklist >> Immediately After Switchover | W8.md | Validation
000_d6616eacf4b12c72.txt | Week 8 Validation: Table Partitioning (Critical) | Post-Partitioning Validation Checklist >> 24-Hour Continuous Monitoring | W8.md | Monitoring
000_d6616eacf4b12c72.txt | Week 8 Validation: Table Partitioning (Critical) | Issues Found During Maintenance? | W8.md | Issues found
000_d6616eacf4b12c72.txt | Week 8 Validation: Table Partitioning (Critical) | Sign-Off | W8.md | Sign-off
000_d6616eacf4b12c72.txt | Overall Phase 2 Deployment Sign-Off | - | PHASE2-FINAL.md | Validation
000_d6616eacf4b12c72.txt | Overall Phase 2 Deployment Sign-Off | Final Sign-Off | PHASE2-FINAL.md | Sign-off
EOF
)$'\n'
# ==== END seed 000 ==========================================================================

# --- the comparison ------------------------------------------------------------------------
seeds=${OPSDECK_SEEDS:-}
if [ -z "$seeds" ]; then
	for d in "$OPSDECK_SRC/../shared/seeds" /work/shared/seeds; do
		[ -d "$d" ] && { seeds=$d; break; }
	done
fi
printf '%s\n' "$MAP" >"$tmp/map"

# Prints "ok<TAB>description", "not ok<TAB>description" or "diag<TAB>text" lines.
compare() {
	awk -v seeds="$1" -v cldir="runbooks/checklists" '
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
# the text items are compared by: no bold, no backticks, no sign-off blanks, one space, lower case
function norm(s,   i) {
	gsub(/\*\*/, "", s); gsub(/`/, "", s)
	i = index(s, "___"); if (i) s = substr(s, 1, i - 1)
	gsub(/[ \t]+/, " ", s); s = tolower(trim(s))
	sub(/[ :]+$/, "", s)
	return s
}
function fence(line) { return line ~ /^[ \t]*(```|~~~)/ }
function is_item(line) { return line ~ /^[ \t]*[-*+] \[[ xX]\] / }
function item_text(line) { sub(/^[ \t]*[-*+] \[[ xX]\] /, "", line); return line }
function first_cell(line,   n, c) { n = split(line, c, "|"); return trim(c[2]) }
function is_sep(line) { return line ~ /^[ \t]*\|[ \t:|-]+$/ }
function load_seed(f,   path, line, h2, h3, sub_, fen, tab, t) {
	path = seeds "/" f
	if ((getline line < path) <= 0) { seed_bad[f] = 1; return }
	h2 = ""; h3 = "-"; sub_ = ""; fen = 0; tab = 0
	do {
		if (fence(line)) { fen = !fen; tab = 0; continue }
		if (fen) continue
		if (line ~ /^## /) { h2 = norm(substr(line, 4)); h3 = "-"; sub_ = ""; tab = 0; heading[f SUBSEP h2 SUBSEP h3] = 1; continue }
		if (line ~ /^### /) {
			t = trim(substr(line, 5)); sub_ = ""; tab = 0
			if (t ~ /^\[[ xX]\] /) { t = substr(t, 5); h3 = norm(t); heading[f SUBSEP h2 SUBSEP h3] = 1; add_seed(f, "group", h2, h3, "", t); continue }
			h3 = norm(t); heading[f SUBSEP h2 SUBSEP h3] = 1; continue
		}
		if (line ~ /^\*\*[^*]+\*\*:?[ \t]*$/) { t = line; gsub(/\*/, "", t); sub_ = norm(t); continue }
		if (line ~ /^[ \t]*\|/) {
			if (!tab) { tab = 1; continue }          # the header
			if (is_sep(line)) continue
			add_seed(f, "row", h2, h3, sub_, first_cell(line)); continue
		}
		tab = 0
		if (is_item(line)) add_seed(f, "item", h2, h3, sub_, item_text(line))
	} while ((getline line < path) > 0)
	close(path)
}
function add_seed(f, kind, h2, h3, sub_, raw) {
	ns++; s_file[ns] = f; s_kind[ns] = kind; s_h2[ns] = h2; s_h3[ns] = h3; s_sub[ns] = sub_
	s_raw[ns] = trim(raw); s_text[ns] = norm(raw)
}
function load_checklist(f,   path, line, sect, fen, tab, t) {
	path = cldir "/" f
	if ((getline line < path) <= 0) { cl_bad[f] = 1; return }
	sect = ""; fen = 0; tab = 0
	do {
		if (fence(line)) { fen = !fen; tab = 0; continue }
		if (fen) continue
		if (line ~ /^## /) { sect = norm(substr(line, 4)); has_sect[f SUBSEP sect] = 1; tab = 0; continue }
		if (line ~ /^### /) {
			t = trim(substr(line, 5)); sub(/^[0-9]+\. */, "", t); tab = 0
			add_cl(f, "group", sect, t); continue
		}
		if (line ~ /^[ \t]*\|/) {
			if (!tab) { tab = 1; continue }
			if (is_sep(line)) continue
			add_cl(f, "row", sect, first_cell(line)); continue
		}
		tab = 0
		if (is_item(line)) add_cl(f, "item", sect, item_text(line))
	} while ((getline line < path) > 0)
	close(path)
}
function add_cl(f, kind, sect, raw) {
	nc++; c_file[nc] = f; c_kind[nc] = kind; c_sect[nc] = sect; c_text[nc] = norm(raw)
	if (kind == "item") n_items[f SUBSEP sect]++
	if (kind == "row") n_rows[f SUBSEP sect]++
}
# does a checklist record (kind ck, text ct) hold the seed record (kind sk, text st)?
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
{
	if ($0 ~ /^[ \t]*(#|$)/) next
	n = split($0, c, "|")
	if (n != 5) { print "not ok\tmap row with " n " columns (5 expected): " $0; next }
	nr++
	r_seed[nr] = trim(c[1]); r_h2[nr] = norm(c[2]); r_file[nr] = trim(c[4]); r_sect[nr] = norm(c[5]); r_sectraw[nr] = trim(c[5])
	r_h3raw[nr] = trim(c[3]); r_sub[nr] = ""
	t = r_h3raw[nr]; i = index(t, ">>")
	if (i) { r_sub[nr] = norm(substr(t, i + 2)); t = substr(t, 1, i - 1) }
	r_h3[nr] = (trim(t) == "-" || trim(t) == "*") ? trim(t) : norm(t)
	r_label[nr] = trim(c[2]) " / " r_h3raw[nr]
	if (r_h3[nr] != "-" && r_h3[nr] != "*") claimed[r_seed[nr] SUBSEP r_h2[nr] SUBSEP r_h3[nr]] = 1
	if (!(r_seed[nr] in seen_seed)) { seen_seed[r_seed[nr]] = 1; seed_list[++nseeds] = r_seed[nr]; load_seed(r_seed[nr]) }
	if (!(r_file[nr] in seen_cl)) { seen_cl[r_file[nr]] = 1; load_checklist(r_file[nr]) }
}
END {
	for (r = 1; r <= nr; r++) {
		f = r_file[r]; sect = r_sect[r]; seedf = r_seed[r]
		rows = (sect == "issues found")
		what = rows ? "table rows" : "items"
		desc = f " ## " r_sectraw[r] ": the " what " of " seedf " \"" r_label[r] "\""
		if (seedf in seed_bad) { print "not ok\t" desc " (cannot read " seeds "/" seedf ")"; continue }
		if (f in cl_bad) { print "not ok\t" desc " (cannot read " cldir "/" f ")"; continue }
		if (!((f SUBSEP sect) in has_sect)) { print "not ok\t" desc " (the checklist has no section ## " r_sectraw[r] ")"; continue }
		m = 0
		for (k = 1; k <= ns; k++) {
			if (s_file[k] != seedf || s_h2[k] != r_h2[r]) continue
			if (r_h3[r] == "*" && ((seedf SUBSEP s_h2[k] SUBSEP s_h3[k]) in claimed)) continue
			if (r_h3[r] != "*" && s_h3[k] != r_h3[r]) continue
			if (r_sub[r] != "" && substr(s_sub[k], 1, length(r_sub[r])) != r_sub[r]) continue
			if (rows != (s_kind[k] == "row")) continue
			mk[++m] = k; covered[k]++; found[k] = 0
		}
		if (m == 0) {
			if ((seedf SUBSEP r_h2[r] SUBSEP (r_h3[r] == "*" ? "-" : r_h3[r])) in heading && r_sub[r] == "")
				print "ok\t" desc ": none in the seed section (0 of 0)"
			else
				print "not ok\t" desc " (no such " what " in the seed: a heading changed?)"
			continue
		}
		# a "### [ ] Group" that its own row maps to a "##" section is that section
		for (j = 1; j <= m; j++)
			if (s_kind[mk[j]] == "group" && s_h3[mk[j]] == r_h3[r]) found[mk[j]] = 1
		for (pass = 1; pass <= 2; pass++)
			for (j = 1; j <= m; j++) {
				k = mk[j]
				if (found[k]) continue
				for (x = 1; x <= nc; x++)
					if (!used[x] && c_file[x] == f && c_sect[x] == sect &&
					    fits(s_kind[k], s_text[k], c_kind[x], c_text[x], pass == 1)) {
						used[x] = 1; found[k] = 1; break
					}
			}
		got = 0
		for (j = 1; j <= m; j++) got += found[mk[j]]
		have = rows ? n_rows[f SUBSEP sect] + 0 : n_items[f SUBSEP sect] + 0
		print (got == m ? "ok" : "not ok") "\t" desc ": " got " of " m " found (the section has " have " " (rows ? "rows" : "- [ ] items") ")"
		for (j = 1; j <= m; j++)
			if (!found[mk[j]]) print "diag\tmissing: " s_raw[mk[j]]
	}
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
				print "diag\t" (covered[k] ? "in " covered[k] " rows" : "in no row") ": " s_raw[k] " (## " s_h2[k] " / ### " s_h3[k] ")"
		if (shown > 20) print "diag\t... and " shown - 20 " more"
	}
}' "$tmp/map"
}

if [ -z "$seeds" ] || [ ! -d "$seeds" ]; then
	skip "the seeds are not here (set OPSDECK_SEEDS to their directory): items not compared"
else
	compare "$seeds" >"$tmp/out" 2>"$tmp/err"
	is "$?/$(cat "$tmp/err")" "0/" "the comparison runs"
	while IFS=$'\t' read -r verdict text; do
		case $verdict in
		ok) ok 0 "$text" ;;
		"not ok") ok 1 "$text" ;;
		diag) diag "$text" ;;
		esac
	done <"$tmp/out"
fi

# --- every mapped checklist lints clean ----------------------------------------------------
files=$(sed -n 's/^[^|#]*|[^|]*|[^|]*|[[:space:]]*\([^|[:space:]]*\)[[:space:]]*|.*/\1/p' "$tmp/map" | sort -u)
if [ -x "$OPSDECK" ]; then
	for f in $files; do
		"$OPSDECK" lint "runbooks/checklists/$f" >"$tmp/lint" 2>&1
		rc=$?
		is "$rc" 0 "runbooks/checklists/$f lints clean: $(tail -1 "$tmp/lint")"
		[ "$rc" -eq 0 ] || sed 's/^/#   /' "$tmp/lint"
	done
else
	skip "no opsdeck binary at $OPSDECK: lint not run"
fi

done_testing
