"""The yardstick of `manage.py benchmark_public`: Django with one view and nothing else.

This module is at once the settings, the URLconf and the WSGI entry point of a
bare Django project: no app, no middleware, no database, no template, one URL
answering a one-line ``HttpResponse``. The benchmark serves it with exactly the
gunicorn settings of the real site, so that the ratio it prints measures what
the public pages cost beyond Django's and gunicorn's own floor.

    DJANGO_SETTINGS_MODULE=claims.public.bare_app gunicorn 'django.core.wsgi:get_wsgi_application()'
"""

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "bare-benchmark-view-has-no-secrets-0123456789abcdef"  # noqa: S105 - serves "ok" only
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True

urlpatterns = [path("", lambda request: HttpResponse("ok"))]
