#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/progress.sh LABEL COMMAND...: run COMMAND and return its status;
# while it runs, print "LABEL: still running (N s)" every PROGRESS_EVERY
# seconds (default 20), so a quiet step (the host tests print nothing until
# they end) never looks hung.
label=$1
shift
every=${PROGRESS_EVERY:-20}
"$@" &
pid=$!
# The ticker's sleep must not hold our stdout open: `| tee` would wait
# for it after we are gone.
(
  t=0
  while sleep "$every" </dev/null >/dev/null 2>&1; do
    t=$((t + every))
    echo "$label: still running ($t s)"
  done
) &
ticker=$!
wait $pid
status=$?
kill $ticker 2>/dev/null
exit $status
