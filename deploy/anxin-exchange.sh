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
# $EXCHANGE_KEEP_DAYS (default 30): imported bundles are deleted from done/ that many days after
# their import (they hold personal data in clear: docs/operations.md §15.4.1).
# On the portal host, sent/ keeps a copy of each reports bundle until the internal zone has
# imported it (the `acknowledges` of the last status bundle imported here): a bundle lost on the
# way is carried again from there. Status bundles need no copy: each is a whole snapshot.
set -eu
side=${1:-}
dir=${EXCHANGE_DIR:-/var/lib/anxin/exchange}
manage=${ANXIN_MANAGE:-"/opt/anxin/.venv/bin/python /opt/anxin/manage.py"}
keep_days=${EXCHANGE_KEEP_DAYS:-30}
case "$keep_days" in
  ''|*[!0-9]*) echo "EXCHANGE_KEEP_DAYS 应为天数（整数）：$keep_days" >&2; exit 2 ;;
esac
case "$side" in
  portal) import=import-status; prefix=anxin-status-; export=export-reports; keep="--keep $dir/sent" ;;
  internal) import=import-reports; prefix=anxin-reports-; export=export-status; keep= ;;
  *) echo "用法：$0 portal|internal" >&2; exit 2 ;;
esac
mkdir -p "$dir/in" "$dir/out" "$dir/done"
# One round at a time: a round still importing a large backlog when the timer fires again (or one
# started by hand) must not import the same bundle twice over or export beside it.
exec 9>"$dir/.lock"
if ! flock -n 9; then
  echo "另一轮摆渡仍在运行（$dir/.lock），本轮跳过"
  exit 0
fi
refused=0
for bundle in $(find "$dir/in" -maxdepth 1 -name "${prefix}*.zip" | sort); do
  if $manage portal_exchange "$import" "$bundle"; then
    mv "$bundle" "$dir/done/"
    touch "$dir/done/${bundle##*/}"  # kept EXCHANGE_KEEP_DAYS from its import
  else
    refused=1  # stays in in/; the later ones wait behind it (their sequence would leave a gap)
    break
  fi
done
find "$dir/done" -maxdepth 1 -name "anxin-*.zip" -mtime +"$keep_days" -exec rm -f {} +
# The other direction keeps moving while this one waits for the operator.
# shellcheck disable=SC2086 # $keep is empty or two words
$manage portal_exchange "$export" --out "$dir/out" $keep
if [ "$side" = portal ]; then
  # The copies of the reports bundles the internal zone has imported are no longer needed.
  mkdir -p "$dir/sent"
  acknowledged=$($manage portal_exchange acknowledged)
  for kept in $(find "$dir/sent" -maxdepth 1 -name "anxin-reports-*.zip" | sort); do
    number=${kept##*-}
    if [ "$(expr "${number%.zip}" + 0)" -le "$acknowledged" ]; then
      rm -f "$kept"
    fi
  done
fi
exit $refused
