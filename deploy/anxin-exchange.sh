#!/bin/sh
# 安薪 Anxin — one round of the file exchange across the zone boundary (docs/operations.md §15.4),
# for a district whose boundary lets no database connection through. Run by anxin-exchange.service
# (every 10 minutes, anxin-exchange.timer) on both sides:
#
#   anxin-exchange.sh portal     # the portal host: import the status bundles that arrived, export reports
#   anxin-exchange.sh internal   # inside: import the reports bundles that arrived, export the status
#
# $ANXIN_MANAGE: the manage.py command (default: the installation's in /opt/anxin).
# $EXCHANGE_DIR (default /var/lib/anxin/exchange): out/ is where the boundary device takes bundles
# from, in/ where it puts the other side's, done/ where imported bundles are kept. Bundles are imported
# oldest first; a refused one stops the imports (non-zero exit, the reason in the journal) and stays
# in in/ for the operator, while this side's export still runs.
set -eu
side=${1:-}
dir=${EXCHANGE_DIR:-/var/lib/anxin/exchange}
manage=${ANXIN_MANAGE:-"/opt/anxin/.venv/bin/python /opt/anxin/manage.py"}
case "$side" in
  portal) import=import-status; prefix=anxin-status-; export=export-reports ;;
  internal) import=import-reports; prefix=anxin-reports-; export=export-status ;;
  *) echo "用法：$0 portal|internal" >&2; exit 2 ;;
esac
mkdir -p "$dir/in" "$dir/out" "$dir/done"
refused=0
for bundle in $(find "$dir/in" -maxdepth 1 -name "${prefix}*.zip" | sort); do
  if $manage portal_exchange "$import" "$bundle"; then
    mv "$bundle" "$dir/done/"
  else
    refused=1  # stays in in/; the later ones wait behind it (their sequence would leave a gap)
    break
  fi
done
# The other direction keeps moving while this one waits for the operator.
$manage portal_exchange "$export" --out "$dir/out"
exit $refused
