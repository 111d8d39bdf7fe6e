# kgrec application image: the API (`kgrec serve`) and the trainer (`kgrec pipeline run`).
# It installs exactly what `make install` installs on a bare machine: this project's pyproject.toml.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 KGREC_STATE_DIR=/var/lib/kgrec KGREC_CACHE_DIR=/var/cache/kgrec
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kgrec ./kgrec
COPY ingest ./ingest
COPY graphstore ./graphstore
COPY learner ./learner
COPY api ./api
COPY cypher ./cypher
RUN python -m pip install --upgrade pip && python -m pip install . \
    && useradd --system --create-home kgrec && mkdir -p /var/lib/kgrec /var/cache/kgrec \
    && chown kgrec /var/lib/kgrec /var/cache/kgrec
USER kgrec
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=10 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["kgrec", "serve", "--host", "0.0.0.0", "--port", "8000"]
