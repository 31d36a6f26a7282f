#!/usr/bin/env bash
# The README's test command: the default suite once per Keras backend.
# Extra arguments go to pytest (e.g. `bash tests/all_backends.sh -x -k sinc`);
# KGENRE_BACKENDS picks the backends (default: tensorflow jax torch).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for backend in ${KGENRE_BACKENDS:-tensorflow jax torch}; do
  echo "=== KERAS_BACKEND=$backend"
  KERAS_BACKEND=$backend python -m pytest -q "$@"
  rc=$?
  # pytest exits 5 when it collected no test: a backend that runs nothing fails too
  if [ "$rc" -eq 5 ]; then echo "=== KERAS_BACKEND=$backend collected no test"; fi
  if [ "$rc" -ne 0 ]; then status=$rc; fi
done
exit $status
