"""WSGI entry point (gunicorn anxin.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")
application = get_wsgi_application()
