# evidence-svc: the HTTP service and its web page (`evidence serve`), with tesseract and its languages, qpdf and the
# fonts the bundle needs. The same image runs `evidence worker` and `evidence watch` (see docker-compose.yml).
#   docker build -t evidence-svc .
#   docker run -d -p 8000:8000 -v evidence-data:/data --name evidence evidence-svc
#   docker exec evidence evidence keys create --tenant acme        # prints an API key once
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Debian's tesseract 5 with the marketplaces' languages, qpdf, and fonts for the bundle's cover and stamps
# (Noto CJK for Chinese/Japanese text). Same list as APT_RUN in the Makefile.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-ita tesseract-ocr-spa \
      tesseract-ocr-jpn tesseract-ocr-chi-sim qpdf fonts-noto-cjk fonts-dejavu-core fonts-liberation2 fontconfig \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY evidence_svc ./evidence_svc
COPY validators ./validators
COPY samples ./samples
RUN pip install . && rm -rf /app/build

# A non-root user owns the data directory (database, blobs, OCR cache) and the shared-blob mount point.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin evidence \
 && mkdir -p /data /shared/blobs \
 && chown -R evidence:evidence /data /shared
USER evidence
ENV EVIDENCE_DATA_DIR=/data \
    EVIDENCE_CACHE_DIR=/data/cache \
    HOME=/home/evidence
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(r.status != 200)"]

CMD ["evidence", "serve", "--host", "0.0.0.0", "--port", "8000", "--data-dir", "/data"]
