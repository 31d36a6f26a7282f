#!/usr/bin/env bash
# The README's test command: the default suite once per Keras backend.
# Extra arguments go to pytest (e.g. `bash tests/all_backends.sh -x -k sinc`).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for backend in ${KGENRE_BACKENDS:-tensorflow jax torch}; do
  echo "=== KERAS_BACKEND=$backend"
  KERAS_BACKEND=$backend python -m pytest -q "$@"
  rc=$?
  # pytest exit 5 means this backend collected no test; anything else non-zero fails.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then status=$rc; fi
done
exit $status
