"""The file exchange across the zone boundary (docs/operations.md §15.4), for a district whose
boundary lets no database connection through::

    # on the portal host (ANXIN_ZONE=public, ANXIN_PORTAL_EXCHANGE=files)
    manage.py portal_exchange export-reports --out /var/lib/anxin/exchange/out
    manage.py portal_exchange import-status /var/lib/anxin/exchange/in/anxin-status-000012.zip
    # inside (ANXIN_ZONE=internal, ANXIN_PUBLIC_ZONE_COPIES=true)
    manage.py portal_exchange import-reports /var/lib/anxin/exchange/in/anxin-reports-000034.zip
    manage.py portal_exchange export-status --out /var/lib/anxin/exchange/out
    # either side: the bundles made and imported here
    manage.py portal_exchange history

The work is in ``anxin.core.exchange``; a refused bundle exits non-zero with the reason; a bundle
imported before, or a status bundle older than the last imported, exits 0 and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from anxin.core import exchange
from anxin.core.models import ExchangeBundle, ExchangeDirection

EXPORTS = {"export-reports": ExchangeDirection.REPORTS, "export-status": ExchangeDirection.STATUS}
IMPORTS = {"import-reports": ExchangeDirection.REPORTS, "import-status": ExchangeDirection.STATUS}


class Command(BaseCommand):
    help = "跨区文件摆渡：门户主机导出反映、导入状态；内网导入反映、导出状态（运维手册第 15.4 节）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, label in (
            ("export-reports", "门户主机：导出新反映和门户上的操作"),
            ("export-status", "内网：导出办理状态和门户读的副本"),
        ):
            export = sub.add_parser(name, help=label)
            export.add_argument("--out", required=True, help="文件包写入的目录（摆渡的发出目录）")
            export.add_argument(
                "--keep",
                help="另存一份到此目录（对方确认导入前保留，供重新搬运；deploy/anxin-exchange.sh 用 sent/）",
            )
        for name, label in (
            ("import-reports", "内网：导入门户主机的反映包"),
            ("import-status", "门户主机：导入内网的状态包"),
        ):
            load = sub.add_parser(name, help=label)
            load.add_argument("file", help="文件包（.zip）")
            load.add_argument(
                "--allow-gap",
                action="store_true",
                help="反映包序号不连续时仍导入（确认缺少的包已无法找回时才用；状态包是整份快照，不连续时只警告）",
            )
        sub.add_parser(
            "acknowledged", help="门户主机：内网已导入到第几个反映包（据最近导入的状态包），只打印序号"
        )
        history = sub.add_parser("history", help="本机导出、导入过的文件包")
        history.add_argument("--last", type=int, default=20, help="显示最近多少个（默认 20）")

    def handle(self, *args, **options):
        action = options["action"]
        # The command as the record keeps it: what was asked, however it was called.
        if action in EXPORTS:
            command = f"portal_exchange {action} --out {options['out']}" + (
                f" --keep {options['keep']}" if options["keep"] else ""
            )
        elif action in IMPORTS:
            command = f"portal_exchange {action} {options['file']}" + (
                " --allow-gap" if options["allow_gap"] else ""
            )
        else:
            command = f"portal_exchange {action}"
        try:
            if action in EXPORTS:
                # A backlog goes in several bundles, each within what an import accepts.
                more = True
                while more:
                    done = exchange.bundle_export(
                        direction=EXPORTS[action],
                        out_dir=Path(options["out"]),
                        command=command,
                        keep_dir=Path(options["keep"]) if options["keep"] else None,
                    )
                    more = done.more
                    self.stdout.write(f"已导出：{done.path}（{_counts(done.bundle)}）")
            elif action in IMPORTS:
                path = Path(options["file"])
                try:
                    done = exchange.bundle_import(
                        path=path, direction=IMPORTS[action], command=command, allow_gap=options["allow_gap"]
                    )
                except exchange.AlreadyImported as already:
                    bundle = already.args[0]
                    self.stdout.write(
                        f"序号 {bundle.sequence} 的文件包已于 {timezone.localtime(bundle.done_at):%Y-%m-%d %H:%M} 导入，"
                        "本次未做任何改动"
                    )
                    return
                except exchange.Superseded as superseded:
                    self.stdout.write(
                        f"{path.name} 早于已导入的状态包 #{superseded.args[0]}：较新的快照已包含其全部内容，"
                        "本次未做任何改动"
                    )
                    return
                self.stdout.write(
                    f"已导入：{path.name}（序号 {done.bundle.sequence}；{_counts(done.bundle)}）"
                )
                if done.bundle.warning:
                    self.stderr.write(f"注意：{done.bundle.warning}")
            elif action == "acknowledged":
                self.stdout.write(str(exchange.reports_acknowledged()))
            else:
                self._history(options["last"])
        except exchange.ExchangeRefused as refused:
            raise CommandError(str(refused)) from None

    def _history(self, last: int) -> None:
        for bundle in ExchangeBundle.objects.order_by("-done_at", "-pk")[: max(last, 1)]:
            self.stdout.write(
                f"{timezone.localtime(bundle.done_at):%Y-%m-%d %H:%M}  {bundle.get_kind_display()}  "
                f"{bundle.get_direction_display()}  #{bundle.sequence}  {bundle.file_name}  "
                f"{bundle.sha256[:12]}…  {_counts(bundle)}"
                + (f"  注意：{bundle.warning}" if bundle.warning else "")
            )


def _counts(bundle: ExchangeBundle) -> str:
    """Rows per part; for an import, what was written of them when it differs (e.g. a report already
    on file, a state kept until the portal's own action is seen inside)."""
    parts = []
    for key, count in bundle.counts.items():
        applied = bundle.applied.get(key, count) if bundle.kind == ExchangeBundle.Kind.IMPORT else count
        parts.append(f"{key} {count} 条" + (f"（写入 {applied}）" if applied != count else ""))
    return "，".join(parts) or "无内容"
