# Redis connector and the cache panel
libopsdeck_a_SOURCES += panels/redisconn.c panels/redisconn.h panels/cache.c
