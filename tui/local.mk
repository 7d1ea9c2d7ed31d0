libopsdeck_a_SOURCES += tui/tui.c tui/tui.h tui/tui_int.h tui/draw.c tui/keys.c tui/theme.c tui/theme.h
