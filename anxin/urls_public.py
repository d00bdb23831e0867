"""URL map of the internet zone (``ANXIN_ZONE=public``, anxin/zones.py): the public pages only.

What the apps register at ``seam.PUBLIC_URLS`` (the worker portal, the public credit page, the
worker's 计酬手册), the captcha the portal's forms draw, and the favicon. There is no login, no
admin, no API (``/api/v1/`` answers 404 here, its public endpoints included) and no officer page:
Django itself answers 404 for every path not below, whatever the nginx in front lets through.
Static files are served by nginx (deploy/nginx-public.conf), or by ``runserver`` with DEBUG on.
"""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from anxin.core import seam

urlpatterns = [
    *(path("", include(module)) for module in seam.collect(seam.PUBLIC_URLS)),
    path("captcha/", include("captcha.urls")),
    path("favicon.ico", RedirectView.as_view(url=static("anxin/favicon.svg"), permanent=True)),
]


def _error(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    """Drawn without the request's context: a 500 must not depend on what may have failed."""
    page = render_to_string("public/error.html", {"status": status, "title": title, "text": text})
    return HttpResponse(page, status=status)


# The internal zone's error pages draw the officers' shell (menu, 工作台); these draw the portal's.
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "未找到该页面", "地址有误或已失效。")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "无法完成该操作", "页面已过期或请求不完整，请返回后重新操作。")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "请求无法处理", "提交的内容超出了系统的限制或格式不正确，未被接收。")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "系统暂时出现问题", "您的提交未被保存，请稍后重试，或拨打 12333 反映。")


handler404 = not_found
handler403 = forbidden
handler400 = bad_request
handler500 = server_error
