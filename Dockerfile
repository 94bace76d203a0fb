# The app image (webhook, notifier, migrations) on the official Python image. The bot runs on rasa/rasa.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY alembic.ini ./
COPY casework ./casework
COPY webhook ./webhook
COPY notifier ./notifier
COPY rasa_rest ./rasa_rest
COPY partnerships ./partnerships
RUN useradd --system --uid 10001 app && mkdir -p /app/var/media && chown -R app /app/var && chmod 700 /app/var/media
USER app
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "--access-logfile", "-", "webhook:create_app()"]
