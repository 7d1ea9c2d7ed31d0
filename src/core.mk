libopsdeck_a_SOURCES += src/app.c src/app.h src/setup.c src/setup.h src/cmd-snapshot.c
