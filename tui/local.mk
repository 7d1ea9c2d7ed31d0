libopsdeck_a_SOURCES += tui/tui.c tui/tui.h tui/tui_int.h tui/draw.c tui/keys.c tui/theme.c tui/theme.h \
	tui/paint.c tui/paint.h tui/table_view.c tui/command.c tui/alerts_view.c \
	tui/pane.h tui/pane.c tui/walker.h tui/walker.c tui/walker_keys.c tui/walker_draw.c tui/walker_page.c \
	tui/rblist.c tui/review.h tui/review.c tui/review_draw.c tui/review_run.c tui/review_sign.c \
	tui/review_verify.c tui/tracker.h tui/tracker.c tui/monitor.c
