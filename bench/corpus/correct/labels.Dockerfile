# correct: OCI labels
FROM python:3.13-slim
WORKDIR /usr/src/app
LABEL org.opencontainers.image.title="together" \
      org.opencontainers.image.version="0.0.1"
COPY . .
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
