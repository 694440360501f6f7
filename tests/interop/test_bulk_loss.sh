#!/usr/bin/env bash
# Interop: test_bulk.sh's 100 MiB each way, both roles, with 2% loss and 2% reordering
# injected at synack's TUN driver in both directions.
INTEROP_NAME=test_bulk_loss BULK_SUBNET=3 BULK_IMPAIR="--loss 0.02 --reorder 0.02 --seed 7" BULK_TIMEOUT=${BULK_TIMEOUT:-600} \
  exec bash "$(dirname "$0")/test_bulk.sh" "$1"
