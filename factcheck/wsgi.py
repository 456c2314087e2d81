import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
django_application = get_wsgi_application()

# Public pages already served under the current publication stamp are answered
# in front of Django's request cycle (claims/public/wsgi.py); the import needs
# the apps that get_wsgi_application() has just set up.
from claims.public.wsgi import StoredPagesApplication  # noqa: E402

application = StoredPagesApplication(django_application)
