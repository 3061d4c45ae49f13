# The service with LibreOffice for letters, as a non-root user under gunicorn.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libreoffice-writer-nogui python3-uno poppler-utils fonts-dejavu-core fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY service/ service/
COPY templates/ templates/
COPY examples/ examples/
COPY wsgi.py gunicorn.conf.py ./

RUN useradd --create-home --uid 10001 app
USER app
# Listens on all interfaces only when API keys are given (ATTENDANCE_API_KEYS or ATTENDANCE_API_KEYS_FILE);
# without them gunicorn.conf.py binds to 127.0.0.1 and says so. Set ATTENDANCE_SECRET_KEY for the pages'
# CSRF cookie when running several containers. A school signs its bundles with its certificate: mount the
# PKCS#12 read-only (e.g. /run/secrets/school.p12) and set ATTENDANCE_SIGNING_PKCS12 and
# ATTENDANCE_SIGNING_PASSPHRASE (optionally ATTENDANCE_SIGNING_TSA_URL); a council checking bundles mounts
# its trust folder and sets ATTENDANCE_TRUST_DIR. ATTENDANCE_BUNDLE_SIGNING_KEY (HMAC) only when one
# service both makes and checks bundles.
ENV ATTENDANCE_BIND=0.0.0.0:8000 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
