libopsdeck_a_SOURCES += panels/rowset.c panels/rowset.h panels/source.c panels/source.h \
	panels/pgconn.c panels/pgconn.h \
	panels/level.c panels/level.h panels/panel.c panels/panel.h \
	panels/alerts.c panels/alerts.h \
	panels/replicas_model.c panels/replicas_model.h panels/replicas.c \
	panels/planned.c panels/planned.h panels/registry.c
# one fragment per area, each owned by whoever builds it
include panels/pg.mk
include panels/redis.mk
include panels/http.mk
