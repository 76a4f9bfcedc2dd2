from django.db import connection
from django.http import JsonResponse


def healthz(request) -> JsonResponse:
    """Liveness and database reachability, for load balancers and compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
