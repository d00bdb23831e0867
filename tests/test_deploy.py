"""The deployment files agree with the project: a page nginx names exists and is in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_error_page_nginx_serves_from_static_exists_and_is_chinese():
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    pages = re.findall(r"error_page\s+\d+\s+/static/(\S+);", conf)
    assert "anxin/errors/429.html" in pages  # the portal's rate limit answers in Chinese
    for page in pages:
        html = (ROOT / "static" / page).read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in html and "请稍后再试" in html
