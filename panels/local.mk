libopsdeck_a_SOURCES += panels/rowset.c panels/rowset.h panels/source.c panels/source.h \
	panels/pgconn.c panels/pgconn.h panels/redisconn.c panels/redisconn.h \
	panels/httpconn.c panels/httpconn.h \
	panels/level.c panels/level.h panels/panel.c panels/panel.h \
	panels/replicas_model.c panels/replicas_model.h panels/replicas.c \
	panels/planned.c panels/planned.h panels/registry.c
# one file per panel; each owner adds its model/parser files on its own line below
libopsdeck_a_SOURCES += panels/pools.c
libopsdeck_a_SOURCES += panels/cache.c
libopsdeck_a_SOURCES += panels/ratelimits.c
libopsdeck_a_SOURCES += panels/partitions.c
libopsdeck_a_SOURCES += panels/health.c
