# HTTP connector, the health strip and the rate-limits panel
libopsdeck_a_SOURCES += panels/httpconn.c panels/httpconn.h panels/health.c panels/ratelimits.c
