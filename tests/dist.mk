# tests: dist -- studies across processes: a result on the wire, MPI ranks (tests/mpi.sh,
# skipped without --with-mpi), shards and their merge (tests/shard.sh).
check_PROGRAMS += tests/check_wire
TESTS += tests/check_wire
tests_check_wire_SOURCES = tests/check_wire.c
tests_check_wire_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_wire_LDADD = $(WINIT_TEST_LIBS)

TESTS += tests/mpi.sh
EXTRA_DIST += tests/mpi.sh tests/lua/dist_study.lua
# A study of graph models from C, run by tests/mpi.sh across ranks.
check_PROGRAMS += tests/graph_study
tests_graph_study_SOURCES = tests/tools/graph_study.c
tests_graph_study_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_graph_study_LDADD = $(WINIT_TEST_LIBS)

TESTS += tests/shard.sh
EXTRA_DIST += tests/shard.sh
