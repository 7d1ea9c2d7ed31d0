# PostgreSQL/PgBouncer panels: pools, partitions
libopsdeck_a_SOURCES += panels/pools.c panels/partitions.c
