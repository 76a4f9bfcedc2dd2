# The Stigmer app image: web (ASGI), orchestration worker and runner worker
# are the same image with different commands (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings but no database or real secret.
RUN SECRET_KEY=build-only-not-secret DEBUG=0 python manage.py collectstatic --no-input \
    && useradd --system --home /app stigmer && chown -R stigmer /app
USER stigmer

EXPOSE 8000
# Forwarded headers are trusted only from FORWARDED_ALLOW_IPS (uvicorn reads it;
# the compose file sets it), never from any client that reaches the port.
CMD ["uvicorn", "stigmer.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
