"""ASGI entry point: HTTP through Django, WebSocket through Channels."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stigmer.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from executions.consumers.auth import TicketAuthMiddleware  # noqa: E402
from executions.routing import websocket_urlpatterns  # noqa: E402
from stigmer.tracing import tracing_setup  # noqa: E402
from stigmer.websocket_origin import SameOriginValidator  # noqa: E402

tracing_setup("stigmer-web")

# uvicorn has no static file server of its own. In development the admin's
# CSS/JS are served from the apps; in production (DEBUG off) WhiteNoise serves
# the collected files (see settings.MIDDLEWARE).
if settings.DEBUG_STATIC:
    http_application = ASGIStaticFilesHandler(django_asgi_app)
else:
    http_application = django_asgi_app

application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": SameOriginValidator(
            AuthMiddlewareStack(TicketAuthMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
